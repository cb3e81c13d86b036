"""Temporary folders that a killed process does not leave behind.

`run` without $DAGSTER_HOME keeps its Dagster instance in a temporary folder, and `evaluate` copies
its documents into one. A process killed by SIGKILL (the OOM killer, a CI timeout) cannot remove
them, and a nightly job that is killed now and then fills the temp disk with instances and copies of
its inbox. So each folder holds a lock file, locked for as long as its process lives; the kernel
drops the lock when the process dies, however it dies. Before making a folder, a process removes the
folders of the same kind whose lock it can take: their owner is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

HELD = ".held-by-live-process"
# A folder is made before its lock is taken; one younger than this may be in that instant.
_YOUNG_S = 60.0


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A new temporary folder named `prefix`..., removed on exit, and by the next process of the
    same kind when this one is killed before it can remove it."""
    remove_abandoned(prefix)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, open(Path(tmp) / HELD, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield Path(tmp)


def remove_abandoned(prefix: str, root: Path | None = None) -> list[Path]:
    """Remove the folders `prefix`... under `root` (the temp folder) whose owner has died; returns them."""
    removed = []
    for folder in (root or Path(tempfile.gettempdir())).glob(f"{prefix}*"):
        lock_path = folder / HELD
        try:
            if time.time() - lock_path.stat().st_mtime < _YOUNG_S:
                continue
            with open(lock_path) as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except (BlockingIOError, FileNotFoundError, NotADirectoryError, PermissionError):
            continue  # alive, not one of ours (no lock file), or removed by another process just now
        removed.append(folder)
    return removed
