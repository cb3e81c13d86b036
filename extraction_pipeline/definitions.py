"""The code location: `dagster dev -w workspace.yaml` and the CLI both load these definitions."""

import dagster as dg

from .assets import ASSETS
from .checks import CHECKS, QualityThresholds
from .io_manager import RunScopedPickleIOManager
from .jobs import extract_documents_job
from .resources import LLMResource, OutputStorage
from .schedules import nightly_extraction
from .sensors import new_files_sensor

RESOURCES = {
    "llm": LLMResource(),
    "storage": OutputStorage(),
    "thresholds": QualityThresholds(),
    "io_manager": RunScopedPickleIOManager(),
}

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    resources=RESOURCES,
    jobs=[extract_documents_job],
    sensors=[new_files_sensor],
    schedules=[nightly_extraction],
)
