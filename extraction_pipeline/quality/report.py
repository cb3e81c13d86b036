"""The quality report: what a run extracted, what it could not, why, and what it cost."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction_pipeline.documents.reading import Document, Rejection
from extraction_pipeline.extraction.extract import ExtractionOutcome
from extraction_pipeline.quality.metrics import (
    CallSummary,
    OcrSummary,
    call_summary,
    calls_by_model,
    dropped_values,
    errors_by_kind,
    grounding_rates,
    ocr_summary,
    taken_from_document,
)
from extraction_pipeline.quality.scoring import accuracy, load_gold


@dataclass(frozen=True)
class QualityReport:
    """What a run extracted, what it could not and why, and what it cost; `to_json` keeps the
    public names of the report file."""

    document_type: str
    files_seen: int
    documents: int
    rejected: int
    records: int
    quarantined: int
    valid_rate: float
    documents_by_type: dict[str, int]
    fill_rate: dict[str, float]
    errors_by_kind: dict[str, int]
    quarantine_by_kind: dict[str, int]
    calls_by_model: dict[str, int]
    grounding_rate: dict[str, float]
    flagged_ungrounded: int
    flagged_low_ocr_confidence: int
    flagged_ambiguous: int
    taken_from_document: dict[str, int]
    dropped_values: dict[str, int]
    calls: CallSummary
    ocr: OcrSummary
    quarantine: list[dict[str, Any]]
    flagged: list[dict[str, Any]]  # valid records with flagged values, and why
    rejections: list[dict[str, Any]]
    accuracy: dict[str, Any] | None = None  # with gold labels: per_field, documents_with_gold

    @property
    def quarantine_rate(self) -> float:
        return self.quarantined / self.documents if self.documents else 0.0

    def to_json(self) -> dict[str, Any]:
        data = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("calls", "ocr", "accuracy")
        }
        data.update(self.calls.named())
        data.update(self.ocr.named())
        if self.accuracy is not None:
            data["accuracy"] = self.accuracy
        return data


def build_report(
    documents: list[Document],
    rejections: list[Rejection],
    outcomes: list[ExtractionOutcome],
    document_type: str,
    fields: list[str],
    gold_path: Path | None = None,
) -> QualityReport:
    valid = [o for o in outcomes if o.status == "valid" and o.record]
    n = len(outcomes)
    accuracy_scores = None
    if gold_path is not None and gold_path.exists():
        results = ((o.source_path, o.record if o.status == "valid" else None) for o in outcomes)
        accuracy_scores = accuracy(results, load_gold(gold_path), fields)
    return QualityReport(
        document_type=document_type,
        files_seen=len(documents) + len(rejections),
        documents=len(documents),
        rejected=len(rejections),
        records=len(valid),
        quarantined=n - len(valid),
        valid_rate=len(valid) / n if n else 0.0,
        documents_by_type=_count(o.document_type for o in outcomes),
        fill_rate={
            f: (sum(1 for o in valid if o.record.get(f) not in (None, "", [])) / n if n else 0.0) for f in fields
        },
        errors_by_kind=errors_by_kind(outcomes),
        quarantine_by_kind=_count(o.error_kind or "unknown" for o in outcomes if o.status != "valid"),
        calls_by_model=calls_by_model(outcomes),
        grounding_rate=grounding_rates(outcomes),
        flagged_ungrounded=sum(1 for o in valid if o.ungrounded),
        flagged_low_ocr_confidence=sum(1 for o in valid if o.low_confidence),
        flagged_ambiguous=sum(1 for o in valid if o.ambiguous),
        taken_from_document=taken_from_document(outcomes),
        dropped_values=dropped_values(outcomes),
        calls=call_summary(outcomes),
        ocr=ocr_summary(documents),
        quarantine=[
            {"document_id": o.document_id, "source_path": o.source_path, "error_kind": o.error_kind, "reason": o.reason}
            for o in outcomes
            if o.status != "valid"
        ],
        flagged=[
            {
                "document_id": o.document_id,
                "source_path": o.source_path,
                "fields": o.ungrounded,
                "reason": o.flag_reasons,
            }
            for o in valid
            if o.ungrounded
        ],
        rejections=[{"source_path": r.source_path, "reason": r.reason} for r in rejections],
        accuracy=accuracy_scores,
    )


def _count(kinds) -> dict[str, int]:
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def to_markdown(r: QualityReport) -> str:
    c = r.calls
    lines = [
        f"# Quality report ({r.document_type})",
        "",
        f"Files seen: **{r.files_seen}**: {r.records} records, {r.quarantined} quarantined, "
        f"{r.rejected} rejected before extraction.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| valid rate | {r.valid_rate:.1%} |",
        f"| validation error rate (share of answers) | {c.validation_error_rate:.1%} |",
        f"| failed LLM calls | {c.failed_call_rate:.1%} |",
        f"| re-ask rate (documents) | {c.reask_rate:.1%} |",
        f"| LLM calls | {c.calls} |",
        f"| cost per document (USD) | {c.cost_usd_per_document:.6f}{'' if c.cost_known else ' (some models unpriced)'} |",
        f"| tokens per document | {c.tokens_per_document:.0f} |",
        f"| input / cached input / output tokens | {c.input_tokens} / {c.cached_input_tokens} / {c.output_tokens} |",
        f"| latency per call p50 / p95 / max (s) | {c.latency_p50_s:.2f} / {c.latency_p95_s:.2f} / "
        f"{c.latency_max_s:.2f} |",
        f"| records flagged (a value not in the document, in the wrong place, or invalid and dropped) | {r.flagged_ungrounded} |",
        f"| records flagged (a value on a line OCR read with low confidence) | {r.flagged_low_ocr_confidence} |",
        f"| records flagged (a date's day/month order or an amount's thousands separator the document does not settle) | {r.flagged_ambiguous} |",
        "| values taken from the document's lines instead of the model's: a name or address completed, "
        "a joined identifier cut to its printed piece, line amounts copied instead of multiplied out "
        "(model's value kept in `model_values`) | "
        + (", ".join(f"{f}: {n}" for f, n in r.taken_from_document.items()) or "none")
        + " |",
        "| optional values (or list entries) still invalid after the re-asks, dropped and flagged (model's value in `model_values`) | "
        + (", ".join(f"{f}: {n}" for f, n in r.dropped_values.items()) or "none")
        + " |",
        "",
        "## Per field",
        "",
        "Fill rate: share of documents with a value. Grounding: share of extracted values found in the document text.",
        "",
        "| field | fill rate | grounding |" + (" accuracy |" if r.accuracy is not None else ""),
        "|---|---|---|" + ("---|" if r.accuracy is not None else ""),
    ]
    for f, rate in r.fill_rate.items():
        grounded = r.grounding_rate.get(f)
        row = f"| {f} | {rate:.1%} | {grounded:.1%} |" if grounded is not None else f"| {f} | {rate:.1%} | n/a |"
        if r.accuracy is not None:
            value = r.accuracy["per_field"].get(f)
            row += f" {value:.1%} |" if value is not None else " n/a |"
        lines.append(row)
    if r.accuracy is not None:
        nested = {f: v for f, v in r.accuracy["per_field"].items() if f not in r.fill_rate}
        if nested:
            lines += ["", "| line items (matched by description) | value |", "|---|---|"]
            lines += [f"| {f} | {v:.1%} |" if v is not None else f"| {f} | n/a |" for f, v in nested.items()]
        lines += [
            "",
            f"Accuracy is over {r.accuracy['documents_with_gold']} documents with gold labels; "
            "quarantined documents count as wrong.",
        ]
    o = r.ocr
    lines += ["", "## Scans and photos (OCR)", ""]
    lines += (
        [
            f"{o.documents} documents, {o.pages} pages read with OCR in {o.seconds:.1f} s: "
            f"{o.seconds_per_page_p50:.2f} s per page (p50), {o.seconds_per_page_p95:.2f} s (p95); "
            f"mean confidence {o.mean_confidence:.3f}; {o.pages_turned} pages turned upright; "
            f"{o.lines_read_back} lines with a misread legal form read back (`5/B` as `S/B`)."
        ]
        if o.pages
        else ["No page needed OCR."]
    )
    lines += ["", "## Errors by kind (every failed call, including those a re-ask mended)", ""]
    lines += [f"- {kind}: {count}" for kind, count in r.errors_by_kind.items()] or ["- none"]
    lines += ["", "## Quarantined documents", ""]
    lines += [f"- `{q['source_path']}` ({q['error_kind']}): {_one_line(q['reason'])}" for q in r.quarantine] or [
        "- none"
    ]
    lines += ["", "## Flagged records (kept; a reviewer should look at these values)", ""]
    lines += [f"- `{f['source_path']}` ({', '.join(f['fields'])}): {_one_line(f['reason'])}" for f in r.flagged] or [
        "- none"
    ]
    lines += ["", "## Rejected files", ""]
    lines += [f"- {_one_line(x['reason'])}" for x in r.rejections] or ["- none"]
    return "\n".join(lines) + "\n"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())[:300]
