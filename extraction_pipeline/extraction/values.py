"""Reading dates and amounts the way receipts print them. Shared by validation and scoring, so the
pipeline and its evaluation agree on what a printed value means."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}


def letters_and_digits(value: Any) -> str:
    """Upper-cased letters and digits only: how names and addresses are compared (spacing and
    punctuation differ between the OCR text, the model's copy and the labels)."""
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def parse_amount(value: Any) -> Decimal | None:
    cleaned = re.sub(r"[^0-9.\-]", "", str(value or ""))
    try:
        return Decimal(cleaned).quantize(Decimal("0.01")) if cleaned else None
    except InvalidOperation:
        return None


_MONTH_NAMES = "|".join(_MONTHS)
_COMPACT_ISO = re.compile(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?!\d)")
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_DAY_MONTH_NAME = re.compile(
    rf"(?<!\d)(\d{{1,2}})[ \-/]*({_MONTH_NAMES})[A-Z]*[ \-/,.]*(\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE
)


def parse_date(value: Any) -> dt.date | None:
    """ISO dates and day-first printed dates: 25/12/2018, 12-01-19, 10 MAR 2018, 10.03.2018.

    Receipts in our data print the day first; a date that cannot be day-first (12/28/2017) is read
    month-first, and a year-first date as year-month-day.
    """
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if _COMPACT_ISO.fullmatch(text):  # 20180304: a whole value of 8 digits, never a fragment of a longer number
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    for pattern in (_YEAR_FIRST, _DAY_FIRST, _DAY_MONTH_NAME):
        if m := pattern.search(text):
            return _to_date(pattern, m)
    return None


def find_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """Every readable date printed in `text`, with its offsets."""
    found = []
    for pattern in (_YEAR_FIRST, _DAY_FIRST, _DAY_MONTH_NAME):
        for m in pattern.finditer(text):
            if (date := _to_date(pattern, m)) is not None:
                found.append((m.start(), m.end(), date))
    return sorted(found)


def _to_date(pattern: re.Pattern, m: re.Match) -> dt.date | None:
    if pattern is _YEAR_FIRST:
        y, mo, d = map(int, m.groups())
    elif pattern is _DAY_FIRST:
        d, mo, y = map(int, m.groups())
        if mo > 12 >= d:  # 12/28/2017: no 28th month, so this one was printed month first
            d, mo = mo, d
    else:
        d, mo, y = int(m.group(1)), _MONTHS[m.group(2).upper()], int(m.group(3))
    if y < 100:
        y += 2000
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None
