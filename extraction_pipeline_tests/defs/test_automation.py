"""The sensor, the nightly schedule, the asset checks and the retry with a stronger model."""

import json

import dagster as dg
import pytest

from extraction_pipeline.documents.inbox_watch import load_cursor
from extraction_pipeline.settings import Settings, parse_routes
from extraction_pipeline_tests.support.helpers import (
    DEFS,
    INVOICE,
    INVOICE_ANSWER,
    answer,
    echo,
    land,
    read_delta,
    receipt_text,
)
from extraction_pipeline_tests.support.scripted_llm_server import Reply, document_text


def tick(instance, cursor=None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=DEFS)
    return DEFS.resolve_sensor_def("new_files_sensor")(context)


def paths_of(result):
    return [sorted(r.run_config["ops"]["raw_documents"]["config"]["paths"]) for r in result.run_requests]


def test_sensor_requests_new_complete_files_once_per_content(watched_inbox):
    land(watched_inbox, "a.txt", "SHOP A")
    land(watched_inbox, "b.txt", "SHOP B")
    land(watched_inbox, "copying.txt", "SHOP C", age_s=0.5)  # still being written
    with dg.instance_for_test() as instance:
        first = tick(instance)
        assert paths_of(first) == [["a.txt", "b.txt"]]
        assert first.run_requests[0].run_key.startswith("inbox-")

        second = tick(instance, first.cursor)
        assert second.run_requests == [] or not second.run_requests

        land(watched_inbox, "copy of a.txt", "SHOP A")  # same bytes, new name: not new
        land(watched_inbox, "b.txt", "SHOP B, corrected")  # edited: new content
        land(watched_inbox, "copying.txt", "SHOP C")  # finished copying
        third = tick(instance, second.cursor)
        assert paths_of(third) == [["b.txt", "copying.txt"]]
        assert len(load_cursor(third.cursor)) == 3  # A, new B, C: the old B left the inbox


def test_two_hundred_files_at_once_become_four_runs_of_fifty(watched_inbox):
    for i in range(200):
        land(watched_inbox, f"r{i:03d}.txt", f"SHOP {i}")
    with dg.instance_for_test() as instance:
        result = tick(instance)
    assert [len(p) for p in paths_of(result)] == [50, 50, 50, 50]
    assert len({r.run_key for r in result.run_requests}) == 4


def test_sensor_and_schedule_start_running(watched_inbox):
    assert DEFS.resolve_sensor_def("new_files_sensor").default_status == dg.DefaultSensorStatus.RUNNING
    schedule = DEFS.resolve_schedule_def("nightly_extraction")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")


def run_job(instance, run_config=None, **resources):
    job = DEFS.resolve_job_def("extract_documents")
    return job.execute_in_process(
        run_config=run_config or {}, instance=instance, raise_on_error=False, resources=resources or None
    )


def test_nightly_run_on_an_unchanged_inbox_makes_no_llm_calls(scripted_llm, watched_inbox):
    server = scripted_llm(lambda req: Reply(answer("N")))
    for i in range(3):
        land(watched_inbox, f"r{i}.txt", receipt_text("N", f"REF {i}"))
    with dg.instance_for_test() as instance:
        assert run_job(instance).success
        calls_before = len(server.requests)
        context = dg.build_schedule_context(instance=instance)
        (request,) = DEFS.resolve_schedule_def("nightly_extraction").evaluate_tick(context).run_requests
        nightly = run_job(instance, request.run_config)
    assert nightly.success and calls_before == 3 and len(server.requests) == 3
    assert nightly.output_for_node("quality_report").records == 3


