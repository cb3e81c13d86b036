"""The asset graph: raw_documents -> llm_extractions -> validated_records -> quality_report (-> evaluation).

Each asset is a thin shell: read settings and config, call the plain-Python core, write outputs, and
record numbers that Dagster plots over time (latency, cost, tokens, error rate) on every materialization.

The assets are not partitioned per document on purpose: a production inbox sees thousands of
documents a night, and a dynamic partition per document grows without bound in Dagster's storage
and UI. A run works on a selection of files (the whole inbox by default, or `paths`), and the output
tables are keyed by document id and updated in place, so a run over one document (re-running it
from the Launchpad) or over a sensor's batch of new files changes only those rows.
"""

import functools
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from extraction_pipeline.defs.config import EvaluationConfig, ExtractionConfig, InboxConfig, ReportConfig
from extraction_pipeline.defs.dead_runs import holder_tags
from extraction_pipeline.defs.metadata import (
    column_schema,
    preview_md,
    rejections_md,
    standard_numbers,
    tidied,
)
from extraction_pipeline.defs.resources import (
    LLMResource,
    OutputStorage,
    QualityThresholds,
    embedder,
    retry_client,
    routed_clients,
)
from extraction_pipeline.doctypes.packs import (
    AUTO,
    DocumentType,
    PackError,
    document_types,
    fields_for,
    nested_fields,
)
from extraction_pipeline.documents.reading import Document, InboxSnapshot, read_selected, scan_inbox
from extraction_pipeline.extraction.batch import RUN_STOPPED, ExtractionBatch, extract_all, held_back, not_sent
from extraction_pipeline.extraction.extract import ExtractionOutcome, ExtractionSettings
from extraction_pipeline.extraction.neardup import NearDuplicateIndex
from extraction_pipeline.llm.backend import resolve_backend
from extraction_pipeline.llm.budget import RunBudget
from extraction_pipeline.llm.client import LLMClient, LLMError
from extraction_pipeline.quality.evaluation import compare
from extraction_pipeline.quality.metrics import (
    call_summary,
    calls_by_model,
    cost_by_model,
    dropped_values,
    grounding_rates,
    ocr_summary,
    taken_from_document,
    type_decisions,
)
from extraction_pipeline.quality.report import build_report, to_markdown
from extraction_pipeline.quality.scoring import accuracy, load_gold
from extraction_pipeline.settings import Settings
from extraction_pipeline.storage.tables import (
    QUARANTINE,
    RECORDS,
    TableSchemaError,
    latest_per_source,
    nested_frame,
    quarantine_frame,
    read_table,
    records_frame,
    table_uri,
    update_tables,
    write_text_atomic,
)

GROUP = "document_extraction"
LLM_POOL = "llm_api"  # one limit on LLM calls across runs (deploy/dagster.yaml sets its slots)
# Every asset of the pipeline: one group in the UI, one owner to page when a run or its freshness fails.
pipeline_asset = functools.partial(dg.asset, group_name=GROUP, owners=["team:document-extraction"])


@pipeline_asset(
    kinds={"python"},
    tags={"layer": "ingest"},
    description="Documents read from the inbox; unreadable files rejected with a reason.",
)
def raw_documents(context: dg.AssetExecutionContext, config: InboxConfig) -> dg.MaterializeResult:
    started = time.perf_counter()
    inbox, deployment = Settings.load(config).inbox, Settings.load()
    if not deployment.allows_inbox(inbox):
        raise dg.Failure(
            f"inbox {inbox} is outside the folders this deployment allows ({deployment.inbox}"
            f"{''.join(f', {r}' for r in deployment.allowed_roots)}); set EXTRACTION_ALLOWED_ROOTS to allow it"
        )
    if not inbox.is_dir():
        raise dg.Failure(f"inbox {inbox} is not a folder (set EXTRACTION_INBOX or the inbox config)")
    if config.paths:
        documents, rejections = read_selected(inbox, config.paths, config.limits())
    else:
        documents, rejections = scan_inbox(inbox, config.limits())
    for rejection in rejections:
        context.log.warning(f"rejected {rejection.reason}")
    seen = len(documents) + len(rejections)
    ocr = ocr_summary(documents)
    return dg.MaterializeResult(
        value=InboxSnapshot(str(inbox), documents, rejections),
        metadata={
            **standard_numbers(
                started,
                cost_usd=0.0,
                input_tokens=0,
                output_tokens=0,
                error_rate=len(rejections) / seen if seen else 0.0,
            ),  # fmt: skip
            "inbox": dg.MetadataValue.path(str(inbox)),
            "files_seen": seen,
            "documents": len(documents),
            "rejected": len(rejections),
            "rejections": dg.MetadataValue.md(rejections_md(rejections)),
            "pdf.cells_moved_onto_rows": sum(d.cells_moved for d in documents),
            **tidied(ocr.named()),
        },
    )


