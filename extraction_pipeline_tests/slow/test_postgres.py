"""The production instance (deploy/dagster.production.yaml) on a real PostgreSQL server."""

import shutil

import dagster as dg

from extraction_pipeline_tests.support.helpers import DEFS, REPO, echo, land, receipt_text
from extraction_pipeline_tests.support.postgres_server import postgres_server


def test_sensor_and_nightly_schedule_run_on_postgres_storage(scripted_llm, tmp_path, monkeypatch):
    server = scripted_llm(echo)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("EXTRACTION_INBOX", str(inbox))
    monkeypatch.setenv("EXTRACTION_OUTPUT_DIR", str(tmp_path / "out"))
    for i in range(3):
        land(inbox, f"r{i}.txt", receipt_text(f"PG{i}"))
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.production.yaml", home / "dagster.yaml")
    job = DEFS.resolve_job_def("extract_documents")

    with postgres_server() as settings:
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            sensor = DEFS.resolve_sensor_def("new_files_sensor")
            tick = sensor(dg.build_sensor_context(instance=instance, definitions=DEFS))
            (request,) = tick.run_requests
            assert job.execute_in_process(run_config=request.run_config, instance=instance, tags=request.tags).success

            schedule = DEFS.resolve_schedule_def("nightly_extraction")
            (nightly,) = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
            result = job.execute_in_process(run_config=nightly.run_config, instance=instance)
            assert result.success and result.output_for_node("quality_report").records == 3

            runs = instance.get_runs()
            assert len(runs) == 2 and all(r.is_success for r in runs)
            assert instance.get_latest_materialization_event(dg.AssetKey("validated_records")) is not None
    assert len(server.requests) == 3  # the nightly run was served from the cache
