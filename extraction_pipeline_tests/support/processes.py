"""Stopping what a test started: by its process group, never by name, and never waiting forever."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def stop_group(proc: subprocess.Popen, grace_s: float = 30) -> None:
    """SIGTERM the group started with `start_new_session=True`; SIGKILL it if any of it outlives
    `grace_s`.

    A loaded 2-core CI machine can take seconds to tear down a webserver or a server's threads; a
    test must neither fail on that nor leave the group behind. The whole group is waited for, not
    only its leader: `dagster dev` exits on SIGTERM while its code server ignores it, and one such
    server outlived a CI run by an hour."""
    deadline = time.monotonic() + grace_s
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if group_alive(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. On Linux a zombie does not count: it has stopped
    and only waits for its parent to collect it (the group's leader does, until the end)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state != "Z":
                return True
    return False
