"""The output tables on object storage: several runs at once (separate processes, as separate
machines would be) write into Delta tables in an S3 bucket, served by moto's S3-compatible server
(a test double for S3, on loopback), with no lock but Delta's own commits."""

import os
import subprocess

import pytest

from extraction_pipeline.storage.tables import read_table
from extraction_pipeline_tests.support.helpers import answer, cli_command, overlapping_inboxes, receipt_text
from extraction_pipeline_tests.support.s3_server import s3_server
from extraction_pipeline_tests.support.scripted_llm_server import Reply

RUNS, DOCS = 3, 12


@pytest.fixture
def s3_bucket(monkeypatch):
    """A bucket on a moto S3 server of this test's own; the AWS_* variables point deltalake at it."""
    with s3_server("tables") as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield "s3://tables/extraction"


def test_runs_at_once_write_every_document_once_into_tables_on_s3(
    s3_bucket, scripted_llm, isolated_answer_cache, tmp_path, monkeypatch
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("EXTRACTION_TABLES_URI", s3_bucket)
    scripted_llm(lambda req: Reply(answer("S3"), delay_s=0.05))
    distinct = (RUNS + 1) * DOCS // 2
    pool = tmp_path / "pool"
    pool.mkdir()
    names = [f"r{i:03d}.txt" for i in range(distinct)]
    for i, name in enumerate(names):
        (pool / name).write_text(receipt_text("S3", f"REF {i}"))
    procs = [
        subprocess.Popen(
            cli_command(inbox, tmp_path / f"out{r}", "--json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for r, inbox in enumerate(overlapping_inboxes(tmp_path, pool, RUNS, DOCS))
    ]
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr[-2000:]
        assert f'"records_path": "{s3_bucket}/records"' in stdout

    records = read_table(s3_bucket, "records")
    assert records.document_id.is_unique and len(records) == distinct
    assert sorted(os.path.basename(p) for p in records.source_path) == names
    assert not any((tmp_path / f"out{r}" / "records").exists() for r in range(RUNS))  # nothing on local disk
