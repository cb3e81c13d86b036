"""Numbers about a batch of LLM calls, shared by the asset metadata and the quality report.

Names follow the OpenTelemetry GenAI conventions where one exists (`gen_ai.usage.*`); the rest say
their unit in the name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import numpy as np

from .extraction import ExtractionOutcome, LLMCall

VALIDATION_KINDS = frozenset({"parse_error", "validation_error"})
# Problems with what the model said, as opposed to the call failing: re-asked, not counted as failed calls.
ANSWER_PROBLEM_KINDS = VALIDATION_KINDS | {"ungrounded"}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def all_calls(outcomes: Iterable[ExtractionOutcome]) -> list[LLMCall]:
    return [call for outcome in outcomes for call in outcome.calls]


def call_summary(outcomes: list[ExtractionOutcome]) -> dict[str, Any]:
    """Tokens, cost, latency and error shares over every call of a batch, re-asks included."""
    every = all_calls(outcomes)
    calls = [c for c in every if not c.cached]  # what reached the server; cache hits are free and instant
    hits = len(every) - len(calls)
    latencies = [c.latency_s for c in calls]
    answered = [c for c in every if c.raw_output is not None]
    costs = [c.cost_usd for c in calls]
    input_tokens = sum(c.input_tokens for c in calls)
    cached = sum(c.cached_input_tokens for c in calls)
    return {
        "llm.calls": len(calls),
        "cache.hits": hits,
        "cache.hit_rate": _share(hits, len(every)),
        "llm.documents": len(outcomes),
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": sum(c.output_tokens for c in calls),
        "gen_ai.usage.cached_input_tokens": cached,
        "llm.cached_input_share": cached / input_tokens if input_tokens else 0.0,
        "cost_usd": sum(c for c in costs if c is not None),
        "cost_known": all(c is not None for c in costs),
        "llm.latency_p50_s": percentile(latencies, 50),
        "llm.latency_p95_s": percentile(latencies, 95),
        "llm.latency_max_s": max(latencies, default=0.0),
        "llm.latency_sum_s": sum(latencies),
        # A failed call is one the server did not answer usefully (fault, cut-off, filter).
        "llm.failed_call_rate": _share(
            sum(1 for c in every if c.error_kind and c.error_kind not in ANSWER_PROBLEM_KINDS), len(every)
        ),
        # Of the answers we got, the share that did not parse or validate.
        "validation.error_rate": _share(sum(1 for c in answered if c.error_kind in VALIDATION_KINDS), len(answered)),
        "llm.reask_rate": _share(sum(1 for o in outcomes if len(o.calls) > 1), len(outcomes)),
        "llm.reasks": sum(max(len(o.calls) - 1, 0) for o in outcomes),
        "near_duplicates.reused": sum(1 for o in outcomes if o.reused_from),
        "near_duplicates.refused": sum(1 for o in outcomes if o.reuse_refused),
        "cost_usd_per_document": _share(sum(c for c in costs if c is not None), len(outcomes)),
        "tokens_per_document": _share(sum(c.input_tokens + c.output_tokens for c in calls), len(outcomes)),
    }


def errors_by_kind(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """Every failed call by kind, including those a re-ask later mended."""
    return dict(Counter(c.error_kind for c in all_calls(outcomes) if c.error_kind).most_common())


def calls_by_model(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    return dict(Counter(c.model for c in all_calls(outcomes) if not c.cached))


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
            found.setdefault(f, []).append(e.status != "missing")
    return {f: sum(v) / len(v) for f, v in found.items()}


def layout_completions(outcomes: list[ExtractionOutcome]) -> dict[str, int]:
    """Per field, how many accepted values were completed from the document's lines (layout.py)."""
    counts: dict[str, int] = {}
    for o in outcomes:
        if o.status == "valid":
            for f in o.model_values:
                counts[f] = counts.get(f, 0) + 1
    return counts
