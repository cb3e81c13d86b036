"""The answer cache and the near-duplicate index in PostgreSQL, shared by machines: a second
"machine" (another process, with an empty disk of its own) pays for no answer the first one got."""

import json
import os
import subprocess

import sqlalchemy as sa

from extraction_pipeline_tests.support.helpers import answer, cli_command, receipt_text
from extraction_pipeline_tests.support.postgres_server import postgres_server
from extraction_pipeline_tests.support.scripted_llm_server import Reply

DOCS = 6


def run_on_machine(disk, inbox, cache_url):
    """The CLI in a process of its own whose files (cache, output, Dagster home) are all on `disk`."""
    disk.mkdir()
    env = {
        **os.environ,
        "EXTRACTION_CACHE_URL": cache_url,
        "EXTRACTION_CACHE_PATH": str(disk / "cache" / "llm_answers.sqlite3"),
        "EXTRACTION_NEAR_DUPLICATES": "1",
        "DAGSTER_HOME": str(disk / "dagster_home"),
    }
    done = subprocess.run(
        cli_command(inbox, disk / "output", "--json"),
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (disk / "cache").exists()  # nothing cached on the local disk
    return json.loads(done.stdout.splitlines()[-1])


def test_a_second_machine_makes_no_call_for_answers_the_first_one_paid_for(scripted_llm, tmp_path, monkeypatch):
    server = scripted_llm(lambda req: Reply(answer("PG")))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(DOCS):
        (inbox / f"r{i}.txt").write_text(receipt_text("PG", f"REF {i}" * (i + 1)))
    monkeypatch.setenv("EXTRACTION_ALLOWED_ROOTS", str(tmp_path))

    with postgres_server() as pg:
        url = f"postgresql://{pg['DAGSTER_PG_USER']}@{pg['DAGSTER_PG_HOST']}:{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
        first = run_on_machine(tmp_path / "machine1", inbox, url)
        calls_first = len(server.requests)
        second = run_on_machine(tmp_path / "machine2", inbox, url)

        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
        with engine.connect() as conn:
            answers = conn.execute(sa.text("SELECT COUNT(*) FROM answers")).scalar_one()
            indexed = conn.execute(sa.text("SELECT COUNT(*) FROM near_duplicates")).scalar_one()
        engine.dispose()

    assert first["records"] == DOCS and calls_first == first["llm_calls"] == DOCS
    assert second["records"] == DOCS
    assert len(server.requests) == calls_first  # the second machine sent nothing
    assert second["cache_hits"] == DOCS
    assert answers == DOCS and indexed == DOCS
    print(
        f"second-machine cache: first machine {calls_first} calls, second machine {len(server.requests) - calls_first}"
    )
