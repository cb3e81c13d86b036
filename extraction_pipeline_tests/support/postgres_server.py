"""A throwaway PostgreSQL server for tests, from Debian's `postgresql` package, on loopback."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from extraction_pipeline_tests.support.dagster_dev import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`; .ci/run installs it)")
    return found[-1]


@contextlib.contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """Yield DAGSTER_PG_* settings of a fresh cluster; it is stopped and deleted afterwards.

    PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user."""
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="pg-"))
    data = root / "data"
    if as_user:
        shutil.chown(root, "postgres")
    port = free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True)  # noqa: E731
    run(_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    run(_bin("pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start")  # fmt: skip
    try:
        run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "dagster")
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_DB": "dagster",
               "DAGSTER_PG_USER": "postgres", "DAGSTER_PG_PASSWORD": ""}  # fmt: skip
    finally:
        run(_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
