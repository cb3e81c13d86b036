"""A list read whole: the rows of a table that no item of the answer holds.

A small model reading a long table skips rows, and where a document is asked in parts it may read a
row twice at one seam and leave out a few at another: on a bank statement of 60 movements written to
try a user's pack, 5 rows were missing from the answer and nothing said so. Any list whose items
carry an amount can be checked without knowing the table: the lines that print the items' amounts
show what a row of this table looks like (how it starts, how many numbers it prints), and a line of
that shape among them, or right after the last, whose amount is in no item is a row left out.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

from extraction_pipeline.checks.layout import line_index
from extraction_pipeline.doctypes.packs import Check, CheckedDocument
from extraction_pipeline.extraction.values import find_dates, numbers_on_line

# Items whose lines show the table's shape; fewer say nothing about it.
_MIN_ITEMS = 3
# The share of the items' lines that must share one shape (a table, not amounts found anywhere).
_SAME_SHAPE = 0.75
# How many left-out rows a problem quotes.
_QUOTED = 3


def rows_left_out(list_field: str, amount_key: str) -> Check:
    """`list_field`'s items (each with an amount at `amount_key`) hold every row of their table."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        items = record.get(list_field) or []
        evidence = [doc.evidence.get(f"{list_field}[{i}].{amount_key}") for i in range(len(items))]
        places = sorted({line_index(doc.text, e.start) for e in evidence if e is not None and e.start is not None})
        if len(places) < _MIN_ITEMS:
            return {}
        lines = doc.text.splitlines()
        shapes = Counter(_shape(lines[i]) for i in places)
        shape, count = shapes.most_common(1)[0]
        if count < _SAME_SHAPE * len(places) or not shape[1]:
            return {}
        given = {abs(item[amount_key]) for item in items if isinstance(item.get(amount_key), Decimal)}
        taken = set(places)
        after = places[-1] + 1
        while shape[0] != "word" and after < len(lines) and _shape(lines[after]) == shape:
            after += 1  # rows after the last item given (a row starts with its date or number, a total with a word)
        left_out = [
            lines[i].strip()
            for i in range(places[0], after)
            if i not in taken
            and _shape(lines[i]) == shape
            and not {abs(n.value) for n in numbers_on_line(lines[i])} & given
        ]
        if not left_out:
            return {}
        quoted = ", ".join(repr(" ".join(line.split())) for line in left_out[:_QUOTED])
        more = f" and {len(left_out) - _QUOTED} more" if len(left_out) > _QUOTED else ""
        return {
            list_field: f"- {list_field}: the rows {quoted}{more} are in no item. Give every row of the table once, in order."
        }

    return check


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
