"""Runs whose process is gone are failed and free their pool slot; live runs and other hosts' runs
are left alone. (The same with a real SIGKILLed CLI: slow/test_kill_and_continue.py.)"""

import os
import socket
import subprocess
import sys

import dagster as dg
from dagster._core.events import EngineEventData
from dagster._core.test_utils import create_run_for_test

from extraction_pipeline.defs.dead_runs import (
    HOST_TAG,
    PROCESS_TAG,
    dead_runs_sensor,
    fail_dead_runs,
    holder_tags,
    process_alive,
)

POOL = "llm_api"


def ended_process_identity() -> str:
    """The identity of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = holder_tags()[PROCESS_TAG].partition(":")[2]  # the format, with this process's value
    child.wait()
    return f"{child.pid}:{started}"


def test_this_process_is_alive_and_an_ended_or_reused_pid_is_not():
    assert process_alive(holder_tags()[PROCESS_TAG])
    assert not process_alive(ended_process_identity())
    # Our own pid with another start time: the pid was reused by a new process.
    assert not process_alive(f"{os.getpid()}:1")


def test_a_killed_process_not_yet_reaped_is_dead():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()[19]
    identity = f"{child.pid}:{started}"
    assert process_alive(identity)
    child.kill()
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left a zombie: not reaped yet
    assert not process_alive(identity)
    child.wait()


def started_run(instance, tags):
    return create_run_for_test(instance, job_name="extract_documents", status=dg.DagsterRunStatus.STARTED, tags=tags)


def test_a_dead_runs_slot_is_freed_for_the_next_run():
    with dg.instance_for_test() as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(POOL, 1)
        dead = started_run(instance, {HOST_TAG: socket.gethostname(), PROCESS_TAG: ended_process_identity()})
        assert storage.claim_concurrency_slot(POOL, dead.run_id, "llm_extractions").is_claimed
        waiting = started_run(instance, holder_tags())
        assert not storage.claim_concurrency_slot(POOL, waiting.run_id, "llm_extractions").is_claimed

        assert fail_dead_runs(instance) == [dead.run_id]

        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(waiting.run_id).status == dg.DagsterRunStatus.STARTED  # alive: kept
        assert storage.claim_concurrency_slot(POOL, waiting.run_id, "llm_extractions").is_claimed
        failure = instance.all_logs(dead.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        assert "is gone" in failure.dagster_event.message
        assert fail_dead_runs(instance) == []  # once


def test_runs_of_other_hosts_and_runs_without_a_holder_are_left_alone():
    with dg.instance_for_test() as instance:
        elsewhere = started_run(instance, {HOST_TAG: "another-host", PROCESS_TAG: ended_process_identity()})
        untagged = started_run(instance, {})
        assert fail_dead_runs(instance) == []
        for run in (elsewhere, untagged):
            assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED


def test_the_daemon_sensor_fails_dead_runs():
    with dg.instance_for_test() as instance:
        dead = started_run(instance, {HOST_TAG: socket.gethostname(), PROCESS_TAG: ended_process_identity()})
        result = dead_runs_sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(result, dg.SkipReason) and "1 dead runs failed" in result.skip_message
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE


def test_the_holder_is_the_runs_orchestrating_process_not_a_step_process():
    """Under the multiprocess executor the step that takes the slot runs in a child that ends before
    the run does; the run worker that Dagster's executor logged is the one to watch."""
    with dg.instance_for_test() as instance:
        run = started_run(instance, {})
        assert holder_tags(instance, run.run_id)[PROCESS_TAG].startswith(f"{os.getpid()}:")  # nothing logged
        worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            instance.report_engine_event(
                f"Multiprocess executor: parent process (pid: {worker.pid})",
                run,
                EngineEventData.multiprocess(worker.pid),
            )
            tags = holder_tags(instance, run.run_id)
            assert tags[PROCESS_TAG].startswith(f"{worker.pid}:") and process_alive(tags[PROCESS_TAG])
        finally:
            worker.kill()
            worker.wait()
        assert not process_alive(tags[PROCESS_TAG])
