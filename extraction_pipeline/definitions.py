"""The code location: `dagster dev -w workspace.yaml` and the CLI both load these definitions."""

import dagster as dg

from .assets import ASSETS, GROUP
from .resources import LLMResource, OutputStorage

RESOURCES = {"llm": LLMResource(), "storage": OutputStorage()}

extract_documents_job = dg.define_asset_job(
    "extract_documents",
    selection=dg.AssetSelection.groups(GROUP),
    description="Read the inbox, extract, validate, and report: the whole graph in one run.",
)

defs = dg.Definitions(assets=ASSETS, resources=RESOURCES, jobs=[extract_documents_job])
