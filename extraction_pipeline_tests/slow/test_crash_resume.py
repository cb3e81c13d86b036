"""SIGKILL in the middle of the LLM step, then run again: nothing paid for is paid for twice, every
document is processed once in the end, and no output file is ever half-written."""

import os
import signal
import subprocess
import time

from extraction_pipeline.llm.cache import AnswerCache
from extraction_pipeline_tests.support.helpers import answer, cli_command, read_delta, receipt_text
from extraction_pipeline_tests.support.scripted_llm_server import Reply

DOCS = 12


def start_run(inbox, out):
    return subprocess.Popen(
        cli_command(inbox, out, "--json"),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        # A killed CLI cannot remove its temporary Dagster home: it is left in the test's folder.
        env={**os.environ, "EXTRACTION_MAX_CONCURRENCY": "2", "TMPDIR": str(inbox.parent)},
    )  # fmt: skip


def test_a_killed_run_resumes_without_paying_twice(scripted_llm, isolated_answer_cache, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    server = scripted_llm(lambda req: Reply(answer("K"), delay_s=0.3))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for i in range(DOCS):
        (inbox / f"r{i:02d}.txt").write_text(receipt_text("K", f"REF {i}"))

    first = start_run(inbox, out)
    deadline = time.monotonic() + 60
    while len(server.requests) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    paid_before_kill = len(AnswerCache(isolated_answer_cache))
    sent_before_kill = len(server.requests)
    assert 0 < paid_before_kill < DOCS

    second = start_run(inbox, out)
    stdout, _ = second.communicate(timeout=120)
    assert second.returncode == 0

    sent_after = len(server.requests) - sent_before_kill
    assert sent_after == DOCS - paid_before_kill  # every answer received before the kill was reused
    records = read_delta(out / "records")
    assert len(records) == DOCS and records.document_id.is_unique
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no half-written file left behind
