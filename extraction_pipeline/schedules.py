"""The nightly run over the whole inbox. The answer cache makes it free where nothing changed; it
re-extracts what a prompt, schema or model change invalidated, retries quarantined documents (with
$EXTRACTION_RETRY_MODEL where set), picks up anything the sensor missed and refreshes the report."""

import os

import dagster as dg

from .jobs import extract_documents_job

nightly_extraction = dg.ScheduleDefinition(
    name="nightly_extraction",
    job=extract_documents_job,
    cron_schedule=os.environ.get("EXTRACTION_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("EXTRACTION_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"extraction/trigger": "nightly"},
    description="Whole inbox at 02:00 ($EXTRACTION_NIGHTLY_CRON, $EXTRACTION_TIMEZONE).",
)
