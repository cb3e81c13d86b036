"""Line items' numbers from the rows of a till receipt.

A till prints an item in shapes that the row parse of item_rows.py (an invoice's table: amounts
with cents, and a count and a price that multiply out on the name's row or under it) does not read:

- the count before the name: `2 TWIST DONUT 18,000`, `8 NASI PUTIH 10,000 80,000`;
- the count and the price on a line of their own, over or under the name's, the count marked by
  an x: `2X @10000` over `AYAM 20,000`, `0.512X 22,500` over `EDAMAME 11,520` (a weight),
  `ROTI COKLAT` over `8.000,00 x1 8.000,00`;
- count, price and amount after the name in whole money (rupiah): `CHICKEN KATSUDON 1.00 48000 48000`.

A small model copies such an item's name right and its numbers wrong: the count taken into the
name (`5 AQUA 600ML`) and 1 as the quantity, the price as the quantity (8500 for `8.500,00 x1`),
the price as the amount, or the count line as an item of its own (`2 49,090`). On the tuning
receipts of cord-receipts (0-309) these were most of the wrong quantities. Where a line's name is
printed in one of these shapes, and the numbers multiply out (to the amount's last printed digit:
`0.074X 44,900` is 3,323), the line gets the row's count, price and amount, and its name without
the count; a count line given as an item is named by the line beside it, or dropped where the
names that fit are listed already.

Not a count: a number the amount does not divide into cents (`100 PLUS 3.50`, a drink whose name
starts with a number), and position numbers: an invoice prints `1 Beratung 500,00` /
`2 Reisekosten 120,00`, so a document whose count-first rows number 1, 2, 3 ... is left alone.
Where a name's line has count lines over and under it that multiply out differently, the one
giving the model's amount is taken, else none.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from extraction_pipeline.extraction.item_rows import line_lists
from extraction_pipeline.extraction.values import (
    CENT,
    PrintedNumber,
    amount_readings,
    letters_and_digits,
    numbers_on_line,
    read_amount,
)

# The count that starts a row: up to three digits, an `x` at most, then the name.
_COUNT = re.compile(r"(\d{1,3})(?:\s*[xX×])?\s+(?=\S*[^\W\d_])")
# What may stand between a row's numbers besides spaces: a currency, `@` or the `x` of a count.
_BETWEEN_NUMBERS = re.compile(r"Rp\.?|RM|IDR|EUR|USD|€|\$|£|[@xX×]")
_TIMES = re.compile(r"[xX×]")
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"[^\W_]*\d[^\W_]*-")  # an article code joined to a name by a hyphen
_AMOUNT_AFTER = re.compile(r"\s+\d[\d.,]*$")  # an amount taken into a name
_PUNCTUATION = re.compile(r"[/,.:;-]*")  # after a name that goes on on the next line
_MIN_NAME = 3  # letters and digits a name needs to be looked for
_MAX_COUNT = Decimal(1000)  # a count (or a weight) is under this; a price or an amount need not be

_POSITION_LABEL = re.compile(r"(?<![^\W\d_])(?:Pos|Position|Nr|No|N°|Lfd|#)(?![^\W\d_])", re.I)
_KEY_WORDS = 2  # words of a name's start that the lines are looked up by

Row = tuple[Decimal, Decimal | None, Decimal]  # count, price (None: not printed), amount


class _Page:
    """The document's lines (spaces made single), looked up by the words a name may start with on
    them: at the start, after an article code or after a count. This runs on every answer with
    lines, and a long invoice has thousands of lines and hundreds of items."""

    def __init__(self, text: str):
        self.lines = [" ".join(line.split()) for line in text.splitlines()]
        self.rows: dict[tuple[str, Decimal | None, tuple[int, ...]], set[Row]] = {}  # names repeat
        self._starting: dict[tuple[str, ...], set[int]] = {}
        for i, line in enumerate(self.lines):
            for start in {0, *(m.end() for pattern in (_CODE, _COUNT) if (m := pattern.match(line)))}:
                words = line[start:].casefold().split(" ")
                for n in range(1, _KEY_WORDS + 1):
                    self._starting.setdefault(tuple(words[:n]), set()).add(i)

    @functools.cached_property
    def numbered(self) -> bool:
        """Whether the rows that start with a number are numbered as positions (read only where a
        count-first row is found)."""
        return _positions(self.lines)

    def starting(self, name: str) -> list[int]:
        """The lines where `name` may start, in order (a name ends where a word does)."""
        return sorted(self._starting.get(tuple(name.casefold().split(" ")[:_KEY_WORDS]), ()))


def numbers_from_till_rows(record: dict[str, Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """Each list of line items whose lines differ from the till rows naming them, with each such
    line's count as its quantity, the row's price (or the model's, where the row prints none and
    it multiplies out; else none) and amount, and its name without the count. The caller keeps
    the model's lines."""
    lists = line_lists(record)
    if not lists:
        return {}
    page = _Page(text)
    mended = {}
    for field, value in lists.items():
        sides = _count_lines_side({name for item in value for name in _names(item)}, page)
        rowed = [_rowed(item, page, sides) for item in value]
        listed = {letters_and_digits(item.get("description")) for item in rowed}
        rowed = [named for item in rowed if (named := _named_from_beside(item, page, sides or (-1, 1), listed))]
        if rowed != value:
            mended[field] = rowed
    return mended


