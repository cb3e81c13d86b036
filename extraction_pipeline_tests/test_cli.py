"""The command line drives the same asset graph; scripts read its JSON."""

import json
import os
import subprocess

from extraction_pipeline.cli import RUN_FAILED
from extraction_pipeline_tests.support.helpers import answer, cli_command, receipt_text, write_inbox
from extraction_pipeline_tests.support.scripted_llm_server import Reply


def run_cli(inbox, out, *flags: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cli_command(inbox, out, *flags), capture_output=True, text=True, timeout=120, env=env)


def test_run_json_reports_paths_counts_tokens_and_cost(scripted_llm, tmp_path, monkeypatch):
    scripted_llm(lambda req: Reply(answer("C")))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(receipt_text("C", "A"))
    (inbox / "b.txt").write_text(receipt_text("C", "B"))
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    proc = run_cli(inbox, tmp_path / "out", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["documents"], summary["rejected"], summary["records"], summary["quarantined"]) == (3, 1, 2, 0)
    assert summary["records_path"] == str(tmp_path / "out" / "records")
    assert summary["llm_calls"] == 2 and summary["input_tokens"] == 200 and summary["cost_usd"] > 0
    # one structured line per LLM call on stderr, with no key in it
    calls = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith('{"event": "llm_call"')]
    assert len(calls) == 2 and all(c["model"] == "gpt-4o-mini" for c in calls)
    assert "sk-test-not-a-real-key" not in proc.stderr + proc.stdout


def test_run_creates_a_missing_dagster_home_keeps_telemetry_off_and_logs_each_call_once(scripted_llm, tmp_path):
    scripted_llm(lambda req: Reply(answer("C")))
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": receipt_text("C", "A"), "b.txt": receipt_text("C", "B")})
    home = tmp_path / "not" / "yet" / "there"
    proc = run_cli(inbox, tmp_path / "out", env={**os.environ, "DAGSTER_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    assert "telemetry:\n  enabled: false" in (home / "dagster.yaml").read_text()
    assert "Telemetry" not in proc.stderr + proc.stdout
    assert proc.stderr.count('"event": "llm_call"') == 2  # two documents, two calls, each printed once
    assert "2 records" in proc.stdout


def test_a_run_where_every_call_is_refused_exits_non_zero_with_one_line_saying_why(scripted_llm, tmp_path):
    refused = b'{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}'
    scripted_llm(lambda req: Reply(status=401, body=refused))
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": receipt_text("C", "A"), "b.txt": receipt_text("C", "B")})
    without_home = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    proc = run_cli(inbox, tmp_path / "out", "--json", env=without_home)
    assert proc.returncode == RUN_FAILED, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert (summary["records"], summary["quarantined"]) == (0, 2)
    why = [line for line in proc.stderr.splitlines() if line.startswith("no document produced a record")]
    assert len(why) == 1 and "auth" in why[0] and "401" in why[0]


def test_a_run_whose_step_fails_ends_with_the_step_and_the_root_cause(scripted_llm, tmp_path):
    """The trace runs to pages; a terminal, or a CI log cut to its last lines, shows the last line."""
    scripted_llm(lambda req: Reply(answer("C")))
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": receipt_text("C", "A")})
    cache = tmp_path / "a-folder.sqlite3"
    cache.mkdir()  # SQLite cannot open a folder as its file
    env = {**os.environ, "EXTRACTION_CACHE_PATH": str(cache), "DAGSTER_HOME": str(tmp_path / "home")}
    proc = run_cli(inbox, tmp_path / "out", env=env)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert "failed in llm_extractions: sqlite3.OperationalError: unable to open database file" in last


def test_a_server_that_echoes_keys_leaves_them_in_no_output_cache_or_dagster_storage(scripted_llm, tmp_path):
    key, other = "sk-test-not-a-real-key", "AKIAIOSFODNN7EXAMPLE"

    def echo_keys(request):
        record = json.loads(answer("C"))
        record["address"] = f"1 JALAN C {key} {other}"  # not in the document: re-asked, then flagged
        return Reply(json.dumps(record) + f" (your key is {key})")

    server = scripted_llm(echo_keys)
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": receipt_text("C", "A")})
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    proc = run_cli(inbox, tmp_path / "out", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(server.requests) >= 1 and key not in proc.stdout + proc.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("records" in p.parts and p.suffix == ".parquet" for p in written) and any(
        p.suffix == ".sqlite3" for p in written
    )
    leaks = [p for p in written if key.encode() in p.read_bytes() or other.encode() in p.read_bytes()]
    assert leaks == []


def test_runs_started_at_once_on_a_new_dagster_home_all_finish(scripted_llm, tmp_path):
    """Each used to create the SQLite schema itself; one in four or so crashed in alembic."""
    scripted_llm(lambda req: Reply(answer("C")))
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": receipt_text("C", "A")})
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "new-home")}
    runs = [
        subprocess.Popen(
            cli_command(inbox, tmp_path / f"out{i}"),
            env={**env, "EXTRACTION_CACHE_PATH": str(tmp_path / f"cache{i}.sqlite3")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    outcomes = [(run.wait(), err) for run in runs for _, err in [run.communicate(timeout=180)]]
    assert [code for code, _ in outcomes] == [0, 0, 0], [err[-1500:] for _, err in outcomes]
