"""The nightly run over the whole inbox. The answer cache makes it free where nothing changed; it
re-extracts what a prompt, schema or model change invalidated, retries quarantined documents (with
$EXTRACTION_RETRY_MODEL where set), picks up anything the sensor missed and refreshes the report."""

import dagster as dg

from extraction_pipeline.defs.jobs import extract_documents_job
from extraction_pipeline.settings import Settings

# Read when the code location loads: Dagster needs the cron string with the definition.
_settings = Settings.load()

nightly_extraction = dg.ScheduleDefinition(
    name="nightly_extraction",
    job=extract_documents_job,
    cron_schedule=_settings.nightly_cron,
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"extraction/trigger": "nightly"},
    description="Whole inbox at 02:00 ($EXTRACTION_NIGHTLY_CRON, $EXTRACTION_TIMEZONE).",
)
