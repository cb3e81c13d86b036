"""The built wheel, not the checkout: it carries the prompts, packs, instance config and price table,
and runs from any working directory against an OpenAI-compatible server, without the `local` extra."""

import json
import os
import subprocess
import sys
import zipfile

from extraction_pipeline.settings import PROJECT_ROOT
from extraction_pipeline_tests.support.helpers import answer, receipt_text
from extraction_pipeline_tests.support.scripted_llm_server import Reply


def test_the_wheel_runs_outside_the_checkout(scripted_llm, isolated_answer_cache, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("EXTRACTION_PROMPTS_DIR", raising=False)
    dist, site, work = tmp_path / "dist", tmp_path / "site", tmp_path / "work"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(PROJECT_ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    wheel = next(dist.glob("extraction_pipeline-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every prompt and pack file (a new built-in pack must be listed in pyproject.toml's packages).
    prompts = [p for p in (PROJECT_ROOT / "prompts").rglob("*.*") if "__pycache__" not in p.parts]
    shipped = [f"extraction_pipeline/prompts/{p.relative_to(PROJECT_ROOT / 'prompts')}" for p in prompts]
    shipped += ["extraction_pipeline/deploy/dagster.yaml", "extraction_pipeline/llm/model_prices.toml"]
    assert len(prompts) >= 10 and not [name for name in shipped if name not in names]
    # The wheel's files only (its dependencies come from this environment, which has them).
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    server = scripted_llm(lambda req: Reply(answer("WHEEL")))
    inbox = work / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "r1.txt").write_text(receipt_text("WHEEL", "REF 1"))
    monkeypatch.setenv("EXTRACTION_ALLOWED_ROOTS", str(work))

    code = (
        "import sys, extraction_pipeline.cli as cli; print(cli.__file__, file=sys.stderr);"
        " sys.exit(cli.main(['run', '--inbox', 'inbox', '--json']))"
    )
    done = subprocess.run(
        # -P: the working directory is not put on sys.path; PYTHONPATH puts the wheel's files first.
        [sys.executable, "-P", "-c", code], cwd=work, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(site)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.splitlines()[0].startswith(str(site))  # the installed copy ran, not the checkout
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["records"] == 1 and len(server.requests) == 1
    assert summary["records_path"] == str(work / "output" / "records")  # in the working directory
    assert (work / "output" / "records" / "_delta_log").is_dir()
