"""The one job that runs the whole graph; the UI, the sensor and the schedule all launch it."""

import dagster as dg

from extraction_pipeline.defs.assets import GROUP

extract_documents_job = dg.define_asset_job(
    "extract_documents",
    selection=dg.AssetSelection.groups(GROUP),
    description="Read the inbox (or the files in raw_documents' `paths`), extract, validate, and report.",
)
