"""A temporary folder whose process was SIGKILLed is removed by the next process of its kind; one
whose process lives, and folders that are not ours, are left. Real processes, real locks."""

import os
import signal
import subprocess
import sys
import time

from extraction_pipeline.scratch import HELD, remove_abandoned, scratch_dir

HOLDER = "from extraction_pipeline.scratch import scratch_dir\nwith scratch_dir('kind-') as d:\n print(d, flush=True)\n input()"


def hold_folder(tmp_path) -> tuple[subprocess.Popen, str]:
    """A process that makes a scratch folder under tmp_path and waits; and the folder."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    return proc, proc.stdout.readline().strip()


def aged(folder) -> None:
    """As if made an hour ago (a folder younger than a minute may not be locked yet)."""
    hour_ago = time.time() - 3600
    os.utime(os.path.join(folder, HELD), (hour_ago, hour_ago))


def test_the_folder_of_a_killed_process_is_removed_and_a_live_ones_kept(tmp_path):
    killed, killed_folder = hold_folder(tmp_path)
    live, live_folder = hold_folder(tmp_path)
    try:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)
        for folder in (killed_folder, live_folder):
            aged(folder)
        assert os.path.isdir(killed_folder)  # SIGKILL: nothing ran in the process to remove it

        assert remove_abandoned("kind-", tmp_path) == [tmp_path / os.path.basename(killed_folder)]
        assert not os.path.exists(killed_folder) and os.path.isdir(live_folder)
    finally:
        live.communicate("\n", timeout=10)  # ends its `with`: it removes its own folder
    assert live.returncode == 0 and not os.path.exists(live_folder)


def test_a_new_folder_is_spared_and_so_is_a_folder_without_a_lock_file(tmp_path):
    proc, folder = hold_folder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    other = tmp_path / "kind-made-by-someone-else"
    other.mkdir()
    assert remove_abandoned("kind-", tmp_path) == []  # under a minute old: it may not be locked yet
    aged(folder)
    assert remove_abandoned("kind-", tmp_path) == [tmp_path / os.path.basename(folder)]
    assert other.is_dir()


def test_scratch_dir_removes_what_a_killed_process_left_before_making_its_own(tmp_path, monkeypatch):
    proc, left = hold_folder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    aged(left)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # gettempdir() reads TMPDIR again
    with scratch_dir("kind-") as mine:
        assert not os.path.exists(left) and mine.parent == tmp_path
    assert not mine.exists()
