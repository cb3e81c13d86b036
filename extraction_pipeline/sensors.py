"""Start runs when complete new files land in the inbox; the cursor (contents already requested)
lives in Dagster, so a daemon restart neither repeats nor misses a file."""

import time
from pathlib import Path

import dagster as dg

from .assets import default_inbox
from .inbox_watch import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SETTLE_S,
    batch_key,
    batches,
    dump_cursor,
    load_cursor,
    new_files,
    settled_files,
)
from .jobs import extract_documents_job
from .settings import env_number

SENSOR_INTERVAL_S = env_number("EXTRACTION_SENSOR_INTERVAL_S", int, 30)


@dg.sensor(
    job=extract_documents_job,
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or changed files in the inbox, in batches of up to $EXTRACTION_SENSOR_BATCH_SIZE (50).",
)
def new_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    inbox = default_inbox()
    if not inbox.is_dir():
        return dg.SensorResult(skip_reason=f"inbox {inbox} does not exist")
    settle_s = env_number("EXTRACTION_SETTLE_S", float, DEFAULT_SETTLE_S)
    present = settled_files(inbox, time.time(), settle_s)
    requested = load_cursor(context.cursor)
    fresh = new_files(present, requested)
    size = env_number("EXTRACTION_SENSOR_BATCH_SIZE", int, DEFAULT_BATCH_SIZE)
    runs = [run_request(inbox, batch) for batch in batches(fresh, size)]
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