def numbers_of_an_invalid_line(item: Any, text: str) -> dict[str, Any] | None:
    """A line whose numbers stayed invalid through the re-asks (quantity 27272 and amount 54.544
    for `1 Nutella Cheese 27,272`, CORD 102 and 110 of the tuning part), with the numbers of the one
    till row its name starts instead; None where no row or several do, or it is no line (then it
    is dropped)."""
    if not isinstance(item, dict):
        return None
    page = _Page(text)
    for name in _names(item):
        rows = _rows_naming(name, page, None, _count_lines_side({name}, page) or (-1, 1))
        if len(rows) == 1:
            ((count, price, amount),) = rows
            return {**item, "description": name, "quantity": count, "unit_price": price, "line_total": amount}
    return None


def _named_from_beside(
    item: dict[str, Any], page: _Page, sides: tuple[int, ...], listed: set[str]
) -> dict[str, Any] | None:
    """A line the model named by numbers only (`2 49,090`, `0.512X`): part of a count line, which
    with the line beside it on the names' side makes a row (`CORDON BLEU` over `2 49,090 98,180`).
    Named so where one name fits; None (dropped) where every name that fits is `listed` already;
    else as it is (numbers on no count line, an article number: the checks ask about it). A name
    too short to look for (`1X`, in many lines) counts only in rows that make the line's amount."""
    given = letters_and_digits(item.get("description"))
    if _names(item) or not given or _numbers_only(" ".join(str(item.get("description")).split())) is None:
        return item
    short = len(given) < _MIN_NAME
    if short and (amount := read_amount(item.get("line_total"))) is None:
        return item
    found: set[tuple[str, Row]] = set()
    lines = page.lines
    for j in (j for j, line in enumerate(lines) if given in letters_and_digits(line) and _count_line(line)):
        for k in (j - side for side in sides if 0 <= j - side < len(lines)):
            name = _AMOUNT_AFTER.sub("", lines[k])
            after = _after(name, lines[k]) if sum(c.isalpha() for c in name) >= 2 else None
            if after is not None and len(after) <= 1:
                found |= {
                    (name, row)
                    for row in _multiplied(lines[j], _numbers_only(lines[j]) or [], after[0] if after else None)
                    if not short or row[2] == amount
                }
    names = {letters_and_digits(name) for name, _ in found}
    if found and names <= listed:
        return None
    if len(found) != 1 or names & listed:
        return item
    ((name, (count, price, amount)),) = found
    return {**item, "description": name, "quantity": count, "unit_price": price, "line_total": amount}


def _names(item: dict[str, Any]) -> list[str]:
    """The line's name as the row may print it: without a count or an amount the model took into
    it (`5 AQUA 600ML`, `AYAM 20,000`), and as given."""
    description = " ".join(str(item.get("description") or "").split())
    if len(letters_and_digits(description)) < _MIN_NAME or sum(c.isalpha() for c in description) < 2:
        return []  # no name: a count line given as an item (`2X @10000`)
    names = [description]
    if given := _COUNT.match(description):
        names.insert(0, description[given.end() :])
    if (amount := _AMOUNT_AFTER.search(description)) and sum(c.isalpha() for c in description[: amount.start()]) >= 2:
        names.append(description[: amount.start()])
    return names


