"""Asset values stored per run, so concurrent runs cannot read each other's intermediate values.

Dagster's default filesystem IO manager keeps one file per asset: when a sensor batch and the
nightly run overlap, one run's `llm_extractions` can load the other run's `raw_documents` (we saw it
happen: a batch of 8 files was extracted as the other run's 2). Here a value is written under its
run id; a step loads its own run's value when there is one, else the latest materialization's.
"""

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Optional

import dagster as dg
from pydantic import Field


class RunScopedPickleIOManager(dg.ConfigurableIOManager):
    base_dir: Optional[str] = Field(
        default=None, description="default $DAGSTER_HOME/storage (the instance's storage folder)"
    )

    def _path(self, context: dg.InputContext | dg.OutputContext, run_id: str) -> Path:
        base = Path(self.base_dir or context.step_context.instance.storage_directory())
        return base.joinpath("runs", run_id, *context.asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        path = self._path(context, context.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        context.add_output_metadata({"stored_at": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> Any:
        own = self._path(context, context.step_context.run_id)
        if own.exists():
            path = own
        else:
            event = context.step_context.instance.get_latest_materialization_event(context.asset_key)
            if event is None:
                raise dg.Failure(f"{context.asset_key.to_user_string()} has never been materialized")
            path = self._path(context, event.run_id)
        with open(path, "rb") as fh:
            return pickle.load(fh)
