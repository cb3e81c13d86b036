"""Scoring extracted fields against gold labels, by the SROIE task 3 rules (docs/accuracy.md), and
line items by the rules of the invoices-zugferd and cord-receipts READMEs.

Labels keep values as printed, so each field is compared after the normalisation that makes the
comparison fair: dates parsed day-first, totals as numbers to 2 decimals, text upper-cased with
everything but letters and digits dropped.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, Iterable

from extraction_pipeline.extraction.values import CENT, amount_readings, letters_and_digits, parse_amount, parse_date

# Other datasets name the same facts otherwise (invoices-zugferd); scored under the packs' names.
_RENAMED = {"seller_name": "issuer", "invoice_date": "date", "total_amount": "total"}
AMOUNT_FIELDS = frozenset({"total", "net_total", "tax_total", "amount"})
DATE_FIELDS = frozenset({"date"})
# Two descriptions name the same line when one holds the other or they are this similar.
LINE_MATCH_RATIO = 0.8
_NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    """Gold fields by document name (the file stem, e.g. X00016469612), under the packs' field names:
    SROIE labels as they are, invoices-zugferd's XML fields and CORD's parse (`menu`, `total`) mapped."""
    gold = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            gold[entry["id"]] = _our_names(entry["fields"])
    return gold


def _our_names(fields: dict[str, Any]) -> dict[str, Any]:
    if "menu" in fields:  # CORD: items, and the total among the payment fields
        menu = fields["menu"] if isinstance(fields["menu"], list) else [fields["menu"]]
        total = fields.get("total") if isinstance(fields.get("total"), dict) else {}
        items = [
            {"description": m.get("nm"), "quantity": m.get("cnt"), "unit_price": m.get("unitprice"), "line_total": m.get("price")}
            for m in menu
            if isinstance(m, dict) and isinstance(m.get("nm"), str)
        ]  # fmt: skip
        return {"line_items": items, **({"total": total["total_price"]} if total.get("total_price") else {})}
    named = {_RENAMED.get(k, k): v for k, v in fields.items()}
    if "line_items" in named:
        named["line_items"] = [
            {"description": i.get("description"), "quantity": i.get("quantity"), "unit_price": i.get("unit_price_net"),
             "line_total": i.get("line_total")}
            for i in named["line_items"]
        ]  # fmt: skip
    return named


def field_correct(field: str, predicted: Any, gold: Any) -> bool:
    if field in DATE_FIELDS:
        return parse_date(gold) is not None and parse_date(predicted) == parse_date(gold)
    if field in AMOUNT_FIELDS:
        return parse_amount(gold) is not None and parse_amount(predicted) == parse_amount(gold)
    return letters_and_digits(predicted) == letters_and_digits(gold)


def accuracy(
    results: Iterable[tuple[str, dict[str, Any] | None]], gold: dict[str, dict[str, Any]], fields: list[str]
) -> dict[str, Any]:
    """Per-field share correct over the documents that have a gold label for the field; for a list
    field (`line_items`), precision, recall and F1 of its lines and the share of matched lines with
    the right quantity and amount (`line_items.recall`, ...).

    `results` holds (source path, record), with None for a quarantined document, which counts as
    wrong on every field (and as no lines): leaving it out would flatter the model. Documents are
    matched to labels by file name (the label id is the file stem).
    """
    labelled = {f for fields_ in gold.values() for f in fields_}
    scored: dict[str, list[bool]] = {f: [] for f in fields if f in labelled}
    lines = {f: _LineTally() for f in scored if any(isinstance(g.get(f), list) for g in gold.values())}
    matched = 0
    for source_path, record in results:
        label = gold.get(Path(source_path).stem)
        if label is None:
            continue
        matched += 1
        for f in scored:
            if f in lines:
                if label.get(f):
                    lines[f].add(list(record.get(f) or []) if record is not None else [], label[f])
            elif str(label.get(f) or "").strip():
                scored[f].append(record is not None and field_correct(f, record.get(f), label[f]))
    per_field: dict[str, float | None] = {
        f: (sum(v) / len(v) if v else None) for f, v in scored.items() if f not in lines
    }
    for f, tally in lines.items():
        per_field.update({f"{f}.{name}": value for name, value in tally.scores().items()})
    return {
        "documents_with_gold": matched,
        "per_field": per_field,
        "labelled": {f: (lines[f].gold if f in lines else len(v)) for f, v in scored.items()},
    }


class _LineTally:
    """Lines matched by description over many documents (micro-averaged)."""

    def __init__(self) -> None:
        self.predicted = self.gold = self.matched = self.quantity_right = self.amount_right = 0

    def add(self, predicted: list[dict[str, Any]], gold: list[dict[str, Any]]) -> None:
        self.predicted += len(predicted)
        self.gold += len(gold)
        unused = list(predicted)
        for g in gold:
            p = next((p for p in unused if _same_line(p.get("description"), g.get("description"))), None)
            if p is None:
                continue
            unused.remove(p)
            self.matched += 1
            self.quantity_right += g.get("quantity") is None or _same_quantity(p.get("quantity"), g["quantity"])
            self.amount_right += parse_amount(p.get("line_total")) == parse_amount(g.get("line_total"))

    def scores(self) -> dict[str, float | None]:
        precision = self.matched / self.predicted if self.predicted else None
        recall = self.matched / self.gold if self.gold else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
        return {
            "precision": precision,
            "recall": recall,
            "f1": f1 if self.gold else None,
            "quantity_right": self.quantity_right / self.matched if self.matched else None,
            "amount_right": self.amount_right / self.matched if self.matched else None,
        }


def _same_quantity(predicted: Any, gold: Any) -> bool:
    """Gold quantities are printed figures (CORD's `0.512X`, `x 2`) or XML decimals (`1.000`):
    any reading of the number counts, so a weight of 0.512 kg is not taken for 512 in Indonesian
    grouping, nor one piece for a thousand."""
    value = parse_amount(predicted)
    printed = _NUMBER.search(str(gold))
    readings = {r.quantize(CENT) for r in amount_readings(printed.group(0))} if printed else set()
    return value is not None and value in readings | {parse_amount(gold)}


def _same_line(predicted: Any, gold: Any) -> bool:
    a, b = letters_and_digits(predicted), letters_and_digits(gold)
    if not a or not b:
        return False
    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= LINE_MATCH_RATIO
