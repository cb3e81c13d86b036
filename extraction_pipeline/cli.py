"""`extraction-pipeline run|evaluate`: the same asset graph as the UI, driven from a shell or CI."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import dagster as dg

from extraction_pipeline.definitions import defs
from extraction_pipeline.defs.dead_runs import DeadRunWatch
from extraction_pipeline.extraction.batch import RUN_WIDE_KINDS
from extraction_pipeline.llm.secrets import redact
from extraction_pipeline.quality.report import QualityReport
from extraction_pipeline.quality.scoring import load_gold
from extraction_pipeline.scratch import scratch_dir
from extraction_pipeline.settings import SHIPPED_DIR, Settings
from extraction_pipeline.storage.tables import QUARANTINE, RECORDS, table_uri

# A new $DAGSTER_HOME gets the single-machine instance config (telemetry off, the llm_api pool).
INSTANCE_CONFIG = SHIPPED_DIR / "deploy" / "dagster.yaml"
RUN_FAILED = 3  # exit status when a run-wide failure left no record
INTERRUPTED = 130  # as a shell reports Ctrl-C
CALL_LOG = "extraction_pipeline.llm"  # the logger of llm/client.py: one JSON line per call


@dataclass(frozen=True)
class RunSummary:
    """What one run did, for a person (`_print_summary`) or a script (`--json`, these names)."""

    records_path: str
    quarantine_path: str
    report_path: str
    documents: int  # files seen: rejected + records + quarantined
    rejected: int
    records: int
    quarantined: int
    valid_rate: float
    llm_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_known: bool
    latency_p50_s: float
    latency_p95_s: float
    llm_latency_sum_s: float
    llm_http_attempts: int
    llm_retries: int
    llm_throttled: int
    rate_limit_wait_s: float
    cache_hits: int
    cache_saved_cost_usd: float
    cached_input_share: float
    extraction_wall_s: float
    ocr_pages: int
    ocr_seconds: float
    failed_checks: list[str]
    wall_s: float
    seconds_per_document: float
    accuracy: dict[str, float | None] | None = None
    # How each document's type was decided and the documents per type (document_types.* metadata).
    document_types: dict[str, int] = dataclasses.field(default_factory=dict)
    # Set when no document produced a record because of a run-wide failure (auth, connection, budget).
    run_failure: str | None = None

    @classmethod
    def of(
        cls, report: QualityReport, llm: dict[str, Any], output_dir: Path, failed_checks: list[str], wall_s: float
    ) -> RunSummary:
        """From the run's report and the metadata of its llm_extractions materialization."""
        tables = dataclasses.replace(Settings.load(), output_dir=output_dir).tables_location
        c = report.calls
        return cls(
            records_path=table_uri(tables, RECORDS),
            quarantine_path=table_uri(tables, QUARANTINE),
            report_path=str(output_dir / "quality_report.md"),
            documents=report.files_seen,
            rejected=report.rejected,
            records=report.records,
            quarantined=report.quarantined,
            valid_rate=report.valid_rate,
            llm_calls=c.calls,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            cost_usd=c.cost_usd,
            cost_known=c.cost_known,
            latency_p50_s=c.latency_p50_s,
            latency_p95_s=c.latency_p95_s,
            llm_latency_sum_s=c.latency_sum_s,
            llm_http_attempts=llm.get("llm.http_attempts", 0),
            llm_retries=llm.get("llm.retries", 0),
            llm_throttled=llm.get("llm.throttled_responses", 0),
            rate_limit_wait_s=llm.get("llm.rate_limit_wait_s", 0.0),
            cache_hits=c.cache_hits,
            cache_saved_cost_usd=llm.get("cache.saved_cost_usd", 0.0),
            cached_input_share=c.cached_input_share,
            extraction_wall_s=llm["latency_s"],
            ocr_pages=report.ocr.pages,
            ocr_seconds=report.ocr.seconds,
            failed_checks=failed_checks,
            wall_s=wall_s,
            seconds_per_document=wall_s / report.documents if report.documents else 0.0,
            accuracy=report.accuracy["per_field"] if report.accuracy is not None else None,
            document_types={
                k.removeprefix("document_types."): v for k, v in llm.items() if k.startswith("document_types.")
            },
            run_failure=run_failure(report),
        )