def test_a_broken_model_fails_the_run_and_leaves_every_document_quarantined_with_the_reason(
    scripted_llm, watched_inbox, tmp_path
):
    """Most answers invalid: even the valid one is held back, and no document is left in no table."""
    good = {"r-good.txt": receipt_text("G")}
    broken = {f"r{i}.txt": receipt_text(f"B{i}") for i in range(3)}
    scripted_llm(lambda req: echo(req) if "SHOP G " in document_text(req) else Reply("I cannot read receipts."))
    for name, text in {**good, **broken}.items():
        land(watched_inbox, name, text)
    with dg.instance_for_test() as instance:
        result = run_job(instance)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["validation_error_rate_below_threshold"] is False and not result.success
    records = read_delta(tmp_path / "out" / "records")
    quarantine = read_delta(tmp_path / "out" / "quarantine")
    assert records.empty and len(quarantine) == 4
    assert set(quarantine.error_kind) == {"run_stopped"}
    assert all("failed validation, above the limit" in reason for reason in quarantine.reason)
    own = dict(zip(quarantine.source_path.map(lambda p: p.rsplit("/", 1)[-1]), quarantine.reason))
    assert own["r-good.txt"].endswith("This document's own answer was valid.")
    assert all(
        "This document's own outcome: parse_error: still invalid after 3" in own[f"r{i}.txt"] for i in range(3)
    ), own


def test_cost_check_warns_without_blocking(scripted_llm, watched_inbox, monkeypatch):
    monkeypatch.setenv("EXTRACTION_MAX_COST_PER_DOCUMENT_USD", "0.0000001")
    scripted_llm(lambda req: Reply(answer("C")))
    land(watched_inbox, "r.txt", receipt_text("C"))
    with dg.instance_for_test() as instance:
        result = run_job(instance)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"validation_error_rate_below_threshold": True, "cost_per_document_within_budget": False,
                      "quarantine_share_below_threshold": True, "accuracy_not_below_accepted": True}  # fmt: skip
    assert result.success and result.output_for_node("quality_report").records == 1


def test_documents_the_first_model_cannot_extract_go_to_the_retry_model(scripted_llm, watched_inbox, monkeypatch):
    monkeypatch.setenv("EXTRACTION_RETRY_MODEL", "gpt-4o")
    server = scripted_llm(lambda req: Reply(answer("S")) if req["model"] == "gpt-4o" else Reply("no idea"))
    land(watched_inbox, "r.txt", receipt_text("S"))
    with dg.instance_for_test() as instance:
        result = run_job(instance, {"ops": {"llm_extractions": {"config": {"max_reasks": 0}}}})
    assert [r["model"] for r in server.requests] == ["gpt-4o-mini", "gpt-4o"]
    batch = result.output_for_node("llm_extractions")
    (outcome,) = batch.outcomes
    assert outcome.status == "valid" and [c.model for c in outcome.calls] == ["gpt-4o-mini", "gpt-4o"]
    metadata = result.asset_materializations_for_node("llm_extractions")[0].metadata
    assert metadata["llm.calls.gpt-4o-mini"].value == 1 and metadata["llm.calls.gpt-4o"].value == 1


def test_documents_are_sent_grouped_by_model_and_retries_come_last(scripted_llm, watched_inbox, monkeypatch):
    """A llama.cpp server holds one model at a time: each switch of model is a model load."""
    monkeypatch.setenv("EXTRACTION_RETRY_MODEL", "gpt-4o")
    monkeypatch.setenv("EXTRACTION_ROUTES", "invoice=gpt-4o")

    def reply(req):
        if req["model"] == "gpt-4o":
            return Reply(INVOICE_ANSWER) if "INV-2024-117" in json.dumps(req) else echo(req)
        return Reply("no idea") if "SHOP B " in json.dumps(req) else echo(req)

    server = scripted_llm(reply)
    for name, text in (("a.txt", receipt_text("A")), ("b.txt", receipt_text("B")), ("c.txt", INVOICE),
                       ("d.txt", receipt_text("D"))):  # fmt: skip
        land(watched_inbox, name, text)
    config = {"ops": {"llm_extractions": {"config": {"max_reasks": 0, "max_concurrency": 1}}}}
    with dg.instance_for_test() as instance:
        result = run_job(instance, config)
    # The invoice's model first (sorted by name), then the three receipts, then receipt B's retry.
    assert [r["model"] for r in server.requests] == ["gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o"]
    outcomes = {o.source_path.rsplit("/", 1)[-1]: o for o in result.output_for_node("llm_extractions").outcomes}
    assert [c.model for c in outcomes["b.txt"].calls] == ["gpt-4o-mini", "gpt-4o"] and outcomes[
        "b.txt"
    ].status == "valid"
    assert all(o.status == "valid" for o in outcomes.values())