def _rowed(item: dict[str, Any], page: _Page, sides: tuple[int, ...]) -> dict[str, Any]:
    amount = read_amount(item.get("line_total"))
    for name in _names(item):
        if (key := (name, amount, sides)) not in page.rows:
            # No amount, no count-first row: the model's line says nothing to pick one by.
            page.rows[key] = _rows_naming(name, page, amount, sides) if amount else _priced(name, page, amount, sides)
        if len(rows := page.rows[key]) == 1:
            ((count, price, printed),) = rows
            if price is None and read_amount(item.get("unit_price")) == printed / count:
                price = item.get("unit_price")
            if name == " ".join(str(item.get("description")).split()):
                name = item.get("description")  # as given, spaces and all
            return {**item, "description": name, "quantity": count, "unit_price": price, "line_total": printed}
    return item


def _rows_naming(name: str, page: _Page, amount: Decimal | None, sides: tuple[int, ...]) -> set[Row]:
    """The rows that print `name`: count first (not where the count-first rows number positions),
    else with a count line beside or count, price and amount after it (`_priced`); of the model's
    `amount`, or where it is None, of any amount the row makes."""
    first = {r for i in page.starting(name) if (r := _count_first(page.lines[i], name, amount))}
    return (first if first and not page.numbered else set()) or _priced(name, page, amount, sides)


def _count_first(line: str, name: str, amount: Decimal | None) -> Row | None:
    """The row where `line` is `count name [price] amount` (the given amount, or where None, the
    one printed last), the amount divides by the count into cents, and a price printed is the
    amount's share of one."""
    count = _COUNT.match(line)
    numbers = _after(name, line[count.end() :]) if count else None
    if not numbers or amount not in (None, numbers[-1].value):
        return None
    amount = numbers[-1].value
    n = Decimal(count.group(1))
    if n == 0 or (amount / n) % CENT:
        return None
    if len(numbers) == 1:
        return n, None, amount
    if len(numbers) == 2 and n * numbers[0].value == amount:
        return n, numbers[0].value, amount
    return None


def _priced(name: str, page: _Page, amount: Decimal | None, sides: tuple[int, ...]) -> set[Row]:
    """The rows that print `name` on a line of its own (at most an amount after it) with a count
    and a price on the line at one of `sides` (over: -1, under: 1), or with count, price and
    amount after it; where they differ, those giving the model's amount."""
    found: set[Row] = set()
    lines = page.lines
    for i in page.starting(name):
        line = lines[i]
        if (after := _after(name, line)) is None:
            continue
        if len(after) == 3:
            found |= _multiplied(line, after, None)
        elif len(after) <= 1:
            for step in sides:
                if 0 <= i + step < len(lines) and (numbers := _numbers_only(lines[i + step])):
                    found |= _multiplied(lines[i + step], numbers, after[0] if after else None)
    if len(found) > 1:
        found = {r for r in found if r[2] == amount}
    return found


def _multiplied(line: str, numbers: list[PrintedNumber], amount: PrintedNumber | None) -> set[Row]:
    """(count, price, amount) where `line` prints a count and a price that multiply out to the
    amount: the one printed on the name's line, else the last of `numbers`."""
    if len(numbers) == 3 and (amount is None or numbers[2].value == amount.value):
        numbers, amount = numbers[:2], numbers[2]
    if amount is None or len(numbers) != 2 or not amount.value:
        return set()
    count = _count_of(line, *numbers, amount)
    if count is None:
        return set()
    price = numbers[1] if count is numbers[0] else numbers[0]
    digit = CENT if amount.with_cents else Decimal(1)  # the amount's last printed digit
    return {
        (c, price.value, amount.value)
        for c in _readings(line, count)
        if 0 < c < _MAX_COUNT and abs(c * price.value - amount.value) * 2 < digit
    }