def run_failure(report: QualityReport) -> str | None:
    """One line saying why nothing was extracted, when the cause was the run's, not the documents'."""
    kinds = set(report.quarantine_by_kind)
    if report.records or not report.quarantine or not kinds <= RUN_WIDE_KINDS:
        return None
    first = report.quarantine[0]
    return f"no document produced a record: {first['error_kind']}: {first['reason']}"


@contextlib.contextmanager
def _instance() -> Iterator[dg.DagsterInstance]:
    """The instance at $DAGSTER_HOME (run history kept; created with the shipped single-machine
    config when the folder is new), or a temporary one removed afterwards (scratch.py). Telemetry stays off."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        with _created_once(Path(home)) as instance:
            yield instance
    else:
        with (
            scratch_dir("dagster-home-") as tmp,
            dg.DagsterInstance.local_temp(str(tmp), overrides={"telemetry": {"enabled": False}}) as instance,
        ):
            yield instance


@contextlib.contextmanager
def _created_once(home: Path) -> Iterator[dg.DagsterInstance]:
    """The instance at `home`, its config and storage created by one process at a time: two runs
    started at once on a new folder both created the SQLite schema, and one crashed in alembic."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".instance-init.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            config = home / "dagster.yaml"
            if not config.exists():
                shutil.copyfile(INSTANCE_CONFIG, config)
            instance = dg.DagsterInstance.get()
            instance.get_runs(limit=1)  # the run, event-log and schedule storages now exist
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    with instance:
        yield instance


@contextlib.contextmanager
def _calls_on_stderr(instance: dg.DagsterInstance) -> Iterator[None]:
    """One JSON line per LLM call on stderr (stdout stays clean for --json), printed once: an instance
    that captures the call log (deploy/dagster.yaml does) already prints it on Dagster's console."""
    llm_log = logging.getLogger(CALL_LOG)
    llm_log.setLevel(logging.INFO)
    if CALL_LOG in instance.managed_python_loggers:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    llm_log.addHandler(handler)
    try:
        yield
    finally:
        llm_log.removeHandler(handler)


def run_pipeline(
    inbox: Path, output_dir: Path | None = None, document_type: str = "auto", gold_path: Path | None = None
) -> RunSummary:
    """Run the `extract_documents` job (the one the UI, sensor and schedule launch) once over `inbox`."""
    output_dir = output_dir or Settings.load().output_dir
    # Whoever runs the CLI chooses its inbox as the deployment would: the folder is allowed for this
    # process (the allow-list keeps the Launchpad's run config from reaching the rest of the disk).
    allowed = os.environ.get("EXTRACTION_ALLOWED_ROOTS", "")
    os.environ["EXTRACTION_ALLOWED_ROOTS"] = ",".join(filter(None, [allowed, str(inbox)]))
    run_config = {
        "ops": {
            "raw_documents": {"config": {"inbox": str(inbox)}},
            "llm_extractions": {"config": {"document_type": document_type}},
            "quality_report": {"config": {"gold_path": str(gold_path) if gold_path else None}},
            "evaluation": {"config": {"gold_path": str(gold_path or inbox / "gold.jsonl")}},
        },
        "resources": {"storage": {"config": {"output_dir": str(output_dir)}}},
        # Step-level debug events drown the progress lines on a terminal; the UI keeps them all.
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }
    started = time.perf_counter()
    # The watch fails runs whose process was killed, so a slot they held does not block this one.
    with _instance() as instance, _calls_on_stderr(instance), DeadRunWatch(instance):
        result = (
            defs()
            .resolve_job_def("extract_documents")
            .execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
        )
        failure = result.get_run_failure_event() if not result.success else None
        if failure is not None and failure.job_failure_data.failure_reason is not None:
            if failure.job_failure_data.failure_reason.value == "UNEXPECTED_TERMINATION":
                raise KeyboardInterrupt(f"run {result.run_id}")
        failed_checks = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
        if not result.success:
            raise SystemExit(
                f"run {result.run_id} failed{_failed_steps(result)} (checks failed: {failed_checks or 'none'}); "
                "see the Dagster run log"
            )
        report: QualityReport = result.output_for_node("quality_report")
        llm = {k: v.value for k, v in result.asset_materializations_for_node("llm_extractions")[0].metadata.items()}
    return RunSummary.of(report, llm, output_dir, failed_checks, time.perf_counter() - started)


