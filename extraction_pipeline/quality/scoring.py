"""Scoring extracted fields against gold labels, by the SROIE task 3 rules (docs/accuracy.md).

Labels keep values as printed, so each field is compared after the normalisation that makes the
comparison fair: dates parsed day-first, totals as numbers to 2 decimals, text upper-cased with
everything but letters and digits dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from extraction_pipeline.extraction.values import letters_and_digits, parse_amount, parse_date


def load_gold(path: Path) -> dict[str, dict[str, str]]:
    """Gold fields by document name (the file stem, e.g. X00016469612)."""
    gold = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            gold[entry["id"]] = entry["fields"]
    return gold


def field_correct(field: str, predicted: Any, gold: Any) -> bool:
    if field == "date":
        return parse_date(gold) is not None and parse_date(predicted) == parse_date(gold)
    if field == "total":
        return parse_amount(gold) is not None and parse_amount(predicted) == parse_amount(gold)
    return letters_and_digits(predicted) == letters_and_digits(gold)


def accuracy(
    results: Iterable[tuple[str, dict[str, Any] | None]], gold: dict[str, dict[str, str]], fields: list[str]
) -> dict[str, Any]:
    """Per-field share correct over the documents that have a gold label for the field.

    `results` holds (source path, record), with None for a quarantined document, which counts as
    wrong on every field: leaving it out would flatter the model. Documents are matched to labels
    by file name (the label id is the file stem).
    """
    labelled = {f for fields_ in gold.values() for f in fields_}
    scored: dict[str, list[bool]] = {f: [] for f in fields if f in labelled}
    matched = 0
    for source_path, record in results:
        label = gold.get(Path(source_path).stem)
        if label is None:
            continue
        matched += 1
        for f in scored:
            if str(label.get(f) or "").strip():
                scored[f].append(record is not None and field_correct(f, record.get(f), label[f]))
    return {
        "documents_with_gold": matched,
        "per_field": {f: (sum(v) / len(v) if v else None) for f, v in scored.items()},
        "labelled": {f: len(v) for f, v in scored.items()},
    }
