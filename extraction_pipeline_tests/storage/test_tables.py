"""The output tables: written atomically by any number of writers, and never merged into a table
whose key is gone (that used to drop every earlier row but one, silently)."""

import threading

import dagster as dg
import pandas as pd
import pytest

from extraction_pipeline.defs.resources import LLMResource, OutputStorage, QualityThresholds
from extraction_pipeline.storage.tables import TableSchemaError, read_table, write_text_atomic
from extraction_pipeline_tests.support.helpers import ASSETS, echo, receipt_text, write_inbox


def test_writers_racing_on_one_file_each_replace_it_whole(tmp_path):
    target, errors = tmp_path / "quality_report.md", []
    texts = [f"report {n}\n" * 200 for n in range(8)]

    def write(text):
        try:
            for _ in range(30):
                write_text_atomic(text, target)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and target.read_text() in texts
    assert [p.name for p in tmp_path.iterdir()] == ["quality_report.md"]  # no temp file left behind


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (pd.DataFrame({"doc_id": ["a", "b"], "source_path": ["x", "y"], "extracted_at": ["t", "t"]}), "missing"),
        (pd.DataFrame({"document_id": ["a", "a"], "source_path": ["x", "y"], "extracted_at": ["t", "t"]}), "repeated"),
    ],
)
def test_a_table_without_a_sound_key_is_refused_by_name(tmp_path, frame, problem):
    path = tmp_path / "records.parquet"
    frame.to_parquet(path)
    with pytest.raises(TableSchemaError, match=rf"records.parquet.*{problem}"):
        read_table(path)


def test_a_renamed_key_column_stops_the_run_before_anything_is_written(scripted_llm, tmp_path):
    scripted_llm(echo)
    inbox = write_inbox(tmp_path / "inbox", {f"r{i}.txt": receipt_text(f"K{i}") for i in range(3)})
    out = tmp_path / "out"
    resources = {
        "llm": LLMResource(max_retries=0),
        "storage": OutputStorage(output_dir=str(out)),
        "thresholds": QualityThresholds(),
    }
    run_config = {"ops": {"raw_documents": {"config": {"inbox": str(inbox)}}}}
    with dg.instance_for_test() as instance:
        assert dg.materialize(ASSETS, instance=instance, resources=resources, run_config=run_config).success
        records = pd.read_parquet(out / "records.parquet").rename(columns={"document_id": "id"})
        records.to_parquet(out / "records.parquet")
        before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
        (inbox / "r3.txt").write_text(receipt_text("K3"))
        result = dg.materialize(
            ASSETS, instance=instance, resources=resources, run_config=run_config, raise_on_error=False
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "records.parquet" in str(failure.event_specific_data.error) and "document_id" in str(
        failure.event_specific_data.error
    )
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
