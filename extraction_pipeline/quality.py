"""The quality report: what a run extracted, what it could not, why, and what it cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .documents import Document, Rejection
from .extraction import ExtractionOutcome
from .metrics import call_summary, calls_by_model, errors_by_kind, grounding_rates, layout_completions
from .schemas import AUTO, DOCUMENT_TYPES, fields_for_types
from .scoring import accuracy, load_gold


def build_report(
    documents: list[Document],
    rejections: list[Rejection],
    outcomes: list[ExtractionOutcome],
    document_type: str,
    gold_path: Path | None = None,
) -> dict[str, Any]:
    fields = batch_fields(outcomes, document_type)
    valid = [o for o in outcomes if o.status == "valid" and o.record]
    n = len(outcomes)
    summary = call_summary(outcomes)
    report: dict[str, Any] = {
        "document_type": document_type,
        "files_seen": len(documents) + len(rejections),
        "documents": len(documents),
        "rejected": len(rejections),
        "records": len(valid),
        "documents_by_type": _count(o.document_type for o in outcomes),
        "quarantined": n - len(valid),
        "valid_rate": len(valid) / n if n else 0.0,
        "fill_rate": {
            f: (sum(1 for o in valid if o.record.get(f) not in (None, "")) / n if n else 0.0) for f in fields
        },
        "errors_by_kind": errors_by_kind(outcomes),
        "quarantine_by_kind": _count(o.error_kind or "unknown" for o in outcomes if o.status != "valid"),
        "calls_by_model": calls_by_model(outcomes),
        "grounding_rate": grounding_rates(outcomes),
        "flagged_ungrounded": sum(1 for o in valid if o.ungrounded),
        "layout_completions": layout_completions(outcomes),
        **summary,
        "quarantine": [
            {"document_id": o.document_id, "source_path": o.source_path, "error_kind": o.error_kind, "reason": o.reason}
            for o in outcomes
            if o.status != "valid"
        ],
        "rejections": [{"source_path": r.source_path, "reason": r.reason} for r in rejections],
    }
    if gold_path is not None and gold_path.exists():
        results = ((o.source_path, o.record if o.status == "valid" else None) for o in outcomes)
        report["accuracy"] = accuracy(results, load_gold(gold_path), fields)
    return report


def batch_fields(outcomes: list[ExtractionOutcome], document_type: str) -> list[str]:
    """The fields of the document types in this batch (the configured type when it is not `auto`)."""
    types = {o.document_type for o in outcomes if o.document_type in DOCUMENT_TYPES}
    if document_type != AUTO:
        types.add(document_type)
    return fields_for_types(types or {"receipt"})


def _count(kinds) -> dict[str, int]:
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def to_markdown(report: dict[str, Any]) -> str:
    r = report
    lines = [
        f"# Quality report ({r['document_type']})",
        "",
        f"Files seen: **{r['files_seen']}**: {r['records']} records, {r['quarantined']} quarantined, "
        f"{r['rejected']} rejected before extraction.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| valid rate | {r['valid_rate']:.1%} |",
        f"| validation error rate (share of answers) | {r['validation.error_rate']:.1%} |",
        f"| failed LLM calls | {r['llm.failed_call_rate']:.1%} |",
        f"| re-ask rate (documents) | {r['llm.reask_rate']:.1%} |",
        f"| LLM calls | {r['llm.calls']} |",
        f"| cost per document (USD) | {r['cost_usd_per_document']:.6f}{'' if r['cost_known'] else ' (some models unpriced)'} |",
        f"| tokens per document | {r['tokens_per_document']:.0f} |",
        f"| input / cached input / output tokens | {r['gen_ai.usage.input_tokens']} / "
        f"{r['gen_ai.usage.cached_input_tokens']} / {r['gen_ai.usage.output_tokens']} |",
        f"| latency per call p50 / p95 / max (s) | {r['llm.latency_p50_s']:.2f} / {r['llm.latency_p95_s']:.2f} / "
        f"{r['llm.latency_max_s']:.2f} |",
        f"| records flagged (a value not in the document, or in the wrong place) | {r['flagged_ungrounded']} |",
        "| values completed from the document's lines (model's value kept in `model_values`) | "
        + (", ".join(f"{f}: {n}" for f, n in r["layout_completions"].items()) or "none")
        + " |",
        "",
        "## Per field",
        "",
        "Fill rate: share of documents with a value. Grounding: share of extracted values found in the document text.",
        "",
        "| field | fill rate | grounding |" + (" accuracy |" if "accuracy" in r else ""),
        "|---|---|---|" + ("---|" if "accuracy" in r else ""),
    ]
    for f, rate in r["fill_rate"].items():
        grounded = r["grounding_rate"].get(f)
        row = f"| {f} | {rate:.1%} | {grounded:.1%} |" if grounded is not None else f"| {f} | {rate:.1%} | n/a |"
        if "accuracy" in r:
            value = r["accuracy"]["per_field"].get(f)
            row += f" {value:.1%} |" if value is not None else " n/a |"
        lines.append(row)
    if "accuracy" in r:
        lines += [
            "",
            f"Accuracy is over {r['accuracy']['documents_with_gold']} documents with gold labels; "
            "quarantined documents count as wrong.",
        ]
    lines += ["", "## Errors by kind (every failed call, including those a re-ask mended)", ""]
    lines += [f"- {kind}: {count}" for kind, count in r["errors_by_kind"].items()] or ["- none"]
    lines += ["", "## Quarantined documents", ""]
    lines += [f"- `{q['source_path']}` ({q['error_kind']}): {_one_line(q['reason'])}" for q in r["quarantine"]] or [
        "- none"
    ]
    lines += ["", "## Rejected files", ""]
    lines += [f"- {_one_line(x['reason'])}" for x in r["rejections"]] or ["- none"]
    return "\n".join(lines) + "\n"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())[:300]
