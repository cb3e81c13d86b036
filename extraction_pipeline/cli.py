"""`extraction-pipeline run|evaluate`: the same asset graph as the UI, driven from a shell or CI."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import dagster as dg

from .assets import QUARANTINE_FILE, RECORDS_FILE, default_inbox
from .definitions import defs
from .resources import OutputStorage
from .scoring import load_gold


@contextlib.contextmanager
def _instance() -> Iterator[dg.DagsterInstance]:
    """The instance at $DAGSTER_HOME (run history kept), or a temporary one removed afterwards."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
    else:
        with (
            tempfile.TemporaryDirectory(prefix="dagster-home-") as home,
            dg.DagsterInstance.local_temp(home, overrides={"telemetry": {"enabled": False}}) as instance,
        ):
            yield instance


def run_pipeline(
    inbox: Path, output_dir: Path | None = None, document_type: str = "auto", gold_path: Path | None = None
) -> dict[str, Any]:
    """Run the `extract_documents` job (the one the UI, sensor and schedule launch) once over `inbox`."""
    storage = OutputStorage(output_dir=str(output_dir) if output_dir else None)
    run_config = {
        "ops": {
            "raw_documents": {"config": {"inbox": str(inbox)}},
            "llm_extractions": {"config": {"document_type": document_type}},
            "quality_report": {"config": {"gold_path": str(gold_path) if gold_path else None}},
            "evaluation": {"config": {"gold_path": str(gold_path or inbox / "gold.jsonl")}},
        },
        "resources": {"storage": {"config": {"output_dir": str(storage.path)}}},
        # Step-level debug events drown the progress lines on a terminal; the UI keeps them all.
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }
    started = time.perf_counter()
    with _instance() as instance:
        result = defs.resolve_job_def("extract_documents").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        failed_checks = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
        if not result.success:
            raise SystemExit(
                f"run {result.run_id} failed (checks failed: {failed_checks or 'none'}); see the Dagster run log"
            )
        report = result.output_for_node("quality_report")
        llm = {k: v.value for k, v in result.asset_materializations_for_node("llm_extractions")[0].metadata.items()}
    wall = time.perf_counter() - started
    return {
        "records_path": str(storage.path / RECORDS_FILE),
        "quarantine_path": str(storage.path / QUARANTINE_FILE),
        "report_path": str(storage.path / "quality_report.md"),
        "documents": report["files_seen"],
        "rejected": report["rejected"],
        "records": report["records"],
        "quarantined": report["quarantined"],
        "valid_rate": report["valid_rate"],
        "llm_calls": report["llm.calls"],
        "input_tokens": report["gen_ai.usage.input_tokens"],
        "output_tokens": report["gen_ai.usage.output_tokens"],
        "cost_usd": report["cost_usd"],
        "cost_known": report["cost_known"],
        "latency_p50_s": report["llm.latency_p50_s"],
        "latency_p95_s": report["llm.latency_p95_s"],
        "llm_latency_sum_s": report["llm.latency_sum_s"],
        "llm_http_attempts": llm.get("llm.http_attempts", 0),
        "llm_retries": llm.get("llm.retries", 0),
        "llm_throttled": llm.get("llm.throttled_responses", 0),
        "rate_limit_wait_s": llm.get("llm.rate_limit_wait_s", 0.0),
        "cache_hits": report["cache.hits"],
        "cache_saved_cost_usd": llm.get("cache.saved_cost_usd", 0.0),
        "cached_input_share": report["llm.cached_input_share"],
        "extraction_wall_s": llm["latency_s"],
        "failed_checks": failed_checks,
        "wall_s": wall,
        "seconds_per_document": wall / report["documents"] if report["documents"] else 0.0,
        **({"accuracy": report["accuracy"]["per_field"]} if "accuracy" in report else {}),
    }


def evaluate(docs_dir: Path, gold_path: Path, limit: int | None, output_dir: Path | None) -> dict[str, Any]:
    """Extract the first `limit` labelled documents (by name) and score them against gold."""
    gold = load_gold(gold_path)
    paths = sorted(p for p in docs_dir.iterdir() if p.stem in gold)[:limit]
    if not paths:
        raise SystemExit(f"no document in {docs_dir} has a label in {gold_path}")
    with tempfile.TemporaryDirectory(prefix="evaluate-") as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for p in paths:
            shutil.copy2(p, inbox / p.name)
        subset = Path(tmp) / "gold.jsonl"
        subset.write_text("".join(json.dumps({"id": p.stem, "fields": gold[p.stem]}) + "\n" for p in paths))
        return run_pipeline(inbox, output_dir or Path(tmp) / "output", gold_path=subset)


def _print_summary(summary: dict[str, Any]) -> None:
    print(
        f"documents {summary['documents']}: {summary['records']} records, {summary['quarantined']} quarantined, {summary['rejected']} rejected"
    )
    for field, value in summary.get("accuracy", {}).items():
        print(f"  accuracy {field:<10} {value:.3f}" if value is not None else f"  accuracy {field:<10} n/a")
    print(
        f"valid rate {summary['valid_rate']:.3f}, LLM calls {summary['llm_calls']}, tokens {summary['input_tokens']} in / {summary['output_tokens']} out"
    )
    cost = f"{summary['cost_usd']:.6f}" + ("" if summary["cost_known"] else " (some models unpriced)")
    print(f"cost USD {cost}, {summary['seconds_per_document']:.2f} s per document, wall {summary['wall_s']:.1f} s")
    if summary["failed_checks"]:
        print(f"asset checks failed (the run went on): {', '.join(summary['failed_checks'])}")
    print(f"records:    {summary['records_path']}")
    print(f"quarantine: {summary['quarantine_path']}")
    print(f"report:     {summary['report_path']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="extraction-pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialize all assets over an inbox folder")
    run.add_argument("--inbox", type=Path, default=None, help="default $EXTRACTION_INBOX or data/inbox")
    run.add_argument("--output", type=Path, default=None, help="default $EXTRACTION_OUTPUT_DIR or output/")
    run.add_argument("--document-type", default="auto", help="auto (detect per document), receipt or invoice")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ev = sub.add_parser("evaluate", help="extract labelled documents and score them against gold")
    ev.add_argument("docs_dir", type=Path)
    ev.add_argument("gold_jsonl", type=Path)
    ev.add_argument("--limit", type=int, default=None)
    ev.add_argument("--output", type=Path, default=None, help="keep the tables and report here")
    ev.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    # One JSON line per LLM call on stderr; stdout stays clean for --json.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    llm_log = logging.getLogger("extraction_pipeline.llm")
    llm_log.addHandler(handler)
    llm_log.setLevel(logging.INFO)

    if args.command == "run":
        summary = run_pipeline(args.inbox or default_inbox(), args.output, args.document_type)
    else:
        summary = evaluate(args.docs_dir, args.gold_jsonl, args.limit, args.output)
    if args.json:
        print(json.dumps(summary, default=str))
    else:
        _print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
