"""The asset graph: raw_documents -> llm_extractions -> validated_records -> quality_report.

Each asset is a thin shell: read config, call the plain-Python core, write outputs, and record
numbers that Dagster plots over time (latency, cost, tokens, error rate) on every materialization.

The assets are not partitioned per document on purpose: a production inbox sees thousands of
documents a night, and a dynamic partition per document grows without bound in Dagster's storage
and UI. A run works on a selection of files (the whole inbox by default, or `paths`), and the output
tables are keyed by document id and updated in place, so a run over one document (re-running it
from the Launchpad) or over a sensor's batch of new files changes only those rows.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import dagster as dg
import pandas as pd
from pydantic import Field

from .backend import cache_path
from .batch import extract_all
from .budget import RunBudget
from .documents import DEFAULT_MAX_BYTES, Document, RejectedFile, Rejection, read_document, scan_inbox
from .evaluation import MARGIN_DEFAULT, compare
from .extraction import ExtractionOutcome, ExtractionSettings
from .llm_client import LLMClient
from .local_model import REPO_ROOT
from .metrics import call_summary, calls_by_model, cost_by_model, grounding_rates, layout_completions
from .neardup import NearDuplicateIndex
from .quality import batch_fields, build_report, to_markdown
from .resources import LLMResource, OutputStorage
from .schemas import AUTO, DOCUMENT_TYPES, fields_for_types
from .scoring import accuracy, load_gold
from .settings import env_number, first_set
from .tables import (
    KEY,
    exclusive,
    latest_per_source,
    merge,
    quarantine_frame,
    read_table,
    records_frame,
    write_atomic,
    write_text_atomic,
)

GROUP = "document_extraction"
RECORDS_FILE = "records.parquet"
QUARANTINE_FILE = "quarantine.parquet"


@dataclass(frozen=True)
class InboxSnapshot:
    inbox: str
    documents: list[Document]
    rejections: list[Rejection]


@dataclass(frozen=True)
class ExtractionBatch:
    document_type: str
    outcomes: list[ExtractionOutcome]


def default_inbox() -> Path:
    return Path(os.environ.get("EXTRACTION_INBOX") or REPO_ROOT / "data" / "inbox")


class InboxConfig(dg.Config):
    inbox: Optional[str] = Field(default=None, description="folder to read; default $EXTRACTION_INBOX or data/inbox")
    paths: Optional[list[str]] = Field(
        default=None, description="only these files of the inbox, e.g. to re-run one document"
    )
    max_file_bytes: int = Field(default=DEFAULT_MAX_BYTES, description="larger files are rejected")


class ExtractionConfig(dg.Config):
    document_type: str = Field(
        default=AUTO,
        description=f"'auto' (detect each document: receipt, invoice, or other, which is quarantined) or one of {sorted(DOCUMENT_TYPES)}",
    )
    max_reasks: int = Field(default=2, description="re-asks after an invalid answer, per document")
    token_budget_per_document: Optional[int] = Field(
        default=None,
        description="no re-ask once a document has used this many tokens; default $EXTRACTION_DOC_BUDGET_TOKENS or 6000",
    )
    cost_budget_per_document_usd: Optional[float] = Field(
        default=None, description="the same in USD; default $EXTRACTION_DOC_BUDGET_USD"
    )
    run_budget_tokens: Optional[int] = Field(
        default=None,
        description="stop calling the LLM after this many tokens in the run; default $EXTRACTION_RUN_BUDGET_TOKENS",
    )
    run_budget_usd: Optional[float] = Field(
        default=None, description="the same in USD; default $EXTRACTION_RUN_BUDGET_USD"
    )
    reuse_near_duplicates: Optional[bool] = Field(
        default=None,
        description="let a near copy of an extracted document take its answer when all of it is in the copy; default $EXTRACTION_NEAR_DUPLICATES (off)",
    )
    near_duplicate_threshold: Optional[float] = Field(
        default=None,
        description="similarity for a near copy; default 0.97 (cosine) with an embedding model, else 0.9 (word 3-gram Jaccard)",
    )
    grounding: bool = Field(
        default=True, description="look up every value in the document; re-ask when it is not there"
    )
    complete_from_layout: bool = Field(
        default=True,
        description="complete a name or address the model cut short from the lines printed around it (the model's own value is kept in model_values)",
    )
    quarantine_ungrounded: Optional[list[str]] = Field(
        default=None,
        description="fields to quarantine (not just flag) when their value is not in the document; default $EXTRACTION_QUARANTINE_UNGROUNDED (comma-separated)",
    )
    max_concurrency: Optional[int] = Field(
        default=None,
        description="parallel LLM calls; default $EXTRACTION_MAX_CONCURRENCY, else 4 (1 for the embedded server)",
    )


class ReportConfig(dg.Config):
    gold_path: Optional[str] = Field(
        default=None, description="gold labels (JSONL); default gold.jsonl in the inbox when present"
    )


def _numbers(
    started: float, *, cost_usd: float, input_tokens: int, output_tokens: int, error_rate: float
) -> dict[str, Any]:
    """The four measures every asset records, under the same names, so their plots line up."""
    return {
        "latency_s": dg.MetadataValue.float(time.perf_counter() - started),
        "cost_usd": dg.MetadataValue.float(float(cost_usd)),
        "gen_ai.usage.input_tokens": dg.MetadataValue.int(int(input_tokens)),
        "gen_ai.usage.output_tokens": dg.MetadataValue.int(int(output_tokens)),
        "error_rate": dg.MetadataValue.float(float(error_rate)),
    }


@dg.asset(
    group_name=GROUP,
    kinds={"python"},
    description="Documents read from the inbox; unreadable files rejected with a reason.",
)
def raw_documents(context: dg.AssetExecutionContext, config: InboxConfig) -> dg.MaterializeResult:
    started = time.perf_counter()
    inbox = Path(config.inbox) if config.inbox else default_inbox()
    if not inbox.is_dir():
        raise dg.Failure(f"inbox {inbox} is not a folder (set EXTRACTION_INBOX or the inbox config)")
    if config.paths:
        documents, rejections = _read_selected(inbox, config.paths, config.max_file_bytes)
    else:
        documents, rejections = scan_inbox(inbox, config.max_file_bytes)
    for rejection in rejections:
        context.log.warning(f"rejected {rejection.reason}")
    seen = len(documents) + len(rejections)
    return dg.MaterializeResult(
        value=InboxSnapshot(str(inbox), documents, rejections),
        metadata={
            **_numbers(
                started,
                cost_usd=0.0,
                input_tokens=0,
                output_tokens=0,
                error_rate=len(rejections) / seen if seen else 0.0,
            ),
            "inbox": dg.MetadataValue.path(str(inbox)),
            "files_seen": seen,
            "documents": len(documents),
            "rejected": len(rejections),
            "rejections": dg.MetadataValue.md(_rejections_md(rejections)),
        },
    )


def _read_selected(inbox: Path, paths: list[str], max_bytes: int) -> tuple[list[Document], list[Rejection]]:
    documents, rejections = [], []
    for name in paths:
        path = Path(name) if Path(name).is_absolute() else inbox / name
        try:
            if not path.resolve().is_relative_to(inbox.resolve()):
                raise RejectedFile(f"{path}: not inside the inbox {inbox}")
            documents.append(read_document(path, inbox, max_bytes))
        except RejectedFile as exc:
            rejections.append(Rejection(str(path), str(exc)))
    return documents, rejections


def _rejections_md(rejections: list[Rejection]) -> str:
    return "\n".join(f"- {r.reason}" for r in rejections) or "none"


@dg.asset(
    group_name=GROUP,
    kinds={"openai"},
    pool="llm_api",
    description="One LLM extraction per document (plus re-asks), with tokens, cost, latency and raw output per call.",
)
def llm_extractions(
    context: dg.AssetExecutionContext, config: ExtractionConfig, llm: LLMResource, raw_documents: InboxSnapshot
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = ExtractionSettings(
        document_type=config.document_type,
        max_reasks=config.max_reasks,
        token_budget_per_document=first_set(
            config.token_budget_per_document, env_number("EXTRACTION_DOC_BUDGET_TOKENS", int), 6000
        ),
        cost_budget_per_document_usd=first_set(
            config.cost_budget_per_document_usd, env_number("EXTRACTION_DOC_BUDGET_USD", float)
        ),
        grounding=config.grounding,
        complete_from_layout=config.complete_from_layout,
        quarantine_ungrounded=tuple(
            config.quarantine_ungrounded
            if config.quarantine_ungrounded is not None
            else filter(None, os.environ.get("EXTRACTION_QUARANTINE_UNGROUNDED", "").split(","))
        ),
    )
    budget = RunBudget(
        max_tokens=first_set(config.run_budget_tokens, env_number("EXTRACTION_RUN_BUDGET_TOKENS", int)),
        max_usd=first_set(config.run_budget_usd, env_number("EXTRACTION_RUN_BUDGET_USD", float)),
    )
    documents = raw_documents.documents
    client_numbers: dict[str, Any] = {}
    outcomes: list[ExtractionOutcome] = []
    reuse = config.reuse_near_duplicates
    if reuse is None:
        reuse = os.environ.get("EXTRACTION_NEAR_DUPLICATES", "").lower() in ("1", "true", "yes", "on")
    near_duplicates: NearDuplicateIndex | None = None
    if documents:
        with llm.client(budget) as client:
            if reuse:
                near_duplicates = NearDuplicateIndex(
                    cache_path().with_name("near_duplicates.sqlite3"),
                    embed=llm.embedder(client),
                    embedding_model=llm.embedding_model_name(),
                )
            concurrency = first_set(
                config.max_concurrency, env_number("EXTRACTION_MAX_CONCURRENCY", int), client.max_concurrency
            )
            context.log.info(
                f"extracting {len(documents)} documents with {client.model} ({client.response_format}, {concurrency} at once)"
            )
            outcomes = extract_all(
                documents, client, settings, max_concurrency=concurrency, report=context.log.info,
                retry_client=llm.retry_client(client),
                routes=llm.routed_clients(client),
                near_duplicates=near_duplicates,
                near_duplicate_threshold=config.near_duplicate_threshold,
            )  # fmt: skip
            client_numbers = _client_numbers(client)
    if near_duplicates is not None:
        near_duplicates.close()
        client_numbers["near_duplicates.similarity"] = near_duplicates.similarity
        client_numbers["near_duplicates.embedding_failures"] = near_duplicates.embedding_failures
    s = call_summary(outcomes)
    embedding_cost = client_numbers.get("cost_usd.embeddings") or 0.0
    return dg.MaterializeResult(
        value=ExtractionBatch(config.document_type, outcomes),
        metadata={
            **_numbers(
                started,
                cost_usd=s["cost_usd"] + embedding_cost,
                input_tokens=s["gen_ai.usage.input_tokens"],
                output_tokens=s["gen_ai.usage.output_tokens"],
                error_rate=s["llm.failed_call_rate"],
            ),
            **{k: v for k, v in s.items() if not k.startswith("gen_ai.usage.") or k.endswith("cached_input_tokens")},
            **client_numbers,
            **{f"grounding_rate.{f}": rate for f, rate in grounding_rates(outcomes).items()},
            **{f"layout_completions.{f}": n for f, n in layout_completions(outcomes).items()},
            **{f"llm.calls.{model}": n for model, n in calls_by_model(outcomes).items()},
            **{f"cost_usd.{model}": float(usd) for model, usd in cost_by_model(outcomes).items()},
        },
    )


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


@dg.asset(
    group_name=GROUP,
    kinds={"pandas", "parquet"},
    description="Typed records that passed validation, and the quarantined documents with the reason (Parquet).",
)
def validated_records(
    context: dg.AssetExecutionContext, storage: OutputStorage, llm_extractions: ExtractionBatch
) -> dg.MaterializeResult:
    started = time.perf_counter()
    outcomes = llm_extractions.outcomes
    fields = batch_fields(outcomes, llm_extractions.document_type)
    records = records_frame(outcomes, fields)
    quarantine = quarantine_frame(outcomes)
    records_path, quarantine_path = storage.path / RECORDS_FILE, storage.path / QUARANTINE_FILE
    with exclusive(storage.path):
        all_records = merge(read_table(records_path), records, drop_ids=set(quarantine[KEY]))
        all_quarantine = merge(read_table(quarantine_path), quarantine, drop_ids=set(records[KEY]))
        write_atomic(all_records, records_path)
        write_atomic(all_quarantine, quarantine_path)
    s = call_summary(outcomes)
    for row in quarantine.itertuples():
        context.log.warning(f"quarantined {row.source_path} ({row.error_kind}): {row.reason}")
    return dg.MaterializeResult(
        value={"records": records, "quarantine": quarantine},
        metadata={
            **_numbers(
                started,
                cost_usd=s["cost_usd"],
                input_tokens=s["gen_ai.usage.input_tokens"],
                output_tokens=s["gen_ai.usage.output_tokens"],
                error_rate=len(quarantine) / len(outcomes) if outcomes else 0.0,
            ),
            "cost_usd_per_record": float(s["cost_usd"] / len(records)) if len(records) else 0.0,
            "records_path": dg.MetadataValue.path(str(records_path)),
            "quarantine_path": dg.MetadataValue.path(str(quarantine_path)),
            "records_this_run": len(records),
            "quarantined_this_run": len(quarantine),
            "quarantined_total": len(all_quarantine),
            "dagster/row_count": len(all_records),
            "dagster/column_schema": _column_schema(all_records),
            "preview": dg.MetadataValue.md(_preview_md(records, fields)),
        },
    )


def _column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(str(c), str(t)) for c, t in frame.dtypes.items()])


def _preview_md(records: pd.DataFrame, fields: list[str], limit: int = 20) -> str:
    if records.empty:
        return "no records in this run"
    cols = ["source_path", *fields]
    head = records[cols].head(limit).assign(source_path=lambda f: f.source_path.map(lambda p: Path(p).name))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in head.itertuples(index=False)]
    return "\n".join(lines)


@dg.asset(
    group_name=GROUP,
    kinds={"markdown"},
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
    gold = Path(config.gold_path) if config.gold_path else Path(raw_documents.inbox) / "gold.jsonl"
    report = build_report(
        raw_documents.documents, raw_documents.rejections, llm_extractions.outcomes, llm_extractions.document_type, gold
    )
    markdown = to_markdown(report)
    write_text_atomic(markdown, storage.path / "quality_report.md")
    write_text_atomic(json.dumps(report, indent=2, default=str), storage.path / "quality_report.json")
    metadata: dict[str, Any] = {
        **_numbers(
            started,
            cost_usd=report["cost_usd"],
            input_tokens=report["gen_ai.usage.input_tokens"],
            output_tokens=report["gen_ai.usage.output_tokens"],
            error_rate=report["validation.error_rate"],
        ),
        "report": dg.MetadataValue.md(markdown),
        "report_path": dg.MetadataValue.path(str(storage.path / "quality_report.md")),
        "valid_rate": report["valid_rate"],
        "quarantine_rate": report["quarantined"] / report["documents"] if report["documents"] else 0.0,
        "reask_rate": report["llm.reask_rate"],
        "cost_usd_per_document": report["cost_usd_per_document"],
        "tokens_per_document": report["tokens_per_document"],
        "llm.latency_p50_s": report["llm.latency_p50_s"],
        "llm.latency_p95_s": report["llm.latency_p95_s"],
        "llm.latency_max_s": report["llm.latency_max_s"],
    }
    metadata.update({f"fill_rate.{f}": v for f, v in report["fill_rate"].items()})
    metadata.update({f"grounding_rate.{f}": v for f, v in report["grounding_rate"].items()})
    if "accuracy" in report:
        metadata.update({f"accuracy.{f}": v for f, v in report["accuracy"]["per_field"].items() if v is not None})
    return dg.MaterializeResult(value=report, metadata=metadata)


class EvaluationConfig(dg.Config):
    gold_path: Optional[str] = Field(
        default=None, description="gold labels (JSONL); default $EXTRACTION_GOLD or gold.jsonl in the inbox"
    )
    margin: float = Field(
        default=MARGIN_DEFAULT, description="largest accepted drop per field below the last accepted evaluation"
    )


@dg.asset(
    group_name=GROUP,
    kinds={"python"},
    deps=[validated_records],
    check_specs=[dg.AssetCheckSpec("accuracy_not_below_accepted", asset="evaluation")],
    description="Per-field accuracy of the records against gold labels, checked against the last accepted evaluation of the prompt.",
)
def evaluation(
    context: dg.AssetExecutionContext, config: EvaluationConfig, storage: OutputStorage
) -> dg.MaterializeResult:
    started = time.perf_counter()
    gold_path = Path(config.gold_path or os.environ.get("EXTRACTION_GOLD") or default_inbox() / "gold.jsonl")
    records, quarantine = read_table(storage.path / RECORDS_FILE), read_table(storage.path / QUARANTINE_FILE)
    if not gold_path.exists() or records is None:
        return dg.MaterializeResult(
            metadata={
                **_numbers(started, cost_usd=0.0, input_tokens=0, output_tokens=0, error_rate=0.0),
                "evaluated_documents": 0,
                "note": f"nothing to score: no gold labels at {gold_path} or no records yet",
            },
            check_results=[dg.AssetCheckResult(passed=True, description="no gold labels: nothing to compare")],
        )
    results = latest_per_source(records, quarantine)
    fields = [f for f in records.columns if f in fields_for_types(set(DOCUMENT_TYPES))]
    scores = accuracy(results, load_gold(gold_path), fields)
    per_field = scores["per_field"]
    prompts = records.prompt.dropna().map(lambda ref: ref.split("@")[0])
    prompt_name = prompts.mode().iat[0] if not prompts.empty else "unknown"
    verdict = compare(per_field, _accepted_baseline(context, prompt_name), config.margin)
    known = [v for v in per_field.values() if v is not None]
    metadata: dict[str, Any] = {
        # error_rate here: the share of labelled values that are wrong, averaged over fields.
        **_numbers(
            started,
            cost_usd=0.0,
            input_tokens=0,
            output_tokens=0,
            error_rate=1 - sum(known) / len(known) if known else 0.0,
        ),
        "evaluated_documents": scores["documents_with_gold"],
        "prompt_name": prompt_name,
        "prompt_versions": ", ".join(sorted(set(records.prompt.dropna()))),
        "accepted": verdict["accepted"],
        "per_field_accuracy": dg.MetadataValue.json({f: v for f, v in per_field.items() if v is not None}),
        **{f"accuracy.{f}": float(v) for f, v in per_field.items() if v is not None},
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


ASSETS = [raw_documents, llm_extractions, validated_records, quality_report, evaluation]
