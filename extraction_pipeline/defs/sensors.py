"""Start runs when complete new files land in the inbox; the cursor (contents already requested)
lives in Dagster, so a daemon restart neither repeats nor misses a file."""

import time
from pathlib import Path

import dagster as dg

from extraction_pipeline.defs.jobs import extract_documents_job
from extraction_pipeline.documents.inbox_watch import (
    batch_key,
    batches,
    dump_cursor,
    load_cursor,
    new_files,
    settled_files,
)
from extraction_pipeline.settings import Settings


@dg.sensor(
    job=extract_documents_job,
    # Read when the code location loads: Dagster needs the interval with the definition.
    minimum_interval_seconds=Settings.load().sensor_interval_s,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or changed files in the inbox, in batches of up to $EXTRACTION_SENSOR_BATCH_SIZE (50).",
)
def new_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    settings = Settings.load()
    inbox = settings.inbox
    if not inbox.is_dir():
        return dg.SensorResult(skip_reason=f"inbox {inbox} does not exist")
    present = settled_files(inbox, time.time(), settings.settle_s)
    requested = load_cursor(context.cursor)
    fresh = new_files(present, requested)
    runs = [run_request(inbox, batch) for batch in batches(fresh, settings.sensor_batch_size)]
    cursor = dump_cursor(requested | {f.content_id for f in fresh}, present)
    if not runs:
        return dg.SensorResult(skip_reason="no new complete files", cursor=cursor)
    context.log.info(f"{len(fresh)} new files in {len(runs)} runs")
    return dg.SensorResult(run_requests=runs, cursor=cursor)


def run_request(inbox: Path, batch: list) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=batch_key(batch),
        run_config={
            "ops": {"raw_documents": {"config": {"inbox": str(inbox), "paths": [f.relative_path for f in batch]}}}
        },
        tags={"extraction/trigger": "new_files", "extraction/documents": str(len(batch))},
    )
