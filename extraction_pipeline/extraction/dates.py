"""Dates in the order the document prints them, and dates no document would print.

`03/04/2024` is 3 April in most of the world and March 4 in the US. A fixed day-first rule gets US
documents wrong; asking the model gets both wrong now and then. The document itself usually says:
another date on it that can only be read one way (`28/03/2024`, `12/28/2023`), or its currency
(RM, EUR, Rp are day-first countries; USD month-first), or a US address (`San Francisco, CA
94105`: a bare `$` is also Canada's and Australia's). Where it does not, the value keeps its
day-first reading and the field is flagged as ambiguous, never silently decided.

A date whose year is far from everything else on the document (year 111, tried on a real invoice,
or decades from the other dates printed) is a problem re-asked like an ungrounded value.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from typing import Any

from extraction_pipeline.extraction.grounding import Evidence, candidates
from extraction_pipeline.extraction.values import find_dates, month_first, numeric_order

DAY_FIRST, MONTH_FIRST = "day first", "month first"
_DAY_FIRST_CURRENCY = re.compile(r"€|£|\b(EUR|GBP|RM|MYR|IDR|Rp|CHF|INR|SGD|AUD|NZD|ZAR)\b")
_MONTH_FIRST_CURRENCY = re.compile(r"\bUSD\b|US\$")
# A town's state and ZIP code, as US addresses end: `, CA 94105`, `, NY 10001-2345`.
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
_US_ADDRESS = re.compile(r",[ \t]*(?:%s)[ \t]+\d{5}(?:-\d{4})?\b" % "|".join(_US_STATES))
# Years further than this from the median of the other dates printed are not the document's.
MAX_YEARS_APART = 10
EARLIEST_YEAR = 1900


def date_order(text: str) -> str | None:
    """Which order the document prints dates in, from its unambiguous dates, else its currency and
    addresses; None when it does not say or says both."""
    votes = set()
    for start, end, _ in find_dates(text):
        numbers = numeric_order(text[start:end])
        if numbers and numbers[0] > 12 >= numbers[1]:
            votes.add(DAY_FIRST)
        elif numbers and numbers[1] > 12 >= numbers[0]:
            votes.add(MONTH_FIRST)
    if not votes:
        if _DAY_FIRST_CURRENCY.search(text):
            votes.add(DAY_FIRST)
        if _MONTH_FIRST_CURRENCY.search(text) or _US_ADDRESS.search(text):
            votes.add(MONTH_FIRST)
    return votes.pop() if len(votes) == 1 else None


def resolve_order(record: dict[str, Any], evidence: dict[str, Evidence], text: str) -> tuple[dict[str, Any], list[str]]:
    """The record with each date printed ambiguously read in the document's order, and the fields
    whose order the document does not settle (their day-first reading is kept)."""
    resolved, ambiguous = dict(record), []
    order: str | None = None
    for field, value in record.items():
        e = evidence.get(field)
        if not isinstance(value, dt.date) or e is None or e.start is None:
            continue
        printed = text[e.start : e.end]
        swapped = month_first(printed)
        if swapped is None:
            continue
        order = order or date_order(text) or "unknown"
        day_first = swapped.replace(month=swapped.day, day=swapped.month)
        resolved[field] = swapped if order == MONTH_FIRST else day_first
        if order not in (DAY_FIRST, MONTH_FIRST):
            ambiguous.append(field)
    return resolved, ambiguous


def implausible_dates(record: dict[str, Any], evidence: dict[str, Evidence], text: str) -> dict[str, str]:
    """Dates whose year no document of today prints, or decades from the document's other dates.
    Like a date not found (grounding.ungrounded_message), the problem lists the document's dates and
    does not repeat the wrong one, which a small model shown it copies back."""
    problems, printed = {}, None
    latest = dt.date.today().year + MAX_YEARS_APART
    for field, value in record.items():
        if not isinstance(value, dt.date):
            continue
        printed = printed if printed is not None else find_dates(text)  # read once, only for a date
        e = evidence.get(field)
        others = [d.year for start, _, d in printed if e is None or start != e.start]
        if not EARLIEST_YEAR <= value.year <= latest:
            why = f"is not a plausible date (a year before {EARLIEST_YEAR} or more than {MAX_YEARS_APART} years ahead)"
        elif others and abs(value.year - statistics.median(others)) > MAX_YEARS_APART:
            why = f"is decades from the other dates printed in the document (around {int(statistics.median(others))})"
        else:
            continue
        problems[field] = f"- {field}: the date given {why}. Dates printed in it: {candidates(value, text) or 'none'}."
    return problems
