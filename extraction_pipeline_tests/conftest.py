"""Fixtures every test may use: an answer cache of its own, the scripted LLM server (a test double),
and the inboxes the asset, fault and automation tests work on."""

import json

import pytest

from extraction_pipeline_tests.support.helpers import RECEIPTS_IN_INBOX, receipt_text, write_inbox
from extraction_pipeline_tests.support.scripted_llm_server import Responder, ScriptedLLMServer

GOLD_PLAIN = {"company": "SHOP P SDN BHD", "date": "25/12/2018", "address": "1 JALAN P", "total": "9.50"}


@pytest.fixture(autouse=True)
def isolated_answer_cache(tmp_path, monkeypatch):
    """Each test starts with an empty answer cache of its own (no test is served another's answers),
    and its runs may read inboxes in its own temporary folder only."""
    path = tmp_path / "llm_answers.sqlite3"
    monkeypatch.setenv("EXTRACTION_CACHE_PATH", str(path))
    monkeypatch.setenv("EXTRACTION_ALLOWED_ROOTS", str(tmp_path))
    return path


@pytest.fixture
def scripted_llm(monkeypatch):
    """Start a scripted OpenAI-compatible server (a test double) and point the pipeline at it."""
    servers = []

    def start(responder: Responder, model: str = "gpt-4o-mini", embeddings: bool = True) -> ScriptedLLMServer:
        server = ScriptedLLMServer(responder, embeddings=embeddings).__enter__()
        servers.append(server)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("EXTRACTION_MODEL", model)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def mixed_inbox(tmp_path):
    """One document per outcome: plain, fenced and HTML answers that pass, a cut-off answer, an answer
    that is no JSON, and an empty file that is rejected before extraction."""
    return write_inbox(
        tmp_path / "inbox",
        {
            "plain.txt": receipt_text("P", "PLAIN"),
            "fenced.md": "# " + receipt_text("F", "FENCED"),
            "wrong.html": "<p>" + receipt_text("W", "WRONGTYPE").replace("\n", "</p><p>") + "</p>",
            "cut.txt": receipt_text("L", "LONG"),
            "nonsense.txt": receipt_text("N", "NONSENSE"),
            "empty.txt": "",
            "gold.jsonl": json.dumps({"id": "plain", "fields": GOLD_PLAIN}) + "\n",
        },
    )


@pytest.fixture
def receipts_inbox(tmp_path):
    """Three receipts of one shop that differ only in a reference line."""
    return write_inbox(
        tmp_path / "inbox", {f"r{i}.txt": receipt_text("T", f"REF {i}") for i in range(RECEIPTS_IN_INBOX)}
    )


@pytest.fixture
def watched_inbox(tmp_path, monkeypatch):
    """An empty inbox the sensor, the schedule and the job read through the environment."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("EXTRACTION_INBOX", str(folder))
    monkeypatch.setenv("EXTRACTION_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("EXTRACTION_SETTLE_S", "5")
    return folder
