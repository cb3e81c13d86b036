"""A run killed while it holds the llm_api pool slot does not block the next one, and a run told to
stop (SIGTERM, Ctrl-C) stops at once, leaving no server and no half-written table. Real CLI processes
on a real instance with the shipped single-machine config (a pool of one slot)."""

import os
import signal
import subprocess
import time

import dagster as dg
import pytest

from extraction_pipeline.llm.local_model import DEFAULT_MODEL, server_alive
from extraction_pipeline_tests.support.helpers import SAMPLE_INBOX, answer, cli_command, read_delta, receipt_text
from extraction_pipeline_tests.support.processes import stop_group
from extraction_pipeline_tests.support.scripted_llm_server import Reply

DOCS = 8
EMBEDDED_URL = "http://127.0.0.1:8765/v1"


def start_run(inbox, out, env=None):
    return subprocess.Popen(
        cli_command(inbox, out, "--json"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # A killed CLI cannot remove its temporary Dagster home: it is left in the test's folder.
        env={**os.environ, "EXTRACTION_MAX_CONCURRENCY": "2", "TMPDIR": str(inbox.parent), **(env or {})},
    )  # fmt: skip


def wait_for(condition, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout_s} s for {what}"
        time.sleep(0.05)


def receipts(folder, n=DOCS):
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i:02d}.txt").write_text(receipt_text("K", f"REF {i}"))
    return folder


def test_a_run_killed_holding_the_slot_does_not_block_the_next(
    scripted_llm, isolated_answer_cache, tmp_path, monkeypatch
):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # new: the CLI installs deploy/dagster.yaml there
    server = scripted_llm(lambda req: Reply(answer("K"), delay_s=1.0))
    inbox, out = receipts(tmp_path / "inbox"), tmp_path / "out"

    first = start_run(inbox, out)
    wait_for(lambda: len(server.requests) >= 2, 120, "the first run's calls")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = time.time()

    second = start_run(inbox, out)
    try:
        _, stderr = second.communicate(timeout=180)
    finally:
        stop_group(second, grace_s=5)
    assert second.returncode == 0, stderr[-2000:]

    with dg.DagsterInstance.get() as instance:
        assert "run_monitoring" in (home / "dagster.yaml").read_text() and instance.run_monitoring_enabled
        runs = instance.get_runs()  # newest first
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]
        failure = instance.all_logs(runs[1].run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        assert "is gone" in failure.dagster_event.message
        step_start = next(
            e.timestamp
            for e in instance.all_logs(runs[0].run_id, of_type=dg.DagsterEventType.STEP_START)
            if e.step_key == "llm_extractions"
        )
    print(f"kill-and-continue: the next run held the llm_api slot {step_start - killed_at:.1f} s after the kill")
    records = read_delta(out / "records")
    assert len(records) == DOCS and records.document_id.is_unique


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_ends_a_run_at_once_and_writes_no_table(
    signum, scripted_llm, isolated_answer_cache, tmp_path, monkeypatch
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    server = scripted_llm(lambda req: Reply(answer("K"), delay_s=60))  # calls that would take a minute
    inbox, out = receipts(tmp_path / "inbox"), tmp_path / "out"

    run = start_run(inbox, out)
    try:
        wait_for(lambda: len(server.requests) >= 2, 120, "the run's first calls")
        os.kill(run.pid, signum)  # the CLI itself, as a service manager or a terminal would
        sent = time.monotonic()
        _, stderr = run.communicate(timeout=20)
        stopped_after = time.monotonic() - sent
    finally:
        stop_group(run, grace_s=5)
    assert run.returncode == 130 and "interrupted" in stderr
    assert stopped_after < 10, f"took {stopped_after:.1f} s to stop"
    assert len(server.requests) == 2  # the queued documents were never sent
    assert not (out / "records").exists() and not (out / "quarantine").exists()
    assert not list(tmp_path.glob("**/*.tmp"))


def test_a_killed_run_leaves_no_embedded_server(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DAGSTER_HOME", "EXTRACTION_MODEL"):
        monkeypatch.delenv(var, raising=False)
    assert not server_alive(EMBEDDED_URL, DEFAULT_MODEL.alias), "an embedded server is already running"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.txt").write_text((SAMPLE_INBOX / "X51008142033.txt").read_text())

    run = start_run(inbox, tmp_path / "out")
    try:
        wait_for(lambda: server_alive(EMBEDDED_URL, DEFAULT_MODEL.alias), 240, "the embedded server")
        os.kill(run.pid, signal.SIGKILL)  # no cleanup runs in the CLI
        run.wait()
        wait_for(lambda: not server_alive(EMBEDDED_URL, DEFAULT_MODEL.alias), 30, "the server to stop")
    finally:
        stop_group(run, grace_s=5)
