"""Where each extracted value sits in the document: the check that catches invented values.

Small models return plausible values that are not on the page (a total of 60.31 where the receipt
says 60.30). Every value is looked up in the document text: `exact` when the text contains it as
given, `normalised` when it is there in another printed form (a date printed 25/12/2018 for
2018-12-25, an amount 9.5 printed 9.50, a name with different spacing or punctuation), `missing`
when it is not there at all. Offsets are character positions in the document text; for text read
with OCR, the evidence also gives the page, the box and the OCR confidence of the lines it spans.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from pydantic import BaseModel

from extraction_pipeline.documents.reading import LocatedLine
from extraction_pipeline.extraction.values import CENT, CURRENCY_SIGNS, find_dates, printed_amounts


@dataclass(frozen=True)
class Evidence:
    status: str  # exact | normalised | missing
    start: int | None = None
    end: int | None = None
    # Where the value sits on the image, for text read with OCR (see on_pages).
    page: int | None = None
    box: tuple[int, int, int, int] | None = None  # left, top, right, bottom
    ocr_confidence: float | None = None  # the least confident line the value spans
    # The lines as the recogniser read them, where a misread legal form in them was read back.
    ocr_engine_text: str | None = None


def on_pages(evidence: dict[str, Evidence], lines: Sequence[LocatedLine]) -> dict[str, Evidence]:
    """Evidence with the page, box and confidence of the OCR lines each value spans (the first
    page when a value spans two, the box around its lines on that page, the confidence of its least
    sure character), and the recogniser's own reading of them where a legal form was read back."""
    placed = {}
    for name, e in evidence.items():
        spanned = [x for x in lines if e.start is not None and x.start < e.end and e.start < x.end]
        if not spanned:
            placed[name] = e
            continue
        page = spanned[0].line.page
        boxes = [x.line.box for x in spanned if x.line.page == page]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        confidence = min(x.line.confidence_of(e.start - x.start, e.end - x.start) for x in spanned)
        read_back = (
            "\n".join(x.line.engine_text or x.line.text for x in spanned)
            if any(x.line.engine_text for x in spanned)
            else None
        )
        placed[name] = dataclasses.replace(e, page=page, box=box, ocr_confidence=confidence, ocr_engine_text=read_back)
    return placed


def locate(value: Any, text: str) -> Evidence:
    if isinstance(value, dt.date):
        return _locate_date(value, text)
    if isinstance(value, (Decimal, int, float)):
        return _locate_amount(Decimal(str(value)), text)
    return _locate_text(str(value), text)


def ground(record: dict[str, Any], text: str) -> dict[str, Evidence]:
    """Evidence for every value (a null optional field has nothing to ground), nested ones included:
    `line_items[2].line_total` is grounded like `total`."""
    return {key: locate(value, text) for key, value in flatten(record).items() if value not in (None, "")}


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """The record's values by path: `total`, and for a list of objects `line_items[0].description`."""
    flat: dict[str, Any] = {}
    for field, value in record.items():
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                flat.update({f"{field}[{i}].{key}": v for key, v in flatten(item).items()})
        else:
            flat[field] = value
    return flat


def field_of(key: str) -> str:
    """The field a value path belongs to, with nesting kept and positions dropped:
    `line_items[2].line_total` -> `line_items.line_total` (how rates per field are counted)."""
    return re.sub(r"\[\d+\]", "", key)


def candidates(field_value: Any, text: str, limit: int = 12) -> str:
    """What the document does contain of the value's kind, to quote back in a re-ask."""
    if isinstance(field_value, dt.date):
        found = [text[start:end] for start, end, _ in find_dates(text)]
    elif isinstance(field_value, (Decimal, int, float)):
        found = [text[start:end] for start, end, _ in _printed_values(text) if not text[start:end].isdigit()]
    else:
        return ""
    unique = list(dict.fromkeys(found))[:limit]
    return ", ".join(unique)


