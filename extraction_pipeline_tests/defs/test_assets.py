"""The asset graph, materialized for real against a scripted OpenAI-compatible server (a test double)."""

import json

import dagster as dg
import pytest

from extraction_pipeline.defs.resources import LLMResource, OutputStorage, QualityThresholds
from extraction_pipeline_tests.support.helpers import ASSETS, DEFS, answer, echo, materialize, read_delta, receipt_text
from extraction_pipeline_tests.support.pdf_builder import blank_pdf, encrypted_pdf, table_drawn_apart_pdf, text_pdf
from extraction_pipeline_tests.support.scripted_llm_server import Reply, document_text

METRICS = ("latency_s", "cost_usd", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "error_rate")


def responder(request):
    """Answers by what the document says; a re-ask (more than the two first messages) gets a good answer."""
    text, reasked = document_text(request), len(request["messages"]) > 2
    if "FENCED" in text:
        return Reply(f"Here you go:\n```json\n{answer('F')}\n```")
    if "WRONGTYPE" in text:
        return Reply(answer("W") if reasked else answer("W", total="nine ringgit", date=17))
    if "LONG" in text:
        return Reply('{"company": "SHOP L', finish_reason="length", completion_tokens=400)
    if "NONSENSE" in text:
        return Reply("I cannot help with that.")
    return echo(request)


def test_every_file_ends_as_a_record_a_quarantined_document_or_a_rejection(scripted_llm, mixed_inbox, tmp_path):
    server = scripted_llm(responder)
    result, metadata = materialize(mixed_inbox, tmp_path / "out")
    assert result.success
    records = read_delta(tmp_path / "out" / "records")
    quarantine = read_delta(tmp_path / "out" / "quarantine")

    assert sorted(records.source_path.map(lambda p: p.rsplit("/", 1)[-1])) == ["fenced.md", "plain.txt", "wrong.html"]
    assert sorted(quarantine.source_path.map(lambda p: p.rsplit("/", 1)[-1])) == ["cut.txt", "nonsense.txt"]
    assert set(records.document_id).isdisjoint(quarantine.document_id)
    by_name = quarantine.set_index(quarantine.source_path.map(lambda p: p.rsplit("/", 1)[-1]))
    assert by_name.loc["cut.txt", "error_kind"] == "truncated"
    assert by_name.loc["nonsense.txt", "error_kind"] == "parse_error"
    assert by_name.loc["nonsense.txt", "last_raw_output"] == "I cannot help with that."
    assert by_name.loc["cut.txt", "attempts"] == 1  # a cut-off answer is not re-asked
    assert records.set_index("company").loc["SHOP W SDN BHD", "attempts"] == 2
    assert list(records.columns[:7]) == [
        "document_id",
        "source_path",
        "company",
        "date",
        "address",
        "total",
        "currency",
    ]

    report = result.output_for_node("quality_report")
    assert (report.files_seen, report.rejected, report.records, report.quarantined) == (6, 1, 3, 2)
    assert report.accuracy["per_field"] == {"company": 1.0, "date": 1.0, "address": 1.0, "total": 1.0}
    assert report.errors_by_kind == {"parse_error": 3, "validation_error": 1, "truncated": 1}
    assert "empty file" in report.rejections[0]["reason"]
    # 5 documents: plain, fenced, wrong (2 calls), cut, nonsense (3 calls) = 8 calls
    assert len(server.requests) == 8


def test_raw_documents_counts_the_table_cells_moved_onto_their_rows(scripted_llm, tmp_path):
    """The text handed on is not the text layer's order there, and the run says so."""
    scripted_llm(responder)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "table.pdf").write_bytes(table_drawn_apart_pdf())
    _, metadata = materialize(inbox, tmp_path / "out")
    assert metadata["raw_documents"]["pdf.cells_moved_onto_rows"].value == 1


def test_every_asset_records_latency_cost_tokens_and_error_rate(scripted_llm, mixed_inbox, tmp_path):
    scripted_llm(responder)
    _, metadata = materialize(mixed_inbox, tmp_path / "out")
    for asset, values in metadata.items():
        for name in METRICS:
            assert name in values, f"{asset} lacks {name}"
    llm = metadata["llm_extractions"]
    assert llm["gen_ai.usage.input_tokens"].value == 8 * 100
    assert llm["cost_usd"].value == pytest.approx((8 * 100 * 0.15 + (5 * 20 + 2 * 20 + 400) * 0.60) / 1e6)
    assert llm["error_rate"].value == pytest.approx(1 / 8)  # the truncated call
    # Shown as a person reads them: shares to the thousandth, seconds to the hundredth.
    assert metadata["raw_documents"]["error_rate"].value == 0.167
    assert all(round(m["latency_s"].value, 2) == m["latency_s"].value for m in metadata.values())
    assert metadata["validated_records"]["error_rate"].value == pytest.approx(2 / 5)
    assert "llm.latency_p95_s" in llm and "llm.reask_rate" in llm
    assert "# Quality report" in metadata["quality_report"]["report"].value


