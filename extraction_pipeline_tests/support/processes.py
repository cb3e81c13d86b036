"""Stopping what a test started: by its process group, never by name, and never waiting forever."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop_group(proc: subprocess.Popen, grace_s: float = 30) -> None:
    """SIGTERM the group started with `start_new_session=True`; SIGKILL it if it outlives `grace_s`.

    A loaded 2-core CI machine can take seconds to tear down a webserver or a server's threads; a
    test must neither fail on that nor leave the group behind."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