def _count_of(line: str, a: PrintedNumber, b: PrintedNumber, amount: PrintedNumber) -> PrintedNumber | None:
    """Which of two numbers is the count: the one an x is written against (`2X`, `x1`); else the
    one printed otherwise than the money (`$1.60 1 $1.60`; `1.00 48000 48000` where money has no
    cents); else the one that is no money (under 1000, no separators: `2 30.000`)."""
    between = line[a.end : b.start]
    times = _TIMES.findall(between)
    if len(times) > 1:
        return None
    if times:
        x = a.end + between.index(times[0])
        against = [n for n, touching in ((a, a.end == x), (b, b.start == x + 1)) if touching]
        if len(against) == 1:
            return against[0]
    unlike = [n for n in (a, b) if n.with_cents != amount.with_cents]
    if len(unlike) == 1:
        return unlike[0]
    plain = [n for n in (a, b) if line[n.start : n.end].isdigit() and n.value < _MAX_COUNT]
    return plain[0] if len(plain) == 1 else None


def _readings(line: str, number: PrintedNumber) -> list[Decimal]:
    """What `number` can mean (`0.512` a weight or 512 in Indonesian grouping)."""
    return amount_readings(line[number.start : number.end]) or [number.value]


def _count_lines_side(names: set[str], page: _Page) -> tuple[int, ...]:
    """Where a till prints the count lines: over their names (-1), under them (1), or either
    (then the model's amount decides): beside the first line that starts with a name, or where
    count lines are on both of its sides, on the side where more names have one of their own."""
    lines = page.lines
    named = sorted({i for n in names for i in page.starting(n) if _after(n, lines[i]) is not None})
    beside = {
        i: tuple(step for step in (-1, 1) if 0 <= i + step < len(lines) and _count_line(lines[i + step])) for i in named
    }
    if not named or len(beside[named[0]]) < 2:
        return beside[named[0]] if named else ()
    alone = [sides for sides in beside.values() if len(sides) == 1]
    over, under = alone.count((-1,)), alone.count((1,))
    return (-1,) if over > under else (1,) if under > over else (-1, 1)


def _count_line(line: str) -> bool:
    """`line` prints only numbers, two or three: a count and a price, and an amount at most."""
    numbers = _numbers_only(line)
    return numbers is not None and len(numbers) in (2, 3)


def _after(name: str, line: str) -> list[PrintedNumber] | None:
    """The numbers `line` prints after `name` where it starts with it (or with an article code
    joined to it: `1069-ROTI COKLAT`) and prints only numbers after it (None where it does not,
    or the name goes on)."""
    start = code.end() if (code := _CODE.match(line)) and not name[:1].isdigit() else 0
    end = start + len(name)
    if not name or line[start:end].casefold() != name.casefold():
        return None
    end += len(_PUNCTUATION.match(line, end).group())  # `KUE CUBIT OVO/ 39,000`: the name wraps
    if line[end : end + 1] not in ("", " "):
        return None
    numbers = _numbers_only(line[end:])
    return None if numbers is None else [replace(n, start=n.start + end, end=n.end + end) for n in numbers]


def _numbers_only(line: str) -> list[PrintedNumber] | None:
    """The numbers of `line` where nothing else is printed there but spaces, currencies, `@` and
    an x (None where something is; [] where nothing is at all)."""
    if _LETTER.search(_BETWEEN_NUMBERS.sub("", line)):
        return None  # most lines: no need to read their numbers
    numbers = numbers_on_line(line)
    ends = [0, *(n.end for n in numbers)]
    leftover = "".join(line[e : n.start] for e, n in zip(ends, numbers)) + line[ends[-1] :]
    return None if _BETWEEN_NUMBERS.sub("", leftover).strip() else numbers


def _positions(lines: list[str]) -> bool:
    """The document's count-first rows number 1, 2, 3 ... in order: position numbers, not counts;
    two of them only under a position's column label (a till's `1 SAM DA SOO WATER 16,000` over
    `2 TWIST DONUT 18,000` are counts)."""
    rows = [
        (i, int(m.group(1)))
        for i, line in enumerate(lines)
        if (m := _COUNT.match(line)) and numbers_on_line(line[m.end() :])
    ]
    if len(rows) < 2 or [n for _, n in rows] != list(range(1, len(rows) + 1)):
        return False
    return len(rows) > 2 or any(_POSITION_LABEL.search(line) for line in lines[: rows[0][0]])
