"""A list read whole: the rows of a table that no item of the answer holds.

A small model reading a long table skips rows, and where a document is asked in parts it may read a
row twice at one seam and leave out a few at another: on a bank statement of 60 movements written to
try a user's pack, 5 rows were missing from the answer and nothing said so. Any list whose items
carry an amount can be checked without knowing the table: the lines that print the items' amounts
show what a row of this table looks like (how it starts, how many numbers it prints), and a line of
that shape among them, or right after the last, whose amount is in no item is a row left out,
unless it is an item's all the same: a line that prints the words of an item whose amount is printed
nowhere (the model gave it a wrong amount), a quantity and price whose product an item holds (printed over the item's name), or
no number printed as the items' amounts are (a code: `502100007` among `50,000`): each was a false
alarm on a CORD receipt of the tuning part, two on complete gold lists. An item table's rows can
also prove themselves items without any shape learnt: a quantity, a unit price and their product
printed on one line (`priced_rows`, the invoice pack's).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from decimal import Decimal
from typing import Any

from extraction_pipeline.checks.layout import line_index
from extraction_pipeline.doctypes.packs import Check, CheckedDocument
from extraction_pipeline.extraction.item_rows import item_rows
from extraction_pipeline.extraction.values import find_dates, letters_and_digits, numbers_on_line, printed_amounts

# Items whose lines show the table's shape; fewer say nothing about it.
_MIN_ITEMS = 3
# The share of the items' lines that must share one shape (a table, not amounts found anywhere).
_SAME_SHAPE = 0.75
# How many left-out rows a problem quotes.
_QUOTED = 3
# A thousands or decimal separator inside a number.
_SEPARATOR = re.compile(r"\d[.,' ]\d")
# Letters an item's words need to name a row.
_MIN_NAME_LETTERS = 3
# A product within half the amount's last digit is that amount, rounded.
_ROUNDING = Decimal("0.5")


def rows_left_out(list_field: str, amount_key: str, *, priced_rows: bool = False) -> Check:
    """`list_field`'s items (each with an amount at `amount_key`) hold every row of their table. With
    `priced_rows` (an item table: quantity, unit price, amount), also every row that proves itself
    an item by its own arithmetic, however few items were given (`_priced_rows_left_out`)."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        items = record.get(list_field) or []
        lines = doc.text.splitlines()
        left_out = _shaped_rows_left_out(items, list_field, amount_key, doc, lines)
        if priced_rows:
            left_out |= _priced_rows_left_out(items, amount_key, doc.text, lines)
        if not left_out:
            return {}
        quoted = ", ".join(repr(" ".join(lines[i].split())) for i in sorted(left_out)[:_QUOTED])
        more = f" and {len(left_out) - _QUOTED} more" if len(left_out) > _QUOTED else ""
        return {
            list_field: f"- {list_field}: the rows {quoted}{more} are in no item. Give every row of the table once, in order."
        }

    return check


def _shaped_rows_left_out(
    items: list[dict[str, Any]], list_field: str, amount_key: str, doc: CheckedDocument, lines: list[str]
) -> set[int]:
    """The lines shaped like the rows that hold the items' amounts, among them or right after the
    last, that no item holds (the module's docstring)."""
    evidence = [doc.evidence.get(f"{list_field}[{i}].{amount_key}") for i in range(len(items))]
    places = sorted({line_index(doc.text, e.start) for e in evidence if e is not None and e.start is not None})
    if len(places) < _MIN_ITEMS:
        return set()
    shapes = Counter(_shape(lines[i]) for i in places)
    shape, count = shapes.most_common(1)[0]
    if count < _SAME_SHAPE * len(places) or not shape[1]:
        return set()
    given = _amounts(items, amount_key)
    unfound = [item for item, e in zip(items, evidence) if e is None or e.start is None]
    names = {name for item in unfound for name in _names(item)}
    separated = all(_SEPARATOR.search(doc.text[e.start : e.end]) for e in evidence if e and e.start is not None)
    taken = set(places)
    after = places[-1] + 1
    while shape[0] != "word" and after < len(lines) and _shape(lines[after]) == shape:
        after += 1  # rows after the last item given (a row starts with its date or number, a total with a word)
    return {
        i
        for i in range(places[0], after)
        if i not in taken
        and _shape(lines[i]) == shape
        and not {abs(n.value) for n in numbers_on_line(lines[i])} & given
        and _amount_in(lines[i], separated)
        and not _priced_item(lines[i], given)
        and not any(name in letters_and_digits(lines[i]) for name in names)
    }


