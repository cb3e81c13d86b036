"""The real webserver and daemon: files dropped into the inbox become records through the sensor."""

import statistics
import time

from extraction_pipeline.documents.reading import document_id
from extraction_pipeline.storage.tables import read_table
from extraction_pipeline_tests.support.dagster_dev import dagster_dev
from extraction_pipeline_tests.support.helpers import echo, receipt_text
from extraction_pipeline_tests.support.scripted_llm_server import Reply

FILES = 10


def test_files_landing_in_the_inbox_become_records_via_the_sensor(
    scripted_llm, tmp_path, isolated_answer_cache, monkeypatch
):
    server = scripted_llm(lambda req: Reply(echo(req).content, delay_s=0.5))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    env = {
        "EXTRACTION_INBOX": str(inbox),
        "EXTRACTION_OUTPUT_DIR": str(out),
        "EXTRACTION_SENSOR_INTERVAL_S": "5",
        "EXTRACTION_SETTLE_S": "1",
        "EXTRACTION_RPM": "0",
    }
    landed: dict[str, float] = {}
    with dagster_dev(tmp_path / "home", env):
        for i in range(FILES):
            text = receipt_text(f"E{i}")
            (inbox / f"r{i}.txt").write_text(text)
            landed[document_id(text.encode())] = time.time()
            time.sleep(1.0)
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 240
        while len(seen) < FILES and time.monotonic() < deadline:
            records = read_table(out, "records")  # None until the first commit lands
            for doc in [] if records is None else records.document_id:
                seen.setdefault(doc, time.time())
            time.sleep(0.5)
    assert set(seen) == set(landed)
    latencies = [seen[d] - landed[d] for d in landed]
    print(f"\nfile landed -> record in validated_records: median {statistics.median(latencies):.1f} s, "
          f"max {max(latencies):.1f} s over {FILES} files")  # fmt: skip
    assert len(server.requests) == FILES  # each file extracted exactly once