@pipeline_asset(
    kinds={"openai"},
    tags={"layer": "llm"},
    pool=LLM_POOL,
    description="One LLM extraction per document (plus re-asks), with tokens, cost, latency and raw output per call.",
)
def llm_extractions(
    context: dg.AssetExecutionContext, config: ExtractionConfig, llm: LLMResource, raw_documents: InboxSnapshot
) -> dg.MaterializeResult:
    started = time.perf_counter()
    # This process now holds the llm_api slot: named on the run, so its death frees the slot.
    context.instance.add_run_tags(context.run.run_id, holder_tags(context.instance, context.run.run_id))
    settings = Settings.load(llm, config)
    doc_types = _document_types(settings, config.document_type)
    outcomes, client_numbers = _extract(context, raw_documents.documents, settings, config, llm, doc_types)
    s = call_summary(outcomes)
    standard = standard_numbers(
        started, cost_usd=s.cost_usd + (client_numbers.get("cost_usd.embeddings") or 0.0),
        input_tokens=s.input_tokens, output_tokens=s.output_tokens, error_rate=s.failed_call_rate,
    )  # fmt: skip
    return dg.MaterializeResult(
        value=ExtractionBatch(
            config.document_type, outcomes, *_batch_fields(outcomes, config.document_type, doc_types)
        ),
        metadata={
            **standard,
            **tidied({k: v for k, v in s.named().items() if k not in standard}),
            **tidied(client_numbers),
            **tidied({f"grounding_rate.{f}": rate for f, rate in grounding_rates(outcomes).items()}),
            **{f"taken_from_document.{f}": n for f, n in taken_from_document(outcomes).items()},
            **{f"dropped_invalid.{f}": n for f, n in dropped_values(outcomes).items()},
            **{f"document_types.{k}": n for k, n in type_decisions(outcomes).items()},
            **{f"llm.calls.{model}": n for model, n in calls_by_model(outcomes).items()},
            **tidied({f"cost_usd.{model}": float(usd) for model, usd in cost_by_model(outcomes).items()}),
        },
    )


def _document_types(settings: Settings, requested: str) -> dict[str, DocumentType]:
    """The run's packs; a malformed pack or an unknown configured type fails the step before any call."""
    try:
        doc_types = document_types(settings.prompts_dir, settings.document_types_dir)
    except PackError as exc:
        raise dg.Failure(description=f"document types: {exc}") from exc
    if requested != AUTO and requested not in doc_types:
        raise dg.Failure(description=f"document_type {requested!r} is not a known type; known: {sorted(doc_types)}")
    return doc_types


