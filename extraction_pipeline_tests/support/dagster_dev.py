"""Start and stop a real `dagster dev` (webserver + daemon) for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from extraction_pipeline_tests.support.helpers import REPO
from extraction_pipeline_tests.support.processes import stop_group


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dagster_dev(
    home: Path, env: dict[str, str], dagster_yaml: Path = REPO / "deploy" / "dagster.yaml"
) -> Iterator[str]:
    """Yield the webserver's URL; the whole process group (webserver, daemon, code server, runs)
    is stopped afterwards by its group id."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(dagster_yaml, home / "dagster.yaml")
    port = free_port()
    log = open(home / "dagster-dev.log", "wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env={**os.environ, **env, "DAGSTER_HOME": str(home)},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dagster dev did not start; see {home / 'dagster-dev.log'}") from None
                time.sleep(0.5)
        yield url
    finally:
        stop_group(proc)
        log.close()