def printed_pieces(record: dict[str, Any], text: str) -> dict[str, str]:
    """Identifiers the model assembled from separate printed tokens, cut to the token that carries
    them: `380-471102` from `Handelsrechnung (380) Nr. 471102`, where a small model joins the code
    printed before the number to it and gives the same value again when re-asked. Only top-level
    text values without spaces that the document does not print are touched. The kept run of
    pieces (split at `-` and `/`) must be printed as one token, the pieces dropped each printed too,
    and the kept run must hold a digit (names are not cut) and have 5 or more letters or digits (more
    than a year) and more of them than the pieces dropped together. The caller keeps the model's
    value."""
    tokens: set[str] | None = None
    cut = {}
    for field, value in record.items():
        if not isinstance(value, str) or any(ch.isspace() for ch in value):
            continue
        parts = re.split(r"([-/])", value)  # pieces at even positions, separators between them
        if len(parts) < 3 or _locate_text(value, text).status != "missing":
            continue
        tokens = tokens if tokens is not None else {t.rstrip(".") for t in re.findall(r"[^\s()\[\],;:]+", text)}
        pieces = parts[::2]
        runs = sorted(
            (_alnum(kept), kept)
            for i in range(len(pieces))
            for j in range(i + 1, len(pieces) + 1)
            if (kept := "".join(parts[2 * i : 2 * j - 1])) != value
            and kept in tokens
            and all(p in tokens for p in pieces[:i] + pieces[j:] if p)
        )
        if not runs or (len(runs) > 1 and runs[-2][0] == runs[-1][0]):
            continue
        size, kept = runs[-1]
        if size >= 5 and size > _alnum(value) - size and any(ch.isdigit() for ch in kept):
            cut[field] = kept
    return cut