def test_a_second_run_over_unchanged_documents_is_served_from_the_cache_and_updates_rows_in_place(
    scripted_llm, mixed_inbox, tmp_path
):
    server = scripted_llm(responder)
    _, first = materialize(mixed_inbox, tmp_path / "out")
    result, second = materialize(mixed_inbox, tmp_path / "out")
    assert len(server.requests) == 8  # all from the first run
    llm = second["llm_extractions"]
    assert (llm["llm.calls"].value, llm["cache.hits"].value, llm["cost_usd"].value) == (0, 8, 0.0)
    assert llm["cache.saved_cost_usd"].value == pytest.approx(first["llm_extractions"]["cost_usd"].value)
    records = read_delta(tmp_path / "out" / "records")
    assert records.document_id.is_unique and len(records) == 3
    assert result.output_for_node("quality_report").records == 3


def test_a_spent_run_budget_quarantines_the_rest_with_reason_budget(scripted_llm, mixed_inbox, tmp_path):
    server = scripted_llm(echo)
    result, metadata = materialize(mixed_inbox, tmp_path / "out", run_budget_tokens=250, max_concurrency=1)
    report = result.output_for_node("quality_report")
    assert len(server.requests) == 3  # 120 tokens each: the third starts below 250, none after
    assert report.records == 3 and report.quarantine_by_kind == {"budget": 2}
    assert all("run budget of 250 tokens" in q["reason"] for q in report.quarantine)


def test_the_api_key_appears_in_no_output_metadata_or_event(scripted_llm, mixed_inbox, tmp_path):
    scripted_llm(responder)
    with dg.instance_for_test() as instance:
        dg.materialize(
            ASSETS,
            instance=instance,
            resources={
                "llm": LLMResource(max_retries=0),
                "storage": OutputStorage(output_dir=str(tmp_path / "out")),
                "thresholds": QualityThresholds(),
            },
            run_config={"ops": {"raw_documents": {"config": {"inbox": str(mixed_inbox)}}}},
        )
        events = instance.all_logs(instance.get_runs()[0].run_id)
        assert all("sk-test-not-a-real-key" not in str(event) for event in events)
    for path in (tmp_path / "out").rglob("*"):  # the tables' data files and commit logs included
        assert path.is_dir() or b"sk-test-not-a-real-key" not in path.read_bytes()


def test_definitions_load_with_one_group_and_the_llm_asset_in_a_pool():
    graph = DEFS.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"raw_documents", "llm_extractions", "validated_records", "quality_report", "evaluation"}
    assert {graph.get(dg.AssetKey(k)).group_name for k in keys} == {"document_extraction"}
    assert DEFS.get_assets_def("llm_extractions").op.pool == "llm_api"
    assert DEFS.resolve_job_def("extract_documents") is not None


def test_a_folder_of_unchecked_files_costs_no_document_and_names_every_rejected_file(scripted_llm, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = {
        "good one.txt": receipt_text("B", "ONE").encode(),
        "caf\u00e9 $(echo) ;rm.pdf": text_pdf(receipt_text("B", "PDF").splitlines()),
        "latin1.txt": receipt_text("B", "CAF\u00c9").encode("latin-1"),
        "utf16.md": receipt_text("B", "UTF16").encode("utf-16"),
    }
    bad = {"empty.txt": b"", "photo.txt": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "broken.pdf": b"%PDF-1.4\n%%EOF garbage",
           "locked.pdf": encrypted_pdf(["TOTAL 1.00"]), "scan.pdf": blank_pdf(), "huge.txt": b"A" * (10 * 1024 * 1024 + 1)}  # fmt: skip
    for name, data in {**good, **bad}.items():
        (inbox / name).write_bytes(data)
    (tmp_path / "outside.txt").write_text("SECRET SHOP\nTOTAL 1.00")
    (inbox / "link.txt").symlink_to(tmp_path / "outside.txt")
    server = scripted_llm(lambda req: Reply(answer("B")))
    result, _ = materialize(inbox, tmp_path / "out")
    report = result.output_for_node("quality_report")
    assert (report.files_seen, report.records, report.quarantined, report.rejected) == (11, 4, 0, 7)
    rejected = {r["source_path"].rsplit("/", 1)[-1] for r in report.rejections}
    assert rejected == {*bad, "link.txt"}
    assert all(r["source_path"] in r["reason"] for r in report.rejections)
    assert not any("SECRET" in json.dumps(r) for r in server.requests)


def test_the_launchpad_cannot_point_the_inbox_at_the_rest_of_the_disk(scripted_llm, tmp_path, monkeypatch):
    server = scripted_llm(echo)
    monkeypatch.setenv("EXTRACTION_ALLOWED_ROOTS", str(tmp_path / "inboxes"))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            ASSETS, instance=instance, raise_on_error=False,
            resources={"llm": LLMResource(max_retries=0), "storage": OutputStorage(output_dir=str(tmp_path / "out")), "thresholds": QualityThresholds()},
            run_config={"ops": {"raw_documents": {"config": {"inbox": "/"}}}},
        )  # fmt: skip
    assert not result.success and server.requests == []
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "inbox / is outside the folders this deployment allows" in str(failure.event_specific_data.error)
