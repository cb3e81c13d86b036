"""Several runs at once: rows lost or duplicated in the shared tables, wall time, and the provider's
rate limit held across runs. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/concurrent_runs.py                  # both parts
    .venv/bin/python benchmarks/concurrent_runs.py --only writers --runs 4 --docs 500
    .venv/bin/python benchmarks/concurrent_runs.py --only rpm
    .venv/bin/python benchmarks/concurrent_runs.py --only writers --s3   # tables on moto's S3 server

The LLM is the scripted OpenAI-compatible server (a test double) in its own process.
`writers`: N runs (separate processes, as sensor batches and the nightly run are) over overlapping
inboxes write into one output folder; then one run over all their documents, for comparison.
`rpm`: 3 runs on one Dagster instance whose llm_api pool allows 3 steps at once, against a server
that answers 429 above 120 requests per minute; EXTRACTION_RPM=120 is split between the slots.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from throughput import REPO, bench_env, make_inbox, scripted_server  # noqa: E402

from extraction_pipeline.storage.tables import read_table  # noqa: E402
from extraction_pipeline_tests.support.helpers import cli_command, overlapping_inboxes  # noqa: E402
from extraction_pipeline_tests.support.s3_server import s3_server  # noqa: E402


def start(inbox: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command(inbox, out, "--json"),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, **env}, cwd=REPO,
    )  # fmt: skip


def finish(procs: list[subprocess.Popen]) -> list[dict]:
    results = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a run failed with exit status {proc.returncode}")
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


def table_rows(location: str) -> pd.DataFrame:
    return pd.concat([read_table(location, name) for name in ("records", "quarantine")], ignore_index=True)


def writers(tmp: Path, runs: int, docs: int, receipts: Path, on_s3: bool) -> None:
    distinct = (runs + 1) * docs // 2
    pool = make_inbox(tmp / "pool", distinct, receipts)
    inboxes = overlapping_inboxes(tmp, pool, runs, docs)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(scripted_server(latency=0.2, max_concurrent=64))
        storage = stack.enter_context(s3_server("bench")) if on_s3 else {}
        where = "an S3 bucket (moto)" if on_s3 else "one output folder"
        tables = "s3://bench/together" if on_s3 else str(tmp / "out")
        env = {**bench_env(url, tmp / "cache.sqlite3", EXTRACTION_MAX_CONCURRENCY="16"), **storage,
               **({"EXTRACTION_TABLES_URI": tables} if on_s3 else {})}  # fmt: skip
        started = time.perf_counter()
        results = finish([start(inbox, tmp / "out", env) for inbox in inboxes])
        together = time.perf_counter() - started
        os.environ.update(storage)  # this process reads the tables too
        rows = table_rows(tables)
        alone_env = {**env, "EXTRACTION_CACHE_PATH": str(tmp / "cache-alone.sqlite3"),
                     **({"EXTRACTION_TABLES_URI": "s3://bench/alone"} if on_s3 else {})}  # fmt: skip
        started = time.perf_counter()
        finish([start(pool, tmp / "out-alone", alone_env)])
        alone = time.perf_counter() - started
    duplicates = int(rows.document_id.duplicated().sum())
    print(f"[writers] {runs} runs at once x {docs} documents ({distinct} distinct, overlapping by half), into "
          f"{where}: documents in {sum(r['documents'] for r in results)}, distinct documents {distinct}, "
          f"rows out {len(rows)}, missing {distinct - rows.document_id.nunique()}, duplicates {duplicates}; "
          f"wall {together:.1f} s, against {alone:.1f} s for one run over the {distinct} documents")  # fmt: skip


def rpm(tmp: Path, runs: int, docs: int, receipts: Path, configured_rpm: int) -> None:
    home = tmp / "dagster_home"
    home.mkdir()
    config = (REPO / "deploy" / "dagster.yaml").read_text().replace("default_limit: 1", f"default_limit: {runs}")
    (home / "dagster.yaml").write_text(config)
    pool = make_inbox(tmp / "pool-rpm", runs * docs, receipts)
    names = sorted(pool.iterdir())
    inboxes = []
    for i in range(runs):
        inbox = tmp / f"inbox-rpm-{i}"
        inbox.mkdir()
        for p in names[i * docs : (i + 1) * docs]:
            os.link(p, inbox / p.name)
        inboxes.append(inbox)
    with scripted_server(latency=0.5, max_concurrent=64, rpm=120) as url:
        env = {**bench_env(url, tmp / "cache-rpm.sqlite3", EXTRACTION_MAX_CONCURRENCY="8",
                         EXTRACTION_RPM=str(configured_rpm)),
               "DAGSTER_HOME": str(home)}  # fmt: skip
        started = time.perf_counter()
        results = finish([start(inbox, tmp / f"out-rpm-{i}", env) for i, inbox in enumerate(inboxes)])
        wall = time.perf_counter() - started
    attempts = sum(r["llm_http_attempts"] for r in results)
    throttled = sum(r["llm_throttled"] for r in results)
    answered = attempts - throttled  # every call that went through, re-asks included
    ideal = answered / 120 * 60
    print(f"[rpm] {runs} runs at once x {docs} documents against a 120 requests/min server, pool of {runs} slots, "
          f"EXTRACTION_RPM={configured_rpm} (each run paces at {configured_rpm // runs}): "
          f"HTTP attempts {attempts}, answered 429: {throttled} ({throttled / max(attempts, 1):.1%}); "
          f"records {sum(r['records'] for r in results)}; wall {wall:.1f} s against calls/RPM = {ideal:.0f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=["writers", "rpm"], choices=["writers", "rpm"])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--rpm-docs", type=int, default=60)
    parser.add_argument("--receipts", type=Path, default=REPO / "data" / "inbox")
    parser.add_argument("--s3", action="store_true", help="writers: tables in a bucket on moto's S3 server")
    parser.add_argument("--configured-rpm", type=int, default=120,
                        help="rpm: EXTRACTION_RPM; 360 shows what happens when each run believes it has 120")  # fmt: skip
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    print(f"machine: {os.cpu_count()} cores; work folder {tmp}")
    if "writers" in args.only:
        writers(tmp, args.runs, args.docs, args.receipts, args.s3)
    if "rpm" in args.only:
        rpm(tmp, 3, args.rpm_docs, args.receipts, args.configured_rpm)


if __name__ == "__main__":
    main()
