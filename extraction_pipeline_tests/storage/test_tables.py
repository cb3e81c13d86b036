"""The output tables: written atomically by any number of writers, and never merged into a table
whose key is gone (that used to drop every earlier row but one, silently)."""

import threading
from decimal import Decimal

import dagster as dg
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from extraction_pipeline.defs.resources import LLMResource, OutputStorage, QualityThresholds
from extraction_pipeline.storage.tables import TableSchemaError, _merge, read_table, update_tables, write_text_atomic
from extraction_pipeline_tests.support.helpers import ASSETS, echo, read_delta, receipt_text, write_inbox


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


def frame(ids, **extra):
    return pd.DataFrame(
        {
            "document_id": ids,
            "source_path": [f"{i}.txt" for i in ids],
            "extracted_at": pd.Timestamp.now(tz="UTC"),
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (pd.DataFrame({"doc_id": ["a", "b"], "source_path": ["x", "y"], "extracted_at": ["t", "t"]}), "missing"),
        (pd.DataFrame({"document_id": ["a", "a"], "source_path": ["x", "y"], "extracted_at": ["t", "t"]}), "repeated"),
    ],
)
def test_a_table_without_a_sound_key_is_refused_by_name(tmp_path, table, problem):
    write_deltalake(str(tmp_path / "records"), pa.Table.from_pandas(table, preserve_index=False))
    with pytest.raises(TableSchemaError, match=rf"records.*{problem}"):
        read_table(tmp_path, "records")


def test_runs_merge_on_document_id_and_every_version_stays_readable(tmp_path):
    update_tables(tmp_path, frame(["a", "b"], total=[Decimal("1.50"), Decimal("2")]), frame([]), run_id="run-1")
    # b fails now: it moves to quarantine; c is new; a is extracted again with another value.
    update_tables(
        tmp_path, frame(["a", "c"], total=[Decimal("9.99"), Decimal("1591600")]), frame(["b"]), run_id="run-2"
    )

    records = read_delta(tmp_path / "records").set_index("document_id").sort_index()
    assert list(records.index) == ["a", "c"] and list(records.total) == [Decimal("9.99"), Decimal("1591600")]
    assert list(read_delta(tmp_path / "quarantine").document_id) == ["b"]
    history = DeltaTable(str(tmp_path / "records")).history()
    assert list(dict.fromkeys(h.get("dagster_run_id") for h in history)) == ["run-2", "run-1"]  # newest first
    before = DeltaTable(str(tmp_path / "records"), version=0).to_pandas()
    assert sorted(before.document_id) == ["a", "b"]  # what the table held before the second run


def test_parquet_tables_of_earlier_versions_are_imported_once_not_dropped(tmp_path):
    frame(["old1", "old2"], total=[1.0, 2.0]).to_parquet(tmp_path / "records.parquet")
    frame(["bad"], reason=["x"]).to_parquet(tmp_path / "quarantine.parquet")

    update_tables(tmp_path, frame(["new"], total=[3.0]), frame([]))

    assert sorted(read_delta(tmp_path / "records").document_id) == ["new", "old1", "old2"]
    assert list(read_delta(tmp_path / "quarantine").document_id) == ["bad"]
    assert (tmp_path / "records.parquet.imported").exists() and not (tmp_path / "records.parquet").exists()
    assert DeltaTable(str(tmp_path / "records")).history()[-1].get("imported_from") == "records.parquet"


def race(location, id_sets: list[list[str]]) -> list[Exception]:
    """One thread per id set, released together, each merging its rows into `location`'s records
    without the file lock (as on object storage, where no file lock reaches)."""
    start = threading.Barrier(len(id_sets))
    errors = []

    def write(ids):
        try:
            start.wait()
            _merge(location, "records", frame(ids), ("document_id",), drop_ids=set())
        except Exception as exc:  # noqa: BLE001 - the callers assert on it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(ids,)) for ids in id_sets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_writers_that_race_without_a_lock_lose_no_row(tmp_path):
    """Delta's optimistic commits alone: every writer's rows survive, each lost race retried on the
    newer version."""
    _merge(tmp_path, "records", frame(["seed"]), ("document_id",), drop_ids=set())
    errors = race(tmp_path, [[f"w{n}-{i}" for i in range(5)] for n in range(6)])
    records = read_delta(tmp_path / "records")
    assert errors == [] and len(records) == 31 and records.document_id.is_unique


def test_writers_that_race_to_create_a_table_store_each_shared_row_once(tmp_path):
    """Runs starting at once over overlapping inboxes all find no table and all try to create it:
    the losers merge into the winner's table (deltalake's own retry once committed them on top, so
    every shared row was stored twice). Repeated, since the race is not won the same way each time."""
    for round_ in range(5):
        errors = race(tmp_path / str(round_), [[f"d{i}" for i in range(n, n + 6)] for n in range(4)])
        records = read_delta(tmp_path / str(round_) / "records")
        assert errors == []
        assert sorted(records.document_id) == [f"d{i}" for i in range(9)]


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
        renamed = read_delta(out / "records").rename(columns={"document_id": "id"})
        write_deltalake(
            str(out / "records"), pa.Table.from_pandas(renamed, preserve_index=False), mode="overwrite",
            schema_mode="overwrite",
        )  # fmt: skip
        versions = {name: DeltaTable(str(out / name)).version() for name in ("records", "quarantine")}
        (inbox / "r3.txt").write_text(receipt_text("K3"))
        result = dg.materialize(
            ASSETS, instance=instance, resources=resources, run_config=run_config, raise_on_error=False
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error = str(failure.event_specific_data.error)
    assert "records" in error and "document_id" in error
    assert {name: DeltaTable(str(out / name)).version() for name in versions} == versions
