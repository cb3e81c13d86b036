"""Amounts in the notation the document prints them.

`6.364` is 6364 on an Indonesian or German receipt and 6.364 where amounts have three decimals. A
model answering the JSON number 6.364 has not said which it meant (small models copy the digits and
the dot), and one fixed reading gets one half of the world wrong. The document itself usually says:
another amount that can be read only one way (`1.591.600` and `16.000,00` group thousands with dots;
`9.50` has a decimal dot), or every amount with a dot printing exactly three digits after it, which
only a currency of thousandths (the dinars, the rial) does. Where the document does not say, the
thousands reading is kept (as `read_amount` reads printed text) and the field is flagged ambiguous,
like a date whose day/month order is not settled (dates.py).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

from extraction_pipeline.extraction.grounding import Evidence, flatten
from extraction_pipeline.extraction.values import CENT, amount_readings, printed_amounts

GROUPS, DECIMAL = "groups thousands", "decimal"
# Currencies with three decimals: a document in one of them may print every amount as 12.345.
_THOUSANDTHS_CURRENCY = re.compile(r"\b(KWD|BHD|OMR|JOD|TND|LYD|IQD)\b|د\.ك")
# A rate, not an amount: tills print `Discount 20.00%` in English beside rupiah grouped with dots
# (`155.000`), so a percentage says nothing of how the amounts are written.
_PERCENT = re.compile(r"\s?%")


def separator_roles(text: str) -> dict[str, str]:
    """What `.` and `,` do in the document's amounts (GROUPS or DECIMAL), for each one it settles."""
    votes: dict[str, set[str]] = {".": set(), ",": set()}
    decimals: Counter[str] = Counter()  # how many amounts print each as a decimal separator
    three_after: Counter[str] = Counter()
    for start, end, _ in printed_amounts(text):
        printed = text[start:end]
        seps = [c for c in printed if c in ".,"]
        if not seps or _PERCENT.match(text, end):
            continue
        last = seps[-1]
        if len(set(seps)) == 2:  # 1.234,56: the first kind groups, the last is the decimal one
            votes[seps[0]].add(GROUPS)
            votes[last].add(DECIMAL)
            decimals[last] += 1
        elif len(seps) > 1:  # 1.591.600
            votes[last].add(GROUPS)
        elif len(printed) - printed.rfind(last) - 1 == 3:  # 6.364: either
            three_after[last] += 1
        else:  # 9.50, 9.5 (a space may group: 1 234,56)
            votes[last].add(DECIMAL)
            decimals[last] += 1
    roles = {sep: kinds.pop() for sep, kinds in votes.items() if len(kinds) == 1}
    if roles.get(".") == roles.get(",") == DECIMAL and decimals["."] != decimals[","]:
        # No document has two decimal separators: the rarer one is a version or a section's number
        # (`Beispiel-Rechnungen für ZUGFeRD 2.2` on every page of amounts printed `410,10`).
        del roles[min(decimals, key=lambda sep: decimals[sep])]
    for sep, other in ((".", ","), (",", ".")):  # no document has two decimal separators
        if sep not in roles and roles.get(other) == DECIMAL:
            roles[sep] = GROUPS
    for sep, count in three_after.items():  # no other amount said anything of `sep`
        if sep not in roles and not votes[sep] and count >= 2 and not _THOUSANDTHS_CURRENCY.search(text):
            roles[sep] = GROUPS
    return roles


def in_document_notation(answer: dict[str, Any], text: str) -> dict[str, Any]:
    """The model's answer with each number it gave with three decimals read as the thousands the
    document prints, unless the document has decimal dots: the JSON number 6.364 for a rupiah
    amount printed `6.364`, or 130.000 for one printed `130.000,00`. Validation would otherwise
    refuse the first for its three decimals and re-ask about a value that was right, and take the
    second for 130. The same slip with the decimals copied too, 8.6848 for `8.684,80` (the comma
    dropped), is read as the amount printed where the document's dot groups thousands; and 1.254,
    printed neither as 1254 nor as 1.254, as the one amount it begins (`1.254,30`: copied up to the
    comma, where a JSON number ends). Strings are read by the schema (thousands first)."""
    printed: list[tuple[int, int, list[Decimal]]] | None = None
    readings: set[Decimal] = set()
    roles: dict[str, str] | None = None
    converted = _copy(answer)
    for key, value in flatten(answer).items():
        if not isinstance(value, Decimal):
            continue
        # Read as if printed: 6.364 has two readings (6364 first), 6.36 and 1234.567 one.
        own = amount_readings(str(abs(value)))
        exponent = value.normalize().as_tuple().exponent
        if len(own) != 2 and not (isinstance(exponent, int) and exponent < -3):
            continue  # only a number with more decimals than any amount prints
        if printed is None:  # read once, and only where a number asks for it
            printed = printed_amounts(text)
            readings = {r for _, _, found in printed for r in found}
        roles = roles if roles is not None else separator_roles(text)
        if len(own) == 2:  # 6.364, unless printed so where the dot is the decimal one (1.500 kg), or
            # printed 6,364 where amounts show the comma is (133,092 TL beside 133,09 TL)
            thousands = own[0]
            as_given = abs(value) in readings and (
                roles.get(".") == DECIMAL or _printed_with_decimal_comma(value, text)
            )
        else:  # 8.6848: a thousandth of 8684.80, where the dot groups thousands and it is not printed
            thousands, as_given = _plain(abs(value) * 1000), abs(value) in readings or roles.get(".") != GROUPS
        if thousands in readings and not as_given:
            _set(converted, key, -thousands if value < 0 else thousands)
        elif len(own) == 2 and abs(value) not in readings and (whole := _cut_at_its_separator(value, text, printed)):
            _set(converted, key, -whole if value < 0 else whole)
    return converted


