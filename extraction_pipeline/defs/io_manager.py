"""Asset values stored per run, so concurrent runs cannot read each other's intermediate values.

Dagster's default filesystem IO manager keeps one file per asset: when a sensor batch and the
nightly run overlap, one run's `llm_extractions` can load the other run's `raw_documents` (we saw it
happen: a batch of 8 files was extracted as the other run's 2). Here a value is written under its
run id. A step loads its own run's value; in a re-execution ("re-run from failure") the value of a
step that was not run again comes from the run it re-executes (and that run's parent, and so on);
only an asset materialized alone falls back to its latest materialization's value.

The folder is local ($DAGSTER_HOME/storage) or any fsspec location (`base_dir: s3://bucket/dagster`,
with s3fs, gcsfs or adlfs installed), so run workers on different machines share it.
"""

import os
import pickle
import tempfile
from typing import Any, Iterator, Optional

import dagster as dg
from pydantic import Field
from upath import UPath


class RunScopedPickleIOManager(dg.ConfigurableIOManager):
    base_dir: Optional[str] = Field(
        default=None,
        description="a folder or a URI (s3://, gs://, az://); default $DAGSTER_HOME/storage (the instance's)",
    )

    def _path(self, context: dg.InputContext | dg.OutputContext, run_id: str) -> UPath:
        base = UPath(self.base_dir or context.step_context.instance.storage_directory())
        return base.joinpath("runs", run_id, *context.asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        path = self._path(context, context.run_id)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        if path.protocol in ("", "file", "local"):  # a reader never sees half a file
            folder = os.fspath(path.parent)
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, os.fspath(path))
        else:  # one PUT: object stores replace an object whole
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        context.add_output_metadata({"stored_at": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> Any:
        instance = context.step_context.instance
        for run_id in _lineage(instance, context.step_context.dagster_run):
            path = self._path(context, run_id)
            if path.exists():
                return pickle.loads(path.read_bytes())
        event = instance.get_latest_materialization_event(context.asset_key)
        if event is None:
            raise dg.Failure(f"{context.asset_key.to_user_string()} has never been materialized")
        return pickle.loads(self._path(context, event.run_id).read_bytes())


def _lineage(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Iterator[str]:
    """This run's id, then the runs it re-executes, newest first."""
    while run is not None:
        yield run.run_id
        run = instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
