"""Several runs at once into one output folder (sensor batches, the nightly run, a UI run): every
document ends up in the tables exactly once, none lost, none twice. Real CLI processes."""

import os
import subprocess

import pandas as pd

from extraction_pipeline_tests.support.helpers import answer, cli_command, overlapping_inboxes, read_delta, receipt_text
from extraction_pipeline_tests.support.scripted_llm_server import Reply

RUNS, DOCS = 3, 16


def test_overlapping_runs_at_once_write_every_document_exactly_once(
    scripted_llm, isolated_answer_cache, tmp_path, monkeypatch
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    # The documents with "REF 5" get no JSON, however often asked: quarantined, so both tables are
    # written concurrently.
    scripted_llm(lambda req: Reply("no JSON here" if "REF 5" in str(req) else answer("C"), delay_s=0.1))
    pool = tmp_path / "pool"
    pool.mkdir()
    distinct = (RUNS + 1) * DOCS // 2
    names = [f"r{i:03d}.txt" for i in range(distinct)]
    for i, name in enumerate(names):
        (pool / name).write_text(receipt_text("C", f"REF {i % 10} {i}"))
    procs = [
        subprocess.Popen(
            cli_command(inbox, tmp_path / "out", "--json"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for inbox in overlapping_inboxes(tmp_path, pool, RUNS, DOCS)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr[-2000:]

    records = read_delta(tmp_path / "out" / "records")
    quarantine = read_delta(tmp_path / "out" / "quarantine")
    both = pd.concat([records.document_id, quarantine.document_id])
    assert len(quarantine) > 0 and len(records) > 0
    assert both.is_unique and len(both) == distinct
    assert sorted(os.path.basename(p) for p in pd.concat([records.source_path, quarantine.source_path])) == names