def _cut_at_its_separator(value: Decimal, text: str, printed: list[tuple[int, int, list[Decimal]]]) -> Decimal | None:
    """The one amount the document prints that `value` (1.254) is the front of, up to a separator
    (`1.254,30`): a JSON number ends at a comma, so a model copying `1.254,30` digit by digit stops
    there and the comma becomes the answer's own (a German bank statement written for tuning, in a
    pack whose prompt did not say to rewrite amounts). `printed`: printed_amounts(text). None where
    no amount or several do."""
    front = str(abs(value))
    found = {
        reading
        for start, end, readings in printed
        if text.startswith(front, start) and re.fullmatch(r"[.,]\d+(?:[.,]\d+)*", text[start + len(front) : end])
        for reading in readings[:1]
    }
    return found.pop() if len(found) == 1 else None


def resolve_grouping(
    record: dict[str, Any], evidence: dict[str, Evidence], text: str
) -> tuple[dict[str, Any], list[str]]:
    """The record with each amount printed ambiguously (`6.364`) read in the document's notation,
    and the fields whose notation the document does not settle (their thousands reading is kept)."""
    resolved, ambiguous = _copy(record), []
    roles: dict[str, str] | None = None
    for key, value in flatten(record).items():
        e = evidence.get(key)
        if not isinstance(value, Decimal) or e is None or e.start is None:
            continue
        printed = text[e.start : e.end]
        readings = amount_readings(printed)
        if len(readings) != 2 or abs(value) not in readings:
            continue
        roles = roles if roles is not None else separator_roles(text)
        role = roles.get(next(c for c in printed if c in ".,"))
        by_row = _settled_by_its_row(resolved, key, readings) if role is None else None
        chosen = by_row or (readings[1] if role == DECIMAL else readings[0])
        _set(resolved, key, -chosen if value < 0 else chosen)
        if role is None and by_row is None:
            ambiguous.append(key)
    return resolved, ambiguous


_ROW_FACTOR = re.compile(r"(\w+)\[(\d+)\]\.(quantity|unit_price)")


def _settled_by_its_row(record: dict[str, Any], key: str, readings: list[Decimal]) -> Decimal | None:
    """The one reading of a line's quantity or unit price for which quantity x unit price is the
    line's amount (to the cent): `133,092` beside `1` and `133,09` is 133.092, whatever the
    document's other amounts leave unsettled."""
    if not (m := _ROW_FACTOR.fullmatch(key)):
        return None
    row = record[m.group(1)][int(m.group(2))]
    other = row.get("unit_price" if m.group(3) == "quantity" else "quantity")
    total = row.get("line_total")
    if not isinstance(other, Decimal) or not isinstance(total, Decimal):
        return None
    fitting = [r for r in readings if abs(abs(r * other) - abs(total)) < CENT]  # signs: a credit note's
    return fitting[0] if len(fitting) == 1 else None


# An amount printed with a decimal comma and two decimals (`133,09`, `15.630,87`; not a rate such as
# `7,50 %`, nor `1,234.56`). Over the SROIE, CORD and written texts, every document that prints one
# and a number of three decimals after a comma means that number as decimals (`0,472` a litre,
# `1,000` a quantity beside `130.000,00`).
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d{2}(?![\d.,]?\d)(?!\s*%)")


def _printed_with_decimal_comma(value: Decimal, text: str) -> bool:
    """`value` (133.092) printed as 133,092 in a document whose amounts put their cents after a comma."""
    printed = re.escape(str(abs(value)).replace(".", ","))
    return bool(_DECIMAL_COMMA.search(text) and re.search(rf"(?<![\d.,]){printed}(?![\d.,]\d)", text))


def _plain(value: Decimal) -> Decimal:
    """8684.8 for 8684.8000, 1000 for 1000.000 (not 1E+3)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _copy(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: [dict(i) if isinstance(i, dict) else i for i in v] if isinstance(v, list) else v for k, v in record.items()
    }


def _set(record: dict[str, Any], key: str, value: Any) -> None:
    """Set a value by its path from grounding.flatten: `total` or `line_items[2].line_total`."""
    if m := re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", key):
        record[m.group(1)][int(m.group(2))][m.group(3)] = value
    else:
        record[key] = value
