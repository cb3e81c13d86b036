"""Near-duplicate reuse: a re-scan takes the earlier answer, a look-alike with other values does not."""

import json
import sqlite3

import pandas as pd
import pytest

from extraction_pipeline.extraction.neardup import NearDuplicateIndex, fingerprint, similarity
from extraction_pipeline.llm.client import LLMError
from extraction_pipeline_tests.support.helpers import echo, materialize, receipt_text
from extraction_pipeline_tests.support.scripted_llm_server import document_text, made_up_embedding

LINES = "\n".join(f"ITEM {i} BLUE WIDGET 1 X 2.00 2.00" for i in range(30))


def test_ocr_noise_keeps_a_near_copy_similar_and_another_receipt_is_not():
    original = receipt_text("A", LINES)
    noisy = original.replace("WIDGET 1 X 2.00", "W1DGET 1 X 2.00", 1)
    assert similarity(fingerprint(original), fingerprint(noisy)) > 0.9
    assert similarity(fingerprint(original), fingerprint(receipt_text("B", "SOMETHING ELSE"))) < 0.5


def test_a_rescan_reuses_the_answer_and_a_lookalike_with_another_total_is_asked(scripted_llm, tmp_path):
    server = scripted_llm(echo)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    original = receipt_text("A", LINES)
    (inbox / "a.txt").write_text(original)
    materialize(inbox, tmp_path / "out", reuse_near_duplicates=True)
    assert len(server.requests) == 1

    (inbox / "a rescanned.txt").write_text(original.replace("WIDGET 1 X 2.00", "W1DGET 1 X 2.00", 1))
    (inbox / "a other total.txt").write_text(original.replace("TOTAL RM 9.50", "TOTAL RM 19.50"))
    result, metadata = materialize(inbox, tmp_path / "out", reuse_near_duplicates=True)

    asked = [document_text(r) for r in server.requests[1:]]
    assert asked and all("TOTAL RM 19.50" in text for text in asked)  # only the look-alike was asked
    assert not any("W1DGET" in text for text in asked)  # the re-scan took the earlier answer
    llm = metadata["llm_extractions"]
    assert (llm["near_duplicates.reused"].value, llm["near_duplicates.refused"].value) == (1, 1)
    records = result.output_for_node("validated_records")["records"].set_index("source_path")
    rescanned = records.loc[str(inbox / "a rescanned.txt")]
    assert rescanned.reused_from and pd.isna(rescanned.model) and rescanned.attempts == 0


def _rescan_and_lookalike(inbox, out):
    """Extract a receipt, then a re-scan of it and a look-alike with another total, one at a time."""
    original = receipt_text("A", LINES)
    (inbox / "a.txt").write_text(original)
    materialize(inbox, out, reuse_near_duplicates=True, max_concurrency=1)
    (inbox / "a rescanned.txt").write_text(original.replace("WIDGET 1 X 2.00", "W1DGET 1 X 2.00", 1))
    (inbox / "a other total.txt").write_text(original.replace("TOTAL RM 9.50", "TOTAL RM 19.50"))
    return materialize(inbox, out, reuse_near_duplicates=True, max_concurrency=1)


def test_with_an_embedding_model_similarity_comes_from_the_servers_embeddings(scripted_llm, tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTION_EMBEDDING_MODEL", "text-embedding-3-small")
    server = scripted_llm(echo)
    (tmp_path / "inbox").mkdir()
    _, metadata = _rescan_and_lookalike(tmp_path / "inbox", tmp_path / "out")

    embedded = [r["input"] for r in server.requests if "input" in r]
    assert len(embedded) == 3 and all(r["model"] == "text-embedding-3-small" for r in server.requests if "input" in r)
    asked = [document_text(r) for r in server.requests if "messages" in r][1:]
    assert asked and all("TOTAL RM 19.50" in text for text in asked)  # only the look-alike was asked
    llm = metadata["llm_extractions"]
    assert llm["near_duplicates.similarity"].value == "embeddings:text-embedding-3-small"
    assert (llm["near_duplicates.reused"].value, llm["near_duplicates.refused"].value) == (1, 1)
    assert llm["llm.embedding_calls"].value == 2 and llm["llm.embedding_tokens"].value > 0
    assert llm["cost_usd.embeddings"].value == pytest.approx(llm["llm.embedding_tokens"].value * 0.02 / 1e6)


def test_a_server_without_embeddings_falls_back_to_the_fingerprint(scripted_llm, tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTION_EMBEDDING_MODEL", "text-embedding-3-small")
    server = scripted_llm(echo, embeddings=False)
    (tmp_path / "inbox").mkdir()
    _, metadata = _rescan_and_lookalike(tmp_path / "inbox", tmp_path / "out")

    llm = metadata["llm_extractions"]
    # The 404 is permanent: one failed request, then the fingerprint for the rest of the run.
    assert llm["near_duplicates.embedding_failures"].value == 1 and llm["llm.embedding_calls"].value == 0
    assert sum("input" in r for r in server.requests) == 2  # one per run
    assert (llm["near_duplicates.reused"].value, llm["near_duplicates.refused"].value) == (1, 1)
    asked = [document_text(r) for r in server.requests if "messages" in r][1:]
    assert asked and all("TOTAL RM 19.50" in text for text in asked)


def test_one_document_the_endpoint_refuses_does_not_turn_embeddings_off(tmp_path):
    seen = []

    def embed(text):
        seen.append(len(text))
        if "REFUSED" in text:
            raise LLMError("bad_request", "the server rejected the request (HTTP 400)", permanent=True)
        return made_up_embedding(text)

    index = NearDuplicateIndex(tmp_path / "index.sqlite3", embed=embed, embedding_model="m")
    original = receipt_text("A", LINES)
    index.add("a", "receipt", original, {"company": "SHOP A SDN BHD"})
    assert index.nearest("b", "receipt", "REFUSED " + original) is not None  # by fingerprint this time
    hit = index.nearest("c", "receipt", original.replace("WIDGET 1", "W1DGET 1", 1))
    assert hit is not None and hit[0] == "a" and hit[2] > 0.97  # by embeddings again
    index.nearest("d", "receipt", original * 500)
    assert index.embedding_failures == 1 and max(seen) == 8000  # a long document is embedded by its start
    index.close()


def test_an_index_file_of_an_earlier_version_is_upgraded_and_keeps_its_documents(tmp_path):
    """Its table was `documents`, at first without embeddings; now `near_duplicates` in SQLite or PostgreSQL."""
    path = tmp_path / "near_duplicates.sqlite3"
    text = receipt_text("OLD")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE documents (document_id TEXT PRIMARY KEY, document_type TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, record TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?)",
            ("old", "receipt", json.dumps(sorted(fingerprint(text))), json.dumps({"total": "9.50"})),
        )
    db.close()
    index = NearDuplicateIndex(path)
    try:
        assert index.nearest("new", "receipt", text) == ("old", {"total": "9.50"}, 1.0)
    finally:
        index.close()
    with sqlite3.connect(path) as db:
        assert [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["near_duplicates"]
    db.close()
