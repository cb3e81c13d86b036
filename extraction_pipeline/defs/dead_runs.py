"""Runs whose process is gone: marked failed and their pool slots freed, so later runs go on.

A run killed by SIGKILL, the OOM killer or a reboot never reports its end: Dagster keeps it STARTED
with its `llm_api` pool slot claimed, and with a pool of one every later run waits for that slot
forever. Run monitoring cannot see it with Dagster's default run launcher (which has no health check
for run workers), and `free_slots_after_run_end_seconds` only frees the slots of runs that ended.
So the step that takes the slot records which process holds it (host, the run's orchestrating pid
and that process's start time, which tells a reused pid apart), and the CLI (before and during its
run) and a daemon sensor fail the runs of this host whose process is gone and free their slots.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import dagster as dg

HOST_TAG = "extraction/host"
PROCESS_TAG = "extraction/process"  # "<pid>:<start time in clock ticks since boot>"
UNFINISHED = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def _start_ticks(pid: int) -> str | None:
    """The process's start time from /proc (None when it is gone or a zombie); "" off Linux."""
    if not Path("/proc/self/stat").exists():
        return ""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, *rest = stat.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    return None if state in ("Z", "X") else rest[18]  # field 22 of proc(5): starttime


def holder_tags(instance: dg.DagsterInstance | None = None, run_id: str | None = None) -> dict[str, str]:
    """Tags naming the process that holds the run's pool slots: the run's orchestrating process (the
    run worker under the multiprocess executor, whose step processes come and go; this process when
    steps run in process), as Dagster's executor logged it, else this process."""
    pid = _orchestrating_pid(instance, run_id) if instance is not None and run_id else None
    pid = pid or os.getpid()
    return {HOST_TAG: socket.gethostname(), PROCESS_TAG: f"{pid}:{_start_ticks(pid) or ''}"}


def _orchestrating_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the run's latest run-level engine event that names one ("Executing steps in process
    (pid: ...)", "Multiprocess executor: parent process (pid: ...)"); step-level ones are skipped."""
    for record in reversed(instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)):
        event = record.dagster_event
        if event is None or record.step_key is not None:
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value)
    return None


def process_alive(identity: str) -> bool:
    pid_text, _, started = identity.partition(":")
    pid = int(pid_text)
    if started:
        return _start_ticks(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds the pid: alive
        return True
    return True


def dead_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Unfinished runs of this host whose slot-holding process no longer exists. Runs of other hosts
    are left to the sensor of their own host (a pid means nothing elsewhere)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: socket.gethostname()})
    )
    return [
        r.dagster_run
        for r in records
        if PROCESS_TAG in r.dagster_run.tags and not process_alive(r.dagster_run.tags[PROCESS_TAG])
    ]


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark each dead run failed (its reason in the run log) and free its pool slots; their ids."""
    failed = []
    for run in dead_runs(instance):
        process = run.tags[PROCESS_TAG].partition(":")[0]
        instance.report_run_failed(
            run,
            f"the process that ran it (pid {process} on {run.tags[HOST_TAG]}) is gone: killed, out of "
            "memory or a reboot. Marked failed and its pool slots freed; answers it received are cached.",
        )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(run.run_id)
    return failed


class DeadRunWatch:
    """Fails dead runs every `interval_s` seconds in a background thread while the block runs: a run
    waiting for a slot gets it soon after the process holding it is killed, with or without a daemon."""

    def __init__(self, instance: dg.DagsterInstance, interval_s: float = 5.0):
        self._instance, self._interval_s = instance, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="dead-runs", daemon=True)

    def __enter__(self) -> DeadRunWatch:
        fail_dead_runs(self._instance)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                fail_dead_runs(self._instance)
            except Exception:  # a busy or briefly unreachable storage: try again next time
                continue


@dg.sensor(
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Fails runs of this host whose process is gone (SIGKILL, OOM, reboot) and frees their pool slots.",
)
def dead_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    failed = fail_dead_runs(context.instance)
    if failed:
        context.log.warning(f"failed {len(failed)} runs whose process is gone: {', '.join(failed)}")
    return dg.SkipReason(f"{len(failed)} dead runs failed" if failed else "no dead run")