def amounts_multiplied_out(record: dict[str, Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """Line items whose amount the model multiplied out instead of copying it: it gave the line's
    printed amount as the unit price and quantity x that as the amount (`20 x 198.00 = 3960.00` for
    a line printing 20 and 198,00). Where the amount given is not printed, the unit price given is,
    and the quantity is not 1, the line gets the printed amount as its amount and no unit price
    (which one is printed is not known). The caller keeps the model's lines."""
    mended = {}
    for field, value in record.items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            continue
        lines = [_copied(line, text) for line in value]
        if lines != value:
            mended[field] = lines
    return mended


def _copied(line: dict[str, Any], text: str) -> dict[str, Any]:
    q, p, t = line.get("quantity"), line.get("unit_price"), line.get("line_total")
    if not all(isinstance(v, Decimal) for v in (q, p, t)) or q in (0, 1) or abs(q * p - t) > CENT:
        return line
    if _locate_amount(t, text).status != "missing" or _locate_amount(p, text).status == "missing":
        return line
    return {**line, "unit_price": None, "line_total": p}


def _alnum(value: str) -> int:
    return sum(ch.isalnum() for ch in value)


def _currency_sign(code: str, text: str) -> Evidence | None:
    """Where `text` prints the sign of the ISO code `code` (EUR for a document that prints €)."""
    for sign in CURRENCY_SIGNS.get(code.strip().upper(), ()):
        if found := re.search(rf"(?<![^\W\d_]){re.escape(sign)}(?![^\W\d_])", text):
            return Evidence("normalised", found.start(), found.end())
    return None


def currency_printed_nowhere(value: Any, text: str) -> bool:
    """`value` is a currency code and `text` prints no currency at all, neither a code nor a sign
    (an invoice in a country's own money, `Betrag 608,33`): the model inferred it, and no re-ask can
    find it printed."""
    if not isinstance(value, str) or value.strip().upper() not in CURRENCY_SIGNS:
        return False
    return not any(_currency_sign(code, text) or re.search(rf"\b{code}\b", text) for code in CURRENCY_SIGNS)


def _locate_text(value: str, text: str) -> Evidence:
    start = text.find(value)
    if start >= 0:
        return Evidence("exact", start, start + len(value))
    if sign := _currency_sign(value, text):
        return sign
    # Compare letters and digits only, upper-cased, keeping a map back to the original offsets.
    kept = [(i, ch.upper()) for i, ch in enumerate(text) if ch.isalnum()]
    haystack = "".join(ch for _, ch in kept)
    needle = "".join(ch.upper() for ch in value if ch.isalnum())
    at = haystack.find(needle) if needle else -1
    if at < 0:
        return Evidence("missing")
    return Evidence("normalised", kept[at][0], kept[at + len(needle) - 1][0] + 1)


# A number followed by a percent sign is a rate.
_PERCENT_AFTER = re.compile(r"[ \t]*%")
# Digits with a leading zero and no decimal mark are an identifier's (`00000 02020 00058`).
_LEADING_ZERO = re.compile(r"0\d+")


def _printed_values(text: str) -> list[tuple[int, int, list[Decimal]]]:
    """The numbers `text` prints that can be a value of a record (an amount, a quantity), each with
    its offsets and readings: not a rate (`TVA 20,00 % payée sur les débits 2,17`; a real French
    bill of the tuning part had its net and gross answered as 20.00, and they added up), nor the
    digits of a reference (a Swiss QR bill's total was answered as 0, found in `00 00000 ...`)."""
    return [
        (start, end, readings)
        for start, end, readings in printed_amounts(text)
        if not _PERCENT_AFTER.match(text, end) and not _LEADING_ZERO.fullmatch(text, start, end)
    ]


def _locate_amount(value: Decimal, text: str) -> Evidence:
    """The printed amount; a negative value (a debit, a credit note) is found as its magnitude, since
    documents print the sign many ways (-23.45, 23.45-, (23.45), 23.45 DR, a debit column)."""
    if value < 0:
        found = _locate_amount(-value, text)
        return dataclasses.replace(found, status="normalised") if found.status == "exact" else found
    best: Evidence | None = None
    for start, end, readings in _printed_values(text):
        if value in readings:
            printed = text[start:end]
            if printed == f"{value:.2f}" or printed == str(value):
                return Evidence("exact", start, end)
            best = best or Evidence("normalised", start, end)
    return best or Evidence("missing")


def _locate_date(value: dt.date, text: str) -> Evidence:
    iso = value.isoformat()
    if (start := text.find(iso)) >= 0:
        return Evidence("exact", start, start + len(iso))
    for start, end, date in find_dates(text):
        if date == value:
            return Evidence("normalised", start, end)
    return Evidence("missing")


def ungrounded_message(record: dict[str, Any], missing: list[str], text: str) -> str:
    """The re-ask text for values not found in the document: which field, and what is there instead.
    A date or amount is not repeated: the re-ask does not show the answer, and a small model shown
    its wrong amount gave it again 24 times of 27 (docs/accuracy.md); the document's own dates or
    amounts are the hint. Other text is quoted, since nothing else can point at it."""
    lines, values = [], flatten(record)
    for field in missing:
        value = values[field]
        found = candidates(value, text)
        if isinstance(value, dt.date):
            lines.append(
                f"- {field}: the date given is not a date printed in the document. Dates printed in it: {found or 'none'}."
            )
        elif isinstance(value, (Decimal, int, float)):
            lines.append(
                f"- {field}: the amount given does not appear in the document. Amounts printed in it: {found or 'none'}."
            )
        else:
            lines.append(f"- {field}: {value!r} does not appear in the document text; copy it exactly as printed.")
    return "\n".join(lines)


def printed_alternatives(model: type[BaseModel], fields: tuple[str, ...], text: str) -> str:
    """For date and amount fields whose value failed validation (a negative total, an impossible date),
    the dates or amounts the document does print, to quote in the re-ask."""
    lines = []
    for name in fields:
        info = model.model_fields.get(name)
        kinds = typing.get_args(info.annotation) or (info.annotation,) if info else ()
        sample = next((s for s in (Decimal(0), dt.date(2000, 1, 1)) for k in kinds if k is type(s)), None)
        if sample is not None and (found := candidates(sample, text)):
            lines.append(
                f"- {name}: the {'dates' if isinstance(sample, dt.date) else 'amounts'} printed in it: {found}."
            )
    return "\n" + "\n".join(lines) if lines else ""