def test_an_accuracy_drop_below_the_accepted_evaluation_fails_the_check(scripted_llm, watched_inbox):
    good = lambda req: echo(req)  # noqa: E731
    wrong_total = lambda req: Reply(echo(req).content.replace("9.5", "19.5"))  # noqa: E731
    gold = [{"id": f"r{i}", "fields": {"company": f"SHOP G{i} SDN BHD", "total": "9.50"}} for i in range(4)]
    (watched_inbox / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    for i in range(4):
        land(watched_inbox, f"r{i}.txt", receipt_text(f"G{i}", "19.50 SERVICE"))
    with dg.instance_for_test() as instance:
        scripted_llm(good)
        first = run_job(instance)
        scripted_llm(wrong_total)
        (watched_inbox / "r0.txt").write_text(receipt_text("G0", "19.50 SERVICE CHARGE"))  # new content: asked again
        (watched_inbox / "r1.txt").write_text(receipt_text("G1", "19.50 SERVICE CHARGE"))
        second = run_job(instance)
    verdicts = [
        {e.check_name: e for e in r.get_asset_check_evaluations()}["accuracy_not_below_accepted"]
        for r in (first, second)
    ]
    assert verdicts[0].passed and "baseline" in verdicts[0].description
    assert not verdicts[1].passed and "total 1.000 -> 0.5" in verdicts[1].description
    accuracy = second.asset_materializations_for_node("evaluation")[0].metadata["accuracy.total"].value
    assert accuracy == 0.5


def test_the_routing_table_sends_each_document_type_to_its_model(scripted_llm, watched_inbox, monkeypatch):
    monkeypatch.setenv("EXTRACTION_ROUTES", "invoice=gpt-4o")
    server = scripted_llm(lambda req: Reply(INVOICE_ANSWER) if req["model"] == "gpt-4o" else echo(req))
    land(watched_inbox, "invoice.txt", INVOICE)
    land(watched_inbox, "receipt.txt", receipt_text("R"))
    with dg.instance_for_test() as instance:
        result = run_job(instance)
    assert sorted(r["model"] for r in server.requests) == ["gpt-4o", "gpt-4o-mini"]
    records = result.output_for_node("validated_records")["records"].set_index("document_type")
    assert records.loc["invoice", "model"] == "gpt-4o" and records.loc["receipt", "model"] == "gpt-4o-mini"
    assert records.loc["invoice", "issuer"] == "ACME Industrial GmbH"


def test_a_malformed_routing_table_is_refused_with_the_variable_named():
    assert parse_routes("receipt=gpt-4o-mini, invoice=gpt-4o") == {"receipt": "gpt-4o-mini", "invoice": "gpt-4o"}
    with pytest.raises(ValueError, match="EXTRACTION_ROUTES"):
        Settings.load(env={"EXTRACTION_ROUTES": "invoice:gpt-4o"})


def test_a_record_with_a_value_not_in_the_document_also_goes_to_the_retry_model(
    scripted_llm, watched_inbox, monkeypatch
):
    monkeypatch.setenv("EXTRACTION_RETRY_MODEL", "gpt-4o")
    invented = lambda req: Reply(echo(req).content.replace("9.5", "99.99"))  # noqa: E731
    server = scripted_llm(lambda req: echo(req) if req["model"] == "gpt-4o" else invented(req))
    land(watched_inbox, "r.txt", receipt_text("U"))
    with dg.instance_for_test() as instance:
        result = run_job(instance, {"ops": {"llm_extractions": {"config": {"max_reasks": 0}}}})
    (outcome,) = result.output_for_node("llm_extractions").outcomes
    assert [r["model"] for r in server.requests] == ["gpt-4o-mini", "gpt-4o"]
    assert outcome.status == "valid" and outcome.ungrounded == [] and str(outcome.record["total"]) == "9.5"