def _batch_fields(
    outcomes: list[ExtractionOutcome], requested: str, doc_types: dict[str, DocumentType]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The record columns of this batch (the fields of its document types, in the packs' order) and
    the list fields that get a table of their own."""
    present = [t for name, t in doc_types.items() if name in {o.document_type for o in outcomes} | {requested}]
    fields, nested = fields_for(present), set(nested_fields(present))
    return tuple(f for f in fields if f not in nested), tuple(f for f in fields if f in nested)


def _pool_slots(context: dg.AssetExecutionContext) -> int:
    """How many llm_extractions steps may run at once across runs: the rate limits are split that
    many ways (split per slot, not shared state: no coordination between runs, at the price of
    headroom left unused while fewer steps run)."""
    storage = context.instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return 1
    return max(1, storage.get_concurrency_info(LLM_POOL).slot_count)


def _extract(
    context: dg.AssetExecutionContext,
    documents: list[Document],
    settings: Settings,
    config: ExtractionConfig,
    llm: LLMResource,
    doc_types: dict[str, DocumentType],
) -> tuple[list[ExtractionOutcome], dict[str, Any]]:
    """Every document's outcome, and what the client saw (retries, throttling, embeddings)."""
    if not documents:
        return [], {}
    extraction = ExtractionSettings(
        document_type=config.document_type,
        max_reasks=config.max_reasks,
        token_budget_per_document=settings.token_budget_per_document,
        cost_budget_per_document_usd=settings.cost_budget_per_document_usd,
        grounding=config.grounding,
        complete_from_layout=config.complete_from_layout,
        quarantine_ungrounded=settings.quarantine_ungrounded,
        ocr_min_confidence=settings.ocr_min_confidence,
        send_page_images=settings.send_page_images and not _reads_text_only(context, settings),
        max_part_chars=settings.max_part_chars,
    )
    budget = RunBudget(max_tokens=settings.run_budget_tokens, max_usd=settings.run_budget_usd)
    near_duplicates: NearDuplicateIndex | None = None
    try:
        with llm.client(settings, budget, rate_share=_pool_slots(context)) as client:
            if settings.reuse_near_duplicates:
                near_duplicates = NearDuplicateIndex(
                    settings.near_duplicates_location,
                    embed=embedder(settings, client),
                    embedding_model=settings.embedding_model,
                )
            concurrency = settings.max_concurrency or client.max_concurrency
            context.log.info(
                f"extracting {len(documents)} documents with {client.model} ({client.response_format}, {concurrency} at once)"
            )
            outcomes = extract_all(
                documents, client, extraction, doc_types, max_concurrency=concurrency, report=context.log.info,
                retry_client=retry_client(settings, client),
                routes=routed_clients(settings, client),
                near_duplicates=near_duplicates,
                near_duplicate_threshold=config.near_duplicate_threshold,
            )  # fmt: skip
            numbers = _client_numbers(client)
    except LLMError as exc:  # the server could not be asked before the first document
        context.log.error(f"no document sent: {exc}")
        return not_sent(documents, exc.kind, str(exc)), {}
    finally:
        if near_duplicates is not None:
            near_duplicates.close()
    if near_duplicates is not None:
        numbers["near_duplicates.similarity"] = near_duplicates.similarity
        numbers["near_duplicates.embedding_failures"] = near_duplicates.embedding_failures
    return outcomes, numbers


def _reads_text_only(context: dg.AssetExecutionContext, settings: Settings) -> bool:
    if resolve_backend(model=settings.model).embedded:
        context.log.warning("send_page_images is on, but the embedded model reads text only: sending the OCR text")
        return True
    return False


def _client_numbers(client: LLMClient) -> dict[str, Any]:
    st = client.stats
    return {
        "llm.http_attempts": st.http_attempts,
        # The SDK's retries: HTTP attempts beyond the first of each request.
        "llm.retries": max(st.http_attempts - st.requests, 0),
        "llm.throttled_responses": st.throttled,
        "llm.rate_limit_wait_s": float(client.limiter.waited_s) if client.limiter else 0.0,
        "llm.embedding_calls": st.embedding_calls,
        "llm.embedding_tokens": st.embedding_tokens,
        # Left out when the embedding model has no price: unknown is not free.
        **({"cost_usd.embeddings": st.embedding_cost_usd} if st.embedding_cost_usd is not None else {}),
        "cache.saved_cost_usd": float(st.saved_cost_usd),
    }


@pipeline_asset(
    kinds={"pandas", "deltalake"},
    tags={"layer": "output"},
    # The nightly run refreshes the records; a day and a half without one means it did not land.
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=36)),
    description="Typed records that passed validation, and the quarantined documents with the reason (Delta tables).",
)
def validated_records(
    context: dg.AssetExecutionContext,
    storage: OutputStorage,
    thresholds: QualityThresholds,
    llm_extractions: ExtractionBatch,
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = Settings.load(storage, thresholds)
    location = settings.tables_location
    outcomes = llm_extractions.outcomes
    s = call_summary(outcomes)
    stopped = s.validation_error_rate > settings.max_validation_error_rate
    if stopped:
        reason = (
            f"run stopped: {s.validation_error_rate:.0%} of the answers failed validation, above the limit of "
            f"{settings.max_validation_error_rate:.0%}; the prompt or model looks broken, so no answer of this "
            "run is kept (the next run tries again)"
        )
        outcomes = held_back(outcomes, reason)
    fields = list(llm_extractions.fields)
    nested = {name: nested_frame(outcomes, name) for name in llm_extractions.nested}
    try:
        tables = update_tables(
            location, records_frame(outcomes, fields), quarantine_frame(outcomes), stopped, nested, context.run.run_id
        )
    except TableSchemaError as exc:
        raise dg.Failure(description=str(exc)) from exc
    records, quarantine = tables.records, tables.quarantine
    if stopped:
        raise dg.Failure(description=f"{reason}. {len(quarantine)} documents quarantined as {RUN_STOPPED}.")
    for row in quarantine.itertuples():
        context.log.warning(f"quarantined {row.source_path} ({row.error_kind}): {row.reason}")
    return dg.MaterializeResult(
        value={"records": records, "quarantine": quarantine},
        metadata={
            **standard_numbers(
                started,
                cost_usd=s.cost_usd,
                input_tokens=s.input_tokens,
                output_tokens=s.output_tokens,
                error_rate=len(quarantine) / len(outcomes) if outcomes else 0.0,
            ),  # fmt: skip
            **tidied({"cost_usd_per_record": float(s.cost_usd / len(records)) if len(records) else 0.0}),
            "records_path": dg.MetadataValue.path(table_uri(location, RECORDS)),
            "quarantine_path": dg.MetadataValue.path(table_uri(location, QUARANTINE)),
            **{f"{name}_rows": len(frame) for name, frame in nested.items()},
            **{f"{name}_path": dg.MetadataValue.path(table_uri(location, name)) for name in nested},
            "records_this_run": len(records),
            "quarantined_this_run": len(quarantine),
            "quarantined_total": len(tables.all_quarantine),
            "dagster/row_count": len(tables.all_records),
            "dagster/column_schema": column_schema(tables.all_records),
            "preview": dg.MetadataValue.md(preview_md(records, fields)),
        },
    )


@pipeline_asset(
    kinds={"markdown"},
    tags={"layer": "quality"},
    deps=[validated_records],
    description="Fill rates, error rates by kind, re-asks, cost, latency, quarantine list and (with gold labels) accuracy.",
)
def quality_report(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    storage: OutputStorage,
    raw_documents: InboxSnapshot,
    llm_extractions: ExtractionBatch,
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = Settings.load(storage, config)
    gold = settings.gold_path or Path(raw_documents.inbox) / "gold.jsonl"
    batch = llm_extractions
    report = build_report(
        raw_documents.documents,
        raw_documents.rejections,
        batch.outcomes,
        batch.document_type,
        [*batch.fields, *batch.nested],
        gold,
    )
    markdown = to_markdown(report)
    write_text_atomic(markdown, settings.output_dir / "quality_report.md")
    write_text_atomic(json.dumps(report.to_json(), indent=2, default=str), settings.output_dir / "quality_report.json")
    c = report.calls
    metadata: dict[str, Any] = {
        **standard_numbers(
            started,
            cost_usd=c.cost_usd,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            error_rate=c.validation_error_rate,
        ),  # fmt: skip
        "report": dg.MetadataValue.md(markdown),
        "report_path": dg.MetadataValue.path(str(settings.output_dir / "quality_report.md")),
        **tidied(
            {
                "valid_rate": report.valid_rate,
                "quarantine_rate": report.quarantine_rate,
                "reask_rate": c.reask_rate,
                "cost_usd_per_document": c.cost_usd_per_document,
                "tokens_per_document": c.tokens_per_document,
                "llm.latency_p50_s": c.latency_p50_s,
                "llm.latency_p95_s": c.latency_p95_s,
                "llm.latency_max_s": c.latency_max_s,
                **{f"fill_rate.{f}": v for f, v in report.fill_rate.items()},
                **{f"grounding_rate.{f}": v for f, v in report.grounding_rate.items()},
                "flagged_low_ocr_confidence": report.flagged_low_ocr_confidence,
                "flagged_ambiguous": report.flagged_ambiguous,
                **report.ocr.named(),
            }
        ),
    }
    if report.accuracy is not None:
        per_field = report.accuracy["per_field"]
        metadata.update(tidied({f"accuracy.{f}": v for f, v in per_field.items() if v is not None}))
    return dg.MaterializeResult(value=report, metadata=metadata)


@pipeline_asset(
    kinds={"python"},
    tags={"layer": "quality"},
    deps=[validated_records],
    check_specs=[dg.AssetCheckSpec("accuracy_not_below_accepted", asset="evaluation")],
    description="Per-field accuracy of the records against gold labels, checked against the last accepted evaluation of the prompt.",
)
def evaluation(
    context: dg.AssetExecutionContext, config: EvaluationConfig, storage: OutputStorage
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = Settings.load(storage, config)
    gold_path = settings.gold_path or settings.inbox / "gold.jsonl"
    location = settings.tables_location
    records, quarantine = read_table(location, RECORDS), read_table(location, QUARANTINE)
    if not gold_path.exists() or records is None:
        return dg.MaterializeResult(
            metadata={
                **standard_numbers(started, cost_usd=0.0, input_tokens=0, output_tokens=0, error_rate=0.0),
                "evaluated_documents": 0,
                "note": f"nothing to score: no gold labels at {gold_path} or no records yet",
            },
            check_results=[dg.AssetCheckResult(passed=True, description="no gold labels: nothing to compare")],
        )
    results = latest_per_source(records, quarantine)
    gold_labels = load_gold(gold_path)
    labelled = {f for fields_ in gold_labels.values() for f in fields_}
    fields = [f for f in records.columns if f in labelled]
    scores = accuracy(results, gold_labels, fields)
    per_field = {f: v for f, v in scores["per_field"].items() if v is not None}
    prompts = records.prompt.dropna().map(lambda ref: ref.split("@")[0])
    prompt_name = prompts.mode().iat[0] if not prompts.empty else "unknown"
    verdict = compare(scores["per_field"], _accepted_baseline(context, prompt_name), config.margin)
    metadata: dict[str, Any] = {
        # error_rate here: the share of labelled values that are wrong, averaged over fields.
        **standard_numbers(
            started,
            cost_usd=0.0,
            input_tokens=0,
            output_tokens=0,
            error_rate=1 - sum(per_field.values()) / len(per_field) if per_field else 0.0,
        ),  # fmt: skip
        "evaluated_documents": scores["documents_with_gold"],
        "prompt_name": prompt_name,
        "prompt_versions": ", ".join(sorted(set(records.prompt.dropna()))),
        "accepted": verdict["accepted"],
        "per_field_accuracy": dg.MetadataValue.json(per_field),
        **tidied({f"accuracy.{f}": float(v) for f, v in per_field.items()}),
    }
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                passed=verdict["accepted"],
                description=verdict["note"],
                metadata={"drops": dg.MetadataValue.json(verdict["drops"])},
            )
        ],
    )


def _accepted_baseline(context: dg.AssetExecutionContext, prompt_name: str) -> dict[str, float] | None:
    """Per-field accuracy of the newest accepted evaluation of this prompt, from the asset's history."""
    for event in context.instance.fetch_materializations(dg.AssetKey("evaluation"), limit=200, ascending=False).records:
        md = event.asset_materialization.metadata if event.asset_materialization else {}
        if (
            md.get("prompt_name")
            and md["prompt_name"].value == prompt_name
            and md.get("accepted")
            and md["accepted"].value
        ):
            return dict(md["per_field_accuracy"].value)
    return None
