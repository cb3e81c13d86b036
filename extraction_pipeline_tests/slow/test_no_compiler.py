"""A user with their own server needs no C compiler: `make demo` with OPENAI_BASE_URL set installs
wheels only and reaches records. Runs on a copy of the working tree with a fresh environment, against
the scripted server (a test double) in its own process, with any C compiler made to fail."""

import os
import shutil
import subprocess
import sys
import time

from extraction_pipeline_tests.support.helpers import REPO, read_delta
from extraction_pipeline_tests.support.processes import stop_group


def copy_of_the_tree(target):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)


def test_make_demo_against_a_configured_server_needs_no_compiler(tmp_path):
    clone = tmp_path / "clone"
    copy_of_the_tree(clone)
    server = subprocess.Popen(
        [sys.executable, "-m", "extraction_pipeline_tests.support.scripted_llm_server"],
        cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        base_url = server.stdout.readline().strip()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "EXTRACTION_", "DAGSTER_"))}
        env.update(OPENAI_BASE_URL=base_url, CC="/bin/false", CXX="/bin/false", PYTHON=sys.executable)
        started = time.monotonic()
        demo = subprocess.run(["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        seconds = time.monotonic() - started
    finally:
        stop_group(server)
    assert demo.returncode == 0, demo.stderr[-3000:]
    print(f"fresh clone to first records, no compiler: {seconds:.0f} s")
    assert not (clone / "models").exists()  # the embedded model was not built
    records = read_delta(clone / "output" / "records")
    assert len(records) == 7 and set(records.model) == {"scripted-model"}
