"""Numbers about a batch of LLM calls, shared by the asset metadata and the quality report.

Names follow the OpenTelemetry GenAI conventions where one exists (`gen_ai.usage.*`); the rest say
their unit in the name.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.extract import ExtractionOutcome, LLMCall
from extraction_pipeline.extraction.grounding import field_of

VALIDATION_KINDS = frozenset({"parse_error", "validation_error", "repetition"})
# Problems with what the model said, as opposed to the call failing: re-asked, not counted as failed calls.
ANSWER_PROBLEM_KINDS = VALIDATION_KINDS | {"ungrounded"}


def _named(name: str) -> Any:
    return field(metadata={"name": name})


class _PublicNames:
    """Numbers whose fields carry the name users see in the Dagster UI and the report JSON, so code
    reads attributes and the names stay stable for plots and dashboards."""

    def named(self) -> dict[str, Any]:
        """The numbers under their public names."""
        return {f.metadata["name"]: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def all_calls(outcomes: Iterable[ExtractionOutcome]) -> list[LLMCall]:
    return [call for outcome in outcomes for call in outcome.calls]


@dataclass(frozen=True)
class CallSummary(_PublicNames):
    """Tokens, cost, latency and error shares over every call of a batch, re-asks included (OpenTelemetry
    GenAI names for tokens)."""

    calls: int = _named("llm.calls")  # what reached the server; cache hits are free and instant
    cache_hits: int = _named("cache.hits")
    cache_hit_rate: float = _named("cache.hit_rate")
    documents: int = _named("llm.documents")
    input_tokens: int = _named("gen_ai.usage.input_tokens")
    output_tokens: int = _named("gen_ai.usage.output_tokens")
    cached_input_tokens: int = _named("gen_ai.usage.cached_input_tokens")
    cached_input_share: float = _named("llm.cached_input_share")
    cost_usd: float = _named("cost_usd")
    cost_known: bool = _named("cost_known")
    latency_p50_s: float = _named("llm.latency_p50_s")
    latency_p95_s: float = _named("llm.latency_p95_s")
    latency_max_s: float = _named("llm.latency_max_s")
    latency_sum_s: float = _named("llm.latency_sum_s")
    # A failed call is one the server did not answer usefully (fault, cut-off, filter).
    failed_call_rate: float = _named("llm.failed_call_rate")
    # Of the answers we got, the share that did not parse or validate.
    validation_error_rate: float = _named("validation.error_rate")
    reask_rate: float = _named("llm.reask_rate")
    reasks: int = _named("llm.reasks")
    near_duplicates_reused: int = _named("near_duplicates.reused")
    near_duplicates_refused: int = _named("near_duplicates.refused")
    cost_usd_per_document: float = _named("cost_usd_per_document")
    tokens_per_document: float = _named("tokens_per_document")


def call_summary(outcomes: list[ExtractionOutcome]) -> CallSummary:
    every = all_calls(outcomes)
    calls = [c for c in every if not c.cached]
    hits = len(every) - len(calls)
    latencies = [c.latency_s for c in calls]
    answered = [c for c in every if c.raw_output is not None]
    costs = [c.cost_usd for c in calls]
    input_tokens = sum(c.input_tokens for c in calls)
    cached = sum(c.cached_input_tokens for c in calls)
    cost = sum(c for c in costs if c is not None)
    return CallSummary(
        calls=len(calls),
        cache_hits=hits,
        cache_hit_rate=_share(hits, len(every)),
        documents=len(outcomes),
        input_tokens=input_tokens,
        output_tokens=sum(c.output_tokens for c in calls),
        cached_input_tokens=cached,
        cached_input_share=cached / input_tokens if input_tokens else 0.0,
        cost_usd=cost,
        cost_known=all(c is not None for c in costs),
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        latency_max_s=max(latencies, default=0.0),
        latency_sum_s=sum(latencies),
        failed_call_rate=_share(
            sum(1 for c in every if c.error_kind and c.error_kind not in ANSWER_PROBLEM_KINDS), len(every)
        ),
        validation_error_rate=_share(sum(1 for c in answered if c.error_kind in VALIDATION_KINDS), len(answered)),
        reask_rate=_share(sum(1 for o in outcomes if len(o.calls) > 1), len(outcomes)),
        reasks=sum(max(len(o.calls) - 1, 0) for o in outcomes),
        near_duplicates_reused=sum(1 for o in outcomes if o.reused_from),
        near_duplicates_refused=sum(1 for o in outcomes if o.reuse_refused),
        cost_usd_per_document=_share(cost, len(outcomes)),
        tokens_per_document=_share(sum(c.input_tokens + c.output_tokens for c in calls), len(outcomes)),
    )


@dataclass(frozen=True)
class OcrSummary(_PublicNames):
    """What reading scans and photos took: pages, seconds, and how sure the engine was."""

    documents: int = _named("ocr.documents")
    pages: int = _named("ocr.pages")
    seconds: float = _named("ocr.seconds")
    seconds_per_page_p50: float = _named("ocr.seconds_per_page_p50")
    seconds_per_page_p95: float = _named("ocr.seconds_per_page_p95")
    # Over every OCR line, weighted by characters; 0 when nothing was read with OCR.
    mean_confidence: float = _named("ocr.mean_confidence")
    pages_turned: int = _named("ocr.pages_turned")
    # Lines whose text is not the recogniser's own: a misread legal form read back (`5/B` as `S/B`).
    lines_read_back: int = _named("ocr.lines_read_back")


def ocr_summary(documents: list[Document]) -> OcrSummary:
    pages = [p for d in documents for p in d.ocr_pages]
    seconds = [p.seconds for p in pages]
    lines = [located.line for d in documents for located in d.ocr_lines]
    chars = sum(len(line.text) for line in lines)
    return OcrSummary(
        documents=sum(1 for d in documents if d.ocr_pages),
        pages=len(pages),
        seconds=sum(seconds),
        seconds_per_page_p50=percentile(seconds, 50),
        seconds_per_page_p95=percentile(seconds, 95),
        mean_confidence=_share(sum(len(line.text) * line.confidence for line in lines), chars),
        pages_turned=sum(1 for p in pages if p.rotation),
        lines_read_back=sum(1 for line in lines if line.engine_text),
    )


def errors_by_kind(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """Every failed call by kind, including those a re-ask later mended."""
    return dict(Counter(c.error_kind for c in all_calls(outcomes) if c.error_kind).most_common())


def calls_by_model(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    return dict(Counter(c.model for c in all_calls(outcomes) if not c.cached))


def type_decisions(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """How each document's type was decided (config, inbox folder, markers), and each type's count."""
    return {
        **{
            f"decided_by.{how}": n
            for how, n in Counter(o.type_decided_by for o in outcomes if o.type_decided_by).items()
        },
        **{f"documents.{t}": n for t, n in Counter(o.document_type for o in outcomes).items()},
    }


def cost_by_model(outcomes: list[ExtractionOutcome]) -> dict[str, float]:
    costs: dict[str, float] = {}
    for c in all_calls(outcomes):
        costs[c.model] = costs.get(c.model, 0.0) + (c.cost_usd or 0.0)
    return costs


def _share(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def grounding_rates(outcomes: list[ExtractionOutcome]) -> dict[str, float]:
    """Per field, the share of extracted values found in their document (exact or normalised)."""
    found: dict[str, list[bool]] = {}
    for o in outcomes:
        for f, e in o.evidence.items():
            found.setdefault(field_of(f), []).append(e.status != "missing")
    return {f: sum(v) / len(v) for f, v in found.items()}


def taken_from_document(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """Per field, how many accepted values were taken from the document's lines instead of the model's:
    completed by a pack (checks/layout.py, checks/parties.py, checks/tax_summary.py), cut to a
    printed identifier (grounding.printed_pieces), put back as printed after a slip (near_copies.py),
    line numbers taken from their printed row or a till's (item_rows.numbers_from_rows,
    till_rows.py) or lines added or dropped as the sums prove, or line amounts copied instead of
    multiplied out (grounding.amounts_multiplied_out)."""
    return _replaced(outcomes, by_null=False)


def dropped_values(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """Per field, how many optional values still invalid after the last re-ask were set to null (or, of a
    list, lost their invalid entries) to keep the record (extract.py); the model's value is in
    model_values and the field is flagged."""
    return _replaced(outcomes, by_null=True)


def _replaced(outcomes: list[ExtractionOutcome], by_null: bool) -> dict[str, int]:
    """model_values holds the model's value wherever the record holds another: a completed or
    mended value (a list mended from its rows may also be longer or shorter), or a dropped one
    (null, or a list without its invalid entries: shorter, and flagged, which a list the sums
    shortened is not)."""
    counts: dict[str, int] = {}
    for o in outcomes:
        if o.status == "valid" and o.record is not None:
            for f, given in o.model_values.items():
                value = o.record.get(f)
                shorter = isinstance(value, list) and isinstance(given, list) and len(value) < len(given)
                if (value is None or (shorter and f in o.ungrounded)) == by_null:
                    counts[f] = counts.get(f, 0) + 1
    return counts
