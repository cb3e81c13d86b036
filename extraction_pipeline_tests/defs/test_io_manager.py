"""Intermediate values: each run reads its own, a re-execution reads the values of the run it
re-executes (not a newer run's), and the store may be any fsspec location, not only local disk."""

import os
import pickle

import dagster as dg
import pytest
from upath import UPath

from extraction_pipeline.defs.io_manager import RunScopedPickleIOManager


@dg.asset
def numbers(context: dg.AssetExecutionContext) -> list[int]:
    return [int(context.run.tags["n"])]


@dg.asset
def total(numbers: list[int]) -> int:
    if os.environ.get("TOTAL_FAILS") == "1":
        raise RuntimeError("failing on purpose")
    return sum(numbers)


def _job(base_dir: str | dg.EnvVar) -> dg.JobDefinition:
    defs = dg.Definitions(
        assets=[numbers, total],
        jobs=[dg.define_asset_job("sums", executor_def=dg.in_process_executor)],
        resources={"io_manager": RunScopedPickleIOManager(base_dir=base_dir)},
    )
    return defs.resolve_job_def("sums")


# Built at import (a test that ran before could leave Dagster's definitions-loading state behind);
# handed out by module-level functions, so Dagster can rebuild them in a re-execution.
LOCAL_JOB = _job(dg.EnvVar("IO_BASE_DIR"))
OBJECT_STORAGE_JOB = _job("memory://dagster-test")  # fsspec's in-memory filesystem, as s3:// with s3fs


def job_on_local_disk() -> dg.JobDefinition:
    return LOCAL_JOB


def job_on_object_storage() -> dg.JobDefinition:
    return OBJECT_STORAGE_JOB


def stored_total(instance, run_id) -> int:
    event = instance.get_latest_materialization_event(dg.AssetKey("total"))
    assert event.run_id == run_id
    return event.asset_materialization.metadata["stored_at"].value


@pytest.mark.parametrize("base", ["local", "memory"])
def test_a_reexecution_reads_its_parent_runs_values_not_a_newer_runs(base, tmp_path, monkeypatch):
    monkeypatch.setenv("IO_BASE_DIR", str(tmp_path / "store"))
    job = dg.reconstructable(job_on_local_disk if base == "local" else job_on_object_storage)
    with dg.instance_for_test() as instance:
        monkeypatch.setenv("TOTAL_FAILS", "1")
        first = dg.execute_job(job, instance, tags={"n": "1"}, raise_on_error=False)
        assert not first.success
        # Another run materializes `numbers` meanwhile: the latest materialization is now 5.
        newer = dg.execute_job(job, instance, tags={"n": "5"}, asset_selection=[dg.AssetKey("numbers")])
        assert newer.success
        monkeypatch.setenv("TOTAL_FAILS", "0")
        options = dg.ReexecutionOptions.from_failure(first.run_id, instance)
        again = dg.execute_job(job, instance, reexecution_options=options)
        assert again.success
        stored = stored_total(instance, again.run_id)
    assert again.run_id in stored and (base == "local" or stored.startswith("memory://"))
    assert pickle.loads(UPath(stored).read_bytes()) == 1  # the parent's numbers, not the newer run's
