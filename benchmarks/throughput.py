"""Throughput, rate limits, cache and overhead of the whole asset graph. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/throughput.py                 # everything against the scripted server
    .venv/bin/python benchmarks/throughput.py --only graph naive rerun
    .venv/bin/python benchmarks/throughput.py --only local --local-docs 10

The LLM is the scripted OpenAI-compatible server (a test double) in its own process, with a fixed
latency, a cap on calls served at once and optionally a requests-per-minute window, except for
`local`, which runs the embedded llama.cpp model on real receipts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


@contextlib.contextmanager
def scripted_server(latency: float, max_concurrent: int | None = None, rpm: int | None = None) -> Iterator[str]:
    cmd = [PY, "-m", "extraction_pipeline_tests.support.scripted_llm_server", "--latency", str(latency)]
    cmd += ["--max-concurrent", str(max_concurrent)] if max_concurrent else []
    cmd += ["--rpm", str(rpm)] if rpm else []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def make_inbox(folder: Path, count: int, receipts: Path) -> Path:
    """`count` real receipts from the folder; past its end, numbered copies with a unique first line."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(receipts.glob("*.txt"))
    for i in range(count):
        text = sources[i % len(sources)].read_text()
        (folder / f"r{i:05d}.txt").write_text(f"COPY {i}\n{text}" if i >= len(sources) else text)
    return folder


def run_graph(inbox: Path, out: Path, env: dict[str, str]) -> dict:
    """One `extraction-pipeline run --json` in a fresh process; returns its summary plus peak memory."""
    code = (
        "import json, resource, sys; from extraction_pipeline.cli import main; main(sys.argv[1:]);"
        "print(json.dumps({'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
        "'cpu_s': sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [PY, "-c", code, "run", "--inbox", str(inbox), "--output", str(out), "--json"],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=REPO,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    summary_line, usage_line = proc.stdout.strip().splitlines()[-2:]
    return {**json.loads(summary_line), **json.loads(usage_line), "process_wall_s": wall}


def bench_env(base_url: str, cache: Path, **extra: str) -> dict[str, str]:
    env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-bench", "EXTRACTION_MODEL": "gpt-4o-mini",
           "EXTRACTION_CACHE_PATH": str(cache), "EXTRACTION_RPM": "0", "EXTRACTION_TPM": "0"}  # fmt: skip
    env.pop("DAGSTER_HOME", None)
    return {**env, **extra}


def naive_loop(base_url: str, inbox: Path) -> float:
    """What a plain script does: one call after another with the openai client."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="sk-bench")
    started = time.perf_counter()
    for path in sorted(inbox.iterdir()):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Extract JSON:\n" + path.read_text()}]
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=["graph", "naive", "rerun", "rpm", "overhead"],
                        choices=["graph", "naive", "rerun", "rpm", "overhead", "local"])  # fmt: skip
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rpm-docs", type=int, default=300)
    parser.add_argument("--overhead-docs", type=int, default=10_000)
    parser.add_argument("--local-docs", type=int, default=10)
    parser.add_argument("--receipts", type=Path, default=REPO / "data" / "inbox",
                        help="a folder of receipt .txt files, e.g. the SROIE receipts' docs/ (docs/accuracy.md)")  # fmt: skip
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"machine: {os.cpu_count()} cores; work folder {tmp}")

    if {"graph", "naive", "rerun"} & set(args.only):
        inbox = make_inbox(tmp / "inbox", args.docs, args.receipts)
        limit = args.docs * 0.5 / 16
        with scripted_server(latency=0.5, max_concurrent=16) as url:
            env = bench_env(url, tmp / "cache.sqlite3", EXTRACTION_MAX_CONCURRENCY="16")
            if "graph" in args.only or "rerun" in args.only:
                first = run_graph(inbox, tmp / "out", env)
                print(f"[graph] {args.docs} receipts, 0.5 s/call, 16 served at once: {first['wall_s']:.2f} s in the graph "
                      f"({first['process_wall_s']:.2f} s with process start-up); limit {limit:.2f} s; "
                      f"ratio {first['wall_s'] / limit:.2f}x; {first['llm_calls']} calls, {first['records']} records")  # fmt: skip
            if "rerun" in args.only:
                second = run_graph(inbox, tmp / "out", env)
                print(f"[rerun] same {args.docs} receipts again: {second['llm_calls']} LLM calls, {second['wall_s']:.2f} s "
                      f"in the graph, {second['records']} records")  # fmt: skip
            if "naive" in args.only:
                naive = naive_loop(url, inbox)
                print(f"[naive] one call after another with the openai client: {naive:.2f} s for {args.docs} receipts")

    if "rpm" in args.only:
        inbox = make_inbox(tmp / "inbox-rpm", args.rpm_docs, args.receipts)
        with scripted_server(latency=0.5, max_concurrent=16, rpm=120) as url:
            env = bench_env(url, tmp / "cache-rpm.sqlite3", EXTRACTION_MAX_CONCURRENCY="16", EXTRACTION_RPM="120")
            result = run_graph(inbox, tmp / "out-rpm", env)
        ideal = args.rpm_docs / 120 * 60
        print(f"[rpm] {args.rpm_docs} receipts at 120 requests/min: {result['wall_s']:.1f} s (ideal {ideal:.0f} s, "
              f"ratio {result['wall_s'] / ideal:.3f}x); documents {result['documents']} = {result['records']} records + "
              f"{result['quarantined']} quarantined + {result['rejected']} rejected; HTTP attempts "
              f"{result['llm_http_attempts']}, answered 429: {result['llm_throttled']} "
              f"({result['llm_throttled'] / max(result['llm_http_attempts'], 1):.1%}); waited on limits "
              f"{result['rate_limit_wait_s']:.1f} s")  # fmt: skip

    if "overhead" in args.only:
        inbox = make_inbox(tmp / "inbox-10k", args.overhead_docs, args.receipts)
        with scripted_server(latency=0.0) as url:
            env = bench_env(url, tmp / "cache-10k.sqlite3", EXTRACTION_MAX_CONCURRENCY="16")
            result = run_graph(inbox, tmp / "out-10k", env)
        n = result["documents"]
        print(f"[overhead] {n} small documents, instant answers: {result['wall_s']:.1f} s wall, pipeline process CPU "
              f"{result['cpu_s'] / n * 1000:.2f} ms per document (HTTP client included), peak memory "
              f"{result['max_rss_mb']:.0f} MiB")  # fmt: skip

    if "local" in args.only:
        inbox = make_inbox(tmp / "inbox-local", args.local_docs, args.receipts)
        env = {"EXTRACTION_CACHE_PATH": str(tmp / "cache-local.sqlite3")}
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DAGSTER_HOME"):
            os.environ.pop(var, None)
        result = run_graph(inbox, tmp / "out-local", env)
        llm_s = result["llm_latency_sum_s"]
        n = result["documents"]
        print(f"[local] {n} receipts on the embedded model: {result['wall_s'] / n:.2f} s per receipt "
              f"(LLM calls p50 {result['latency_p50_s']:.2f} s, {result['llm_calls']} calls); time outside the "
              f"llama.cpp server's answers: {(result['extraction_wall_s'] - llm_s) / result['extraction_wall_s']:.1%} "
              f"of the extraction step, {(result['wall_s'] - llm_s) / result['wall_s']:.1%} of the run "
              f"(server start-up included); cached prompt tokens {result['cached_input_share']:.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
