"""The code location that `dagster dev -w workspace.yaml`, the daemon and the CLI load.

Every module of `defs/` is loaded and its assets, checks, jobs, sensors and schedules collected, as
current Dagster projects do; the resources come from `defs/resources.py`'s `@definitions` function.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
