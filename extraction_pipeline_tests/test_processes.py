"""The tests' own process cleanup: a group is stopped whole, real processes, real signals."""

import subprocess
import sys
import time

from extraction_pipeline_tests.support.processes import group_alive, stop_group

# A leader that exits on SIGTERM, with a child that ignores it, as `dagster dev` and its code server.
LEADER = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(flush=True); time.sleep(120)"])
time.sleep(120)
"""


def test_a_member_that_ignores_sigterm_is_killed_after_its_leader_exits():
    leader = subprocess.Popen([sys.executable, "-c", LEADER], start_new_session=True, stdout=subprocess.PIPE)
    leader.stdout.readline()  # the child printed it after ignoring SIGTERM
    started = time.monotonic()
    stop_group(leader, grace_s=2)
    assert not group_alive(leader.pid)
    assert time.monotonic() - started < 10
    leader.stdout.close()