def _priced_rows_left_out(items: list[dict[str, Any]], amount_key: str, text: str, lines: list[str]) -> set[int]:
    """The lines printing a quantity, a unit price and their product as the amount (`Laser printer
    B/W 300,00 2 Stk 19% 600,00`, `extraction/item_rows.py`) whose amount no item holds and that
    print no item's words. A table's shape is not learnt from fewer than three items, and on the
    ZUGFeRD 2.4 samples (tuning) the model gave an office supplies invoice's two subtotals alone,
    which add up to its net: six rows lost, unflagged. Of the 132 such rows on the tuning invoices'
    pages, 131 print a gold item's amount; the other prints the words of the item it is (its amount
    discounted)."""
    given = _amounts(items, amount_key)
    names = {name for item in items for name in _names(item)}
    return {
        row.line
        for row in item_rows(text)
        if row.unit_price is not None
        and abs(row.amount) not in given
        and not any(name in letters_and_digits(lines[row.line]) for name in names)
    }


def _amounts(items: list[dict[str, Any]], amount_key: str) -> set[Decimal]:
    return {abs(item[amount_key]) for item in items if isinstance(item.get(amount_key), Decimal)}


def _names(item: dict[str, Any]) -> set[str]:
    """The words (a description, a concept) of an item, as letters and digits: a row that prints
    them is that item's. Among rows of the table's shape, only those of items whose amount is
    printed nowhere count (given a wrong amount: `2 ES BUAH 36,000` given as 72,000, CORD, tuning):
    an item whose amount is found holds its own row, and a second row with its words (the same shop
    paid twice) is still one left out."""
    return {
        letters_and_digits(value)
        for value in item.values()
        if isinstance(value, str) and sum(ch.isalpha() for ch in value) >= _MIN_NAME_LETTERS
    }


def _amount_in(line: str, separated: bool) -> bool:
    """Whether `line` prints an amount as the items' amounts are printed: where each of those has a
    separator (`50,000`, `12,50`), a number without one is a code (`502100007`, CORD, tuning)."""
    return not separated or any(_SEPARATOR.search(line[n.start : n.end]) for n in numbers_on_line(line))


def _priced_item(line: str, given: set[Decimal]) -> bool:
    """Whether `line` prints a quantity and a unit price whose product an item holds, to the amount's
    last digit, in any reading of their separators: the line above an item's name and amount
    (`0,292X 19,900` over `DAUN SEREH 5,811`)."""
    readings = [[abs(value) for value in values] for _, _, values in printed_amounts(line)]
    return any(
        abs(a * b - amount) <= _ROUNDING * (1 if amount % 1 == 0 else Decimal("0.01"))
        for first, second in itertools.combinations(readings, 2)
        for a, b in itertools.product(first, second)
        for amount in given
    )


def _shape(line: str) -> tuple[str, int, int, bool]:
    """How a table's row looks: what it starts with (a date, a number or a word), how many numbers
    it prints besides a date's, how many of them with cents (an amount alone on its line is no
    article number alone on its line), and whether one is negative (a discount under a row)."""
    stripped = line.strip()
    dates = find_dates(stripped)
    if dates and dates[0][0] == 0:
        start = "date"
    elif re.match(r"[-+]?\d", stripped):
        start = "number"
    else:
        start = "word"
    in_dates = [(s, e) for s, e, _ in dates]
    numbers = [n for n in numbers_on_line(stripped) if not any(s <= n.start < e for s, e in in_dates)]
    return start, len(numbers), sum(n.with_cents for n in numbers), any(n.value < 0 for n in numbers)
