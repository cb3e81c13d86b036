"""Scoring extracted fields against gold labels, by the SROIE rules (see shared/datasets README).

Labels keep values as printed, so each field is compared after the normalisation that makes the
comparison fair: dates parsed day-first, totals as numbers to 2 decimals, text upper-cased with
everything but letters and digits dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .values import parse_amount, parse_date

def load_gold(path: Path) -> dict[str, dict[str, str]]:
    """Gold fields by document name (the file stem, e.g. X00016469612)."""
    gold = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            gold[entry["id"]] = entry["fields"]
    return gold


def norm_text(value: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def field_correct(field: str, predicted: Any, gold: Any) -> bool:
    if field == "date":
        return parse_date(gold) is not None and parse_date(predicted) == parse_date(gold)
    if field == "total":
        return parse_amount(gold) is not None and parse_amount(predicted) == parse_amount(gold)
    return norm_text(predicted) == norm_text(gold)