def _failed_steps(result: dg.ExecuteInProcessResult) -> str:
    """` in STEP: ERROR` for each failed step, the error being the first line of the root cause.
    The trace above it is long, and a terminal or a CI log cut to its last lines shows only this."""
    reasons = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        first_line = error.message.strip().splitlines()[0] if error and error.message.strip() else "no error recorded"
        reasons.append(f"{event.step_key}: {redact(first_line)}")
    return f" in {'; '.join(reasons)}" if reasons else ""


def evaluate(docs_dir: Path, gold_path: Path, limit: int | None, output_dir: Path | None) -> RunSummary:
    """Extract the first `limit` labelled documents (by name) and score them against gold."""
    gold = load_gold(gold_path)
    paths = sorted(p for p in docs_dir.iterdir() if p.stem in gold)[:limit]
    if not paths:
        raise SystemExit(f"no document in {docs_dir} has a label in {gold_path}")
    with scratch_dir("evaluate-") as tmp:
        inbox = tmp / "inbox"
        inbox.mkdir()
        for p in paths:
            shutil.copy2(p, inbox / p.name)
        subset = tmp / "gold.jsonl"
        subset.write_text("".join(json.dumps({"id": p.stem, "fields": gold[p.stem]}) + "\n" for p in paths))
        return run_pipeline(inbox, output_dir or tmp / "output", gold_path=subset)


def _print_summary(s: RunSummary) -> None:
    print(f"documents {s.documents}: {s.records} records, {s.quarantined} quarantined, {s.rejected} rejected")
    for field, value in (s.accuracy or {}).items():
        print(f"  accuracy {field:<24} {value:.3f}" if value is not None else f"  accuracy {field:<24} n/a")
    print(f"valid rate {s.valid_rate:.3f}, LLM calls {s.llm_calls}, tokens {s.input_tokens} in / {s.output_tokens} out")
    cost = f"{s.cost_usd:.6f}" + ("" if s.cost_known else " (some models unpriced)")
    print(f"cost USD {cost}, {s.seconds_per_document:.2f} s per document, wall {s.wall_s:.1f} s")
    print("document types: " + ", ".join(f"{k} {v}" for k, v in s.document_types.items()))
    if s.ocr_pages:
        print(f"OCR: {s.ocr_pages} pages in {s.ocr_seconds:.1f} s")
    if s.failed_checks:
        print(f"asset checks failed (the run went on): {', '.join(s.failed_checks)}")
    print(f"records:    {s.records_path}")
    print(f"quarantine: {s.quarantine_path}")
    print(f"report:     {s.report_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="extraction-pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialize all assets over an inbox folder")
    run.add_argument("--inbox", type=Path, default=None, help="default $EXTRACTION_INBOX or data/inbox")
    run.add_argument("--output", type=Path, default=None, help="default $EXTRACTION_OUTPUT_DIR or output/")
    run.add_argument(
        "--document-type",
        default="auto",
        help="auto (inbox folder or markers, per document) or a type: receipt, invoice, transaction, yours",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ev = sub.add_parser("evaluate", help="extract labelled documents and score them against gold")
    ev.add_argument("docs_dir", type=Path)
    ev.add_argument("gold_jsonl", type=Path)
    ev.add_argument("--limit", type=int, default=None)
    ev.add_argument("--output", type=Path, default=None, help="keep the tables and report here")
    ev.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    # SIGTERM (a service manager, `kill`, a container stop) stops a run as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if args.command == "run":
            summary = run_pipeline(args.inbox or Settings.load().inbox, args.output, args.document_type)
        else:
            summary = evaluate(args.docs_dir, args.gold_jsonl, args.limit, args.output)
    except KeyboardInterrupt as exc:
        _stop_now(
            f"interrupted{f': {exc} stopped' if str(exc) else ''}; no table was written, answers received are cached"
        )
    if args.json:
        print(json.dumps(dataclasses.asdict(summary), default=str))
    else:
        _print_summary(summary)
    if summary.run_failure:  # cron and CI see a failed run, not exit 0 with everything quarantined
        print(summary.run_failure, file=sys.stderr)
        return RUN_FAILED
    return 0


def _stop_now(message: str) -> None:
    """Exit at once: the embedded server is already stopped and every table and cache write is atomic,
    so the only thing left to wait for would be calls in flight to a remote server, abandoned here."""
    print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
