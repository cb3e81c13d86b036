"""Line items' numbers from the rows that print them. An item table prints each item's quantity,
unit price and amount on one row, and the amount is quantity x unit price to the cent
(`4123456000014 ZS997 100,0000 Stk. 1 1,0000 19,0 100,00`). A small model copies an item's
name right and its numbers wrong: quantity 1 and the amount as the unit price, a price from the
discount lines under the row (`Bruttopreis: 1,5000 €`), the VAT rate for the quantity; the re-asks
that quote the product get the same numbers back (docs/accuracy.md). Where a row's numbers multiply
out, they are known from arithmetic, so a line the model gave is given the numbers of the row its
description is printed with, and the model's numbers are kept in the record's `model_values`.

A row: the last amount printed with cents is the amount, and exactly one pair of numbers before it
multiplies to it (within a cent); a rate (`10,00%`) is none of them. Which of the two is the
quantity: the one in the column a line of labels above the table puts first or second (`P.U. HT
(EUR) UNIT for P.U. Qté`: the price first, the unit after it), else the one printed before a unit
(`20 Stk`, `3,00 m²`, `2 x`), else the one not printed with cents (`2.13 10 2 4.26`), else the
whole one beside a fraction (`5,0400 2`), else the one printed first. An amount of 0 proves nothing
(any quantity times a price of 0). Where no pair multiplies out (a price printed rounded:
`0,05 10000 KWH 19 % VAT (S) 52,00`), the row still proves the amount that ends it (or that only
the VAT rate's column follows: `20 Stk. 2,77 55,46 19`) and its one count, but no unit price
(`_counted_row`). A table whose amount column wraps prints the amount alone on the next line
(`Trennblätter A4 9,9000 20 Stk 19 %` over `198,00`): the two lines are read as one row where they
multiply out, or where the first prints a count and a price printed rounded besides (`Wirkarbeit HT
0,0520 10.000 kWh 19 %` over `52,00`).

Which row a line belongs to: the row whose line, or the lines under it up to the next row, hold the
line's description (names printed under their numbers), or the lines over it up to the row before
(names over their numbers), up to four lines either way, whichever way puts more descriptions on
the row or the line beside it, then more in all; in the model's order, each row once, and a line
the model listed out of the page's order goes to the one unused row whose lines hold it. Where both
ways place as many lines differently, only the lines placed alike are given numbers. Rows no line
was placed on become lines, and lines on no row are dropped, where the sums prove it
(`_with_rows_left_out`); a discount printed under a row is taken off its line where the sums prove
it (`_with_line_discounts`); free rows of an article the model listed once become lines
(`_with_free_rows_left_out`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from extraction_pipeline.extraction.values import (
    CENT,
    PrintedNumber,
    letters_and_digits,
    numbers_on_line,
    read_amount,
)

# A unit after a number: up to five letters (a dot, a square or cube), not a currency code or a word.
_UNIT_AFTER = re.compile(r"\s*(?!(?:EUR|USD|GBP|CHF|Euro)\b)[^\W\d_]{1,5}\.?[²³]?(?![^\W\d_])")
# A count on a row that does not multiply out: a space, then a unit of up to three letters (`28 Std`),
# not the start of a code (`0815 CO-123/V2A`).
_COUNT_UNIT = re.compile(r"\s+(?!(?:EUR|USD|GBP|CHF)\b)[^\W\d_]{1,3}\.?[²³]?(?![^\W_]|[-/])")
# Where a row's numbers do not multiply out, its amount ends the line (`Sa 8.00-14.00 Uhr` is no row),
# or only the VAT rate's column follows it (`20 Stk. 2,77 55,46 19`: 2.773 a piece, printed rounded).
_LINE_END = re.compile(r"\s*(?:€|EUR|USD|GBP|CHF|\$|£)?\s*$")
_ROW_END = re.compile(r"\s*(?:€|EUR|USD|GBP|CHF|\$|£)?(?:\s+\d{1,2}(?:[.,]\d{1,2})?\s*%?)?\s*$")
# A rate (`10,00%`, `7 %`): neither a quantity, a price nor an amount.
_RATE_AFTER = re.compile(r"\s?%")
# A table's column labels for the quantity and the unit price, in the languages of the datasets.
_QUANTITY_LABEL = re.compile(
    r"\b(?:Menge|Anzahl|Qty|Quantity|Quantit[ée]|Qt[ée]|Aantal|Cantidad|Quantità)(?![^\W\d_])", re.I
)
_PRICE_LABEL = re.compile(
    r"(?<![^\W\d_])(?:Einzelpreis|Nettopreis|Preis|Unit price|Price|Prix|P\.\s?U\.|U/P|Prijs|Precio|Prezzo)(?![^\W\d_])",
    re.I,
)
_HEADER_LINES = 12  # lines above a table's first row its column labels may take
_NAME_LINES = 4  # lines a name may take between two rows
_ROW_NUMBERS = 3  # a free row prints a count, a price and an amount at least
_MIN_NAME = 3  # letters and digits a description needs to be looked for
_NAME_START = 12  # letters and digits of a name that show it is printed on a line
_MAX_DECIMALS = 4  # a quantity or unit price with more is none the schemas hold (schemas.Quantity)


@dataclass(frozen=True)
class ItemRow:
    line: int  # its index in text.splitlines()
    quantity: Decimal
    unit_price: Decimal | None  # None: the row's numbers do not multiply out to its amount
    amount: Decimal
    others: frozenset[Decimal] = frozenset()  # a row that does not multiply out: its other numbers
    last: int = -1  # the index of the line its amount is printed on, where that is the next line

    @property
    def lines(self) -> range:
        return range(self.line, max(self.line, self.last) + 1)


def item_rows(text: str) -> list[ItemRow]:
    """Every line of `text` that prints a quantity, a unit price and their product as its amount."""
    return list(_item_rows(text))


@functools.lru_cache(maxsize=4)
def _item_rows(text: str) -> tuple[ItemRow, ...]:
    """Read once per text: the row parse, the checks of sums and of rows left out and the totals'
    completion all read one answer's document (1 s a time on a text of 500 KB)."""
    lines = text.splitlines()
    rows = _rows(lines, None)
    if rows and (price_first := _price_first(lines[max(rows[0].line - _HEADER_LINES, 0) : rows[0].line])) is not None:
        rows = _rows(lines, price_first)
    return tuple(rows)


def _rows(lines: list[str], price_first: bool | None) -> list[ItemRow]:
    rows: list[ItemRow] = []
    for i, line in enumerate(lines):
        if rows and i in rows[-1].lines:
            continue
        found = _row(line, price_first)
        if found is not None:
            rows.append(ItemRow(i, *found))
        elif i + 1 < len(lines) and _lone_amount(lines[i + 1]):
            joined = _row(f"{line} {lines[i + 1]}", price_first)
            if joined is not None and (joined[1] is not None or joined[3]):
                rows.append(ItemRow(i, *joined, last=i + 1))
    return rows


def _price_first(header: list[str]) -> bool | None:
    """Whether the table's column labels name the unit price before the quantity (`for P.U. Qté`),
    on the last line above the first row that labels both; None where none does. Labels stacked
    over two lines (`DESC PRICE DISC AMOUNT` over `QTY RM RM`) tell nothing about the columns'
    order."""
    for line in reversed(header):
        quantity, price = _QUANTITY_LABEL.search(line), _PRICE_LABEL.search(line)
        if quantity and price:
            return price.start() < quantity.start()
    return None


def rows_amounting_to(amount: Decimal, text: str) -> list[ItemRow]:
    """The rows whose quantity times unit price is `amount`: an amount printed only there is an
    item's, not a total (checks/arithmetic.py, checks/plausibility.py)."""
    return [row for row in item_rows(text) if row.unit_price is not None and row.amount == amount]


def _lone_amount(line: str) -> bool:
    """`line` holds one amount with cents and nothing else (a currency at most)."""
    numbers = numbers_on_line(line)
    return (
        len(numbers) == 1
        and numbers[0].with_cents
        and not line[: numbers[0].start].strip(" -")
        and bool(_LINE_END.match(line, numbers[0].end))
    )


def _row(line: str, price_first: bool | None) -> tuple[Decimal, Decimal | None, Decimal, frozenset[Decimal]] | None:
    """The row `line` prints, read with its numbers in space-grouped thousands (`1 4 200,00` as 1 and
    4200.00) and apart (1, 4 and 200.00); where both readings make rows that differ, it proves
    nothing (a Czech invoice written for tuning: the model's 4200.00 became 200.00)."""
    numbers = [n for n in numbers_on_line(line) if not _RATE_AFTER.match(line, n.end)]
    readings = [numbers]
    if any(a.end > b.start for a, b in zip(numbers, numbers[1:])):  # a spaced number overlaps its groups
        readings = [_grouped(numbers, joined) for joined in (True, False)]
    found = {_row_of(line, reading, price_first) for reading in readings} - {None}
    return found.pop() if len(found) == 1 else None


def _grouped(numbers: list[PrintedNumber], joined: bool) -> list[PrintedNumber]:
    """`numbers` without those overlapping a longer one (joined) or without the longer ones (apart)."""

    def covers(n: PrintedNumber, m: PrintedNumber) -> bool:
        return n is not m and n.start <= m.start and m.end <= n.end

    if joined:
        return [m for m in numbers if not any(covers(n, m) for n in numbers)]
    return [n for n in numbers if not any(covers(n, m) for m in numbers)]


def _row_of(
    line: str, numbers: list[PrintedNumber], price_first: bool | None
) -> tuple[Decimal, Decimal | None, Decimal, frozenset[Decimal]] | None:
    amounts = [n for n in numbers if n.with_cents]
    if not amounts or amounts[-1].value == 0:
        return None
    amount = amounts[-1]
    before = [n for n in numbers if n.end <= amount.start and n.value]
    pairs = [(a, b) for a, b in itertools.permutations(before, 2) if abs(a.value * b.value - amount.value) < CENT]
    if len({frozenset((a.value, b.value)) for a, b in pairs}) > 1:
        return None
    if not pairs:
        return _counted_row(line, before, amount.value) if _ROW_END.match(line, amount.end) else None
    with_unit = [(a, b) for a, b in pairs if _UNIT_AFTER.match(line, a.end)]
    price_in_cents = [(a, b) for a, b in pairs if b.with_cents and not a.with_cents]
    whole_count = [(a, b) for a, b in pairs if a.value % 1 == 0 and b.value % 1 != 0]
    if price_first is not None:  # the column labels tell, of the two printed nearest the amount
        first, second = max(((a, b) for a, b in pairs if a.start < b.start), key=lambda ab: ab[0].start)
        quantity, price = (second, first) if price_first else (first, second)
    elif len({a.value for a, _ in with_unit}) == 1:
        quantity, price = with_unit[0]
    elif len({a.value for a, _ in price_in_cents}) == 1:
        quantity, price = price_in_cents[0]
    elif len({a.value for a, _ in whole_count}) == 1:
        quantity, price = whole_count[0]
    else:
        quantity, price = min(((a, b) for a, b in pairs if a.start < b.start), key=lambda ab: ab[0].start)
    if any(v.value != round(v.value, _MAX_DECIMALS) for v in (quantity, price)):
        return None
    return quantity.value, price.value, amount.value, frozenset()


def _counted_row(
    line: str, before: list[PrintedNumber], amount: Decimal
) -> tuple[Decimal, None, Decimal, frozenset[Decimal]] | None:
    """A row whose price is printed rounded (`0,05 10000 KWH 19 % VAT (S) 52,00`: 0.0052 a kWh) or
    before a discount: its one count (a number without cents, a space, a unit) is the quantity and
    its last amount the amount, but which number is the unit price is not known. Not a size (`400G`,
    `10KG`), a code (`311 MAMEE EXPRESS`, `V002 S/FRIED`), money (`CASH 20.00 MYR`) or a line that
    prices one unit (`@2 X RM 24.35`)."""
    counted = [
        n
        for n in before
        if not n.with_cents and line[n.start - 1 : n.start].strip() == "" and _COUNT_UNIT.match(line, n.end)
    ]
    if "@" in line or len(counted) != 1 or counted[0].value != round(counted[0].value, _MAX_DECIMALS):
        return None
    return counted[0].value, None, amount, frozenset(n.value for n in before if n is not counted[0])


def numbers_from_rows(record: dict[str, Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """Each list of line items whose lines' quantity, unit price or amount differ from those of
    the row they are printed with, with the row's numbers, and with the rows left out that the
    sums prove. The caller keeps the model's lines."""
    lists = line_lists(record)
    rows = item_rows(text) if lists else []  # read only for a record with lines: this runs on every answer
    if not rows:
        return {}
    lines = text.splitlines()
    sums = _sums_off({i for r in rows for i in r.lines}, lines)  # the same for every list of lines
    mended = {}
    for field, value in lists.items():
        names = [letters_and_digits(v.get("description")) for v in value]
        placed, step = _placed(names, rows, lines)
        placed = _named_on_their_rows(names, placed, lines)
        numbered = [line if row is None else _numbered(line, row) for line, row in zip(value, placed)]
        numbered = _with_line_discounts(numbered, placed, rows, lines, sums)
        numbered = _with_rows_left_out(numbered, names, placed, rows, lines, step, sums)
        numbered = _with_free_rows_left_out(numbered, rows, lines, step)
        if numbered != value:
            mended[field] = numbered
    return mended


def zeros_printed_nowhere_dropped(record: dict[str, Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """Each list of line items without the lines the model gave an amount of 0 (and no price) that
    their rows do not print: where no line within `_NAME_LINES` of one naming it prints a 0 (a name
    is printed over or under its numbers), the line is a row's attribute or a heading, not an item
    given free. The ZUGFeRD 2.2 renderings print a rental's `Inklusiv-Kilometer waren: 873` and
    `Fahrzeug-Kennzeichen: M-MM 0000` among its items, and the model listed both at 0; on a
    Malaysian receipt of the tuning part it listed the header and footer lines at 0. A free article
    prints its 0 (`0,00 10 Stk 7 % VAT (S) 0,00`, `1 DRAGON FRUIT 0`); where the document prints
    amounts with cents, a 0 without them (`0000`) is no amount. A line whose name is printed
    nowhere stays. The caller keeps the model's lines."""
    lists = {f: v for f, v in line_lists(record).items() if any(_unpriced_zero(x) for x in v)}
    if not lists:  # this runs on every answer: the page's numbers are read only for a line at 0
        return {}
    lines = text.splitlines()
    numbers = [numbers_on_line(line) for line in lines]
    cents = any(n.with_cents for found in numbers for n in found)
    zeros = [i for i, found in enumerate(numbers) if any(n.value == 0 and (n.with_cents or not cents) for n in found)]

    def printed_nowhere(line: dict[str, Any]) -> bool:
        name = letters_and_digits(line.get("description"))
        if not _unpriced_zero(line) or len(name) < _MIN_NAME:
            return False
        named = [i for i, printed in enumerate(lines) if _named_on(name, printed)]
        return bool(named) and not any(abs(i - zero) <= _NAME_LINES for i in named for zero in zeros)

    mended = {f: [line for line in v if not printed_nowhere(line)] for f, v in lists.items()}
    return {f: kept for f, kept in mended.items() if len(kept) < len(lists[f])}


def line_lists(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The record's lists of line items (entries with a `line_total`), by field."""
    return {
        f: v
        for f, v in record.items()
        if isinstance(v, list) and v and all(isinstance(x, dict) and "line_total" in x for x in v)
    }


def _unpriced_zero(line: dict[str, Any]) -> bool:
    """A line the model gave an amount of 0 and no price (or a price of 0)."""
    return line.get("line_total") == 0 and line.get("unit_price") in (None, 0)


def _with_line_discounts(
    numbered: list[dict[str, Any]],
    placed: list[ItemRow | None],
    rows: list[ItemRow],
    lines: list[str],
    sums: set[Decimal],
) -> list[dict[str, Any]]:
    """The lines with the discounts printed under their rows taken off, where the sums prove it: a
    line right under a row that prints one amount with cents, negative, and is no row
    (`abzgl. 16,7% Rabatt -2,00` under `3,00 m² 4,00 12,00`) is that row's discount when the lines'
    amounts add up to no sum printed off the rows and with the discounts taken off they do
    (ferd10-COMFORT_Rabatte: `Zwischensumme 202,76`). The printed unit price is then the price
    before the discount: none is kept."""
    row_lines = {i for r in rows for i in r.lines}
    discounts = {}
    for k, (line, row) in enumerate(zip(numbered, placed)):
        under = row.lines[-1] + 1 if row is not None else None
        if under is None or under >= len(lines) or under in row_lines or line.get("line_total") is None:
            continue
        amounts = [n.value for n in numbers_on_line(lines[under]) if n.with_cents]
        if len(amounts) == 1 and amounts[0] < 0:
            discounts[k] = amounts[0]
    total = _total(numbered)
    if not discounts or total in sums or total + sum(discounts.values()) not in sums:
        return numbered
    return [
        {**line, "unit_price": None, "line_total": line["line_total"] + discounts[k]} if k in discounts else line
        for k, line in enumerate(numbered)
    ]


def _with_rows_left_out(
    numbered: list[dict[str, Any]],
    names: list[str],
    placed: list[ItemRow | None],
    rows: list[ItemRow],
    lines: list[str],
    step: int,
    sums: set[Decimal],
) -> list[dict[str, Any]]:
    """The lines as the sums prove them. Where the lines' amounts add up to no sum the document
    prints (off its rows), the rows no line was placed on are added if then they do (on
    ferd10-EXTENDED_Kostenrechnung the model gave 2 of 5 items: 36,75 + 12,10 is printed nowhere,
    and with the other three rows the lines add up to the printed Warenwert 1062,60). Failing that,
    in a table that prints each name on its row, the lines on no row whose amount is printed only
    in rows are dropped if then they do (a heading given a row's price: with it the items add up to
    nothing printed, without it to the net); a line of no amount, or of one printed off the rows
    (an item whose numbers do not multiply out), is kept. Where names are printed beside their rows
    instead, a line on no row may be the item whose row a line of the row's own text took, and
    stays. Rows added are those that multiply out, named by their own line or by the line beside
    them on the names' side; the lines in the page's order, a line without a row after the line
    before it."""
    used = {r.line for r in placed if r is not None}
    if not used:
        return numbered
    free = [r for r in rows if r.line not in used and r.unit_price is not None]
    row_lines = {i for r in rows for i in r.lines}
    if _total(numbered) in sums:
        return numbered
    on_own_line = all(_named_on(name, lines[r.line]) for name, r in zip(names, placed) if r)
    on_rows = [(x, r) for x, r in zip(numbered, placed) if r is not None or x.get("line_total") in {None, 0, *sums}]
    extra = sum((r.amount for r in free), Decimal(0))
    if free and _total(numbered) + extra in sums:
        kept = list(zip(numbered, placed))
    elif on_own_line and _total(x for x, _ in on_rows) + extra in sums:
        kept = on_rows
    else:
        return numbered
    names = _row_names(free, on_own_line, lines, step, row_lines)
    if names is None:
        return numbered
    blank = dict.fromkeys(numbered[0])
    added = [
        (
            r.line,
            {**blank, "description": n, "quantity": r.quantity, "unit_price": r.unit_price, "line_total": r.amount},
        )
        for n, r in zip(names, free)
    ]
    keyed, at = [], -1
    for line, row in kept:
        at = at if row is None else row.line
        keyed.append((at, line))
    return [line for _, line in sorted([*keyed, *added], key=lambda kl: kl[0])]


def _with_free_rows_left_out(
    numbered: list[dict[str, Any]], rows: list[ItemRow], lines: list[str], step: int
) -> list[dict[str, Any]]:
    """The lines with the free rows the model left out: a row of amount and price 0 that prints its
    count (`0,00 10 Stk 7 % VAT (S) 0,00`: goods given free) for an article the page also sells,
    which the model lists once (ferd10 and ferd21 Warenrechnung: 50 Gelierzucker paid, 10 free).
    No sum proves such a row, so it is added only where the side the names are on is known and
    the article's name, as the model gave it, is printed beside more rows than it has lines; the
    added line, after the model's line of that name, takes that name, the count and amounts of 0."""
    free = [i for i, line in enumerate(lines) if _free_count(line) is not None]
    if not free or not step:
        return numbered
    starts = [r.line for r in rows] + free
    beside = {i: _beside(i, step, lines, set(starts)) for i in starts}
    result = list(numbered)
    for i in free:
        names = [letters_and_digits(x.get("description")) for x in result]
        name = next((n for n in names if len(n) >= _MIN_NAME and n in beside[i]), None)
        if name is None or names.count(name) >= sum(name in text for text in beside.values()):
            continue
        last = max(k for k, n in enumerate(names) if n == name)
        count = _free_count(lines[i])
        result.insert(last + 1, {**result[last], "quantity": count, "unit_price": Decimal(0), "line_total": Decimal(0)})
    return result


def _free_count(line: str) -> Decimal | None:
    """The count of a free row: its last amount with cents and a price are 0, and it prints one count."""
    numbers = numbers_on_line(line)
    amounts = [n for n in numbers if n.with_cents]
    if (
        len(numbers) < _ROW_NUMBERS
        or not amounts
        or amounts[-1].value != 0
        or not _ROW_END.match(line, amounts[-1].end)
    ):
        return None
    before = [n for n in numbers if n.end <= amounts[-1].start]
    if not any(n.value == 0 for n in before):
        return None
    counted = _counted_row(line, [n for n in before if n.value], Decimal(0))
    return counted[0] if counted else None


def _beside(row: int, step: int, lines: list[str], rows: set[int]) -> str:
    """Letters and digits of the lines on the names' side of a row, up to the next row."""
    near = itertools.takewhile(
        lambda i: 0 <= i < len(lines) and i not in rows, range(row + step, row + step * (_NAME_LINES + 1), step)
    )
    return letters_and_digits(" ".join(lines[i] for i in sorted(near)))


def _sums_off(row_lines: set[int], lines: list[str]) -> set[Decimal]:
    """Every amount with cents printed off the rows: the sums the lines may add up to."""
    return {
        n.value for i, line in enumerate(lines) if i not in row_lines for n in numbers_on_line(line) if n.with_cents
    }


def _total(lines: Iterable[dict[str, Any]]) -> Decimal:
    return sum((x["line_total"] for x in lines if x.get("line_total") is not None), Decimal(0))


# An item's name on its own row: after a position number, up to the first number after it.
_NAME_ON_ROW = re.compile(r"\s*(?:\d+\s+)?(.*?[^\W\d_].*?)\s+-?\d")


def _row_names(
    free: list[ItemRow], on_own_line: bool, lines: list[str], step: int, row_lines: set[int]
) -> list[str] | None:
    """A name for each row added (None where one has none): its own line's where the lines are
    named on their rows' own lines, else the line beside it on the names' side."""
    names = []
    for r in free:
        if on_own_line:
            found = _NAME_ON_ROW.match(lines[r.line])
            name = found.group(1).strip() if found else ""
        elif step:
            beside = r.lines[-1] + 1 if step == 1 else r.line - 1
            name = lines[beside].strip() if 0 <= beside < len(lines) and beside not in row_lines else ""
        else:
            name = ""
        if len(letters_and_digits(name)) < _MIN_NAME:
            return None
        names.append(name)
    return names


def _named_on_their_rows(names: list[str], placed: list[ItemRow | None], lines: list[str]) -> list[ItemRow | None]:
    """Where most lines placed are named on their rows' own lines (a table that prints each name on
    its row), a line placed on a row whose line does not start its name is not that row's: a
    heading under the last row (`Umsatzsteueraufschlüsselung`) is no item."""
    own = [r is not None and _named_on(name, lines[r.line]) for name, r in zip(names, placed)]
    if sum(own) < 2 or 2 * sum(own) <= sum(r is not None for r in placed):
        return placed
    return [r if on_row else None for r, on_row in zip(placed, own)]


def _named_on(name: str, line: str) -> bool:
    """`line` prints the start of `name` (letters and digits; a long name may wrap to the next line)."""
    return name[:_NAME_START] in letters_and_digits(line)


def _numbered(line: dict[str, Any], row: ItemRow) -> dict[str, Any]:
    """The line with its row's numbers. A row that does not multiply out proves less: its amount
    is the line's, but the model's quantity stays where the row prints it (`1 SR ... 30 0,85
    25,44`: the count is 30, not the 1 before a tax code), and no unit price is proven (any the
    row prints times the count misses the amount, so the arithmetic check would re-ask forever)."""
    if row.unit_price is not None:
        return {**line, "quantity": row.quantity, "unit_price": row.unit_price, "line_total": row.amount}
    quantity = line.get("quantity") if read_amount(line.get("quantity")) in row.others else row.quantity
    return {**line, "quantity": quantity, "unit_price": None, "line_total": row.amount}


def _placed(names: list[str], rows: list[ItemRow], lines: list[str]) -> tuple[list[ItemRow | None], int]:
    """The row each name is printed with (None: none found, or not the same both ways), and the
    side the names are on (1 under their rows, -1 over them, 0 not known). The way that places more
    names on the row or the line next to it wins, then the one placing more: a note over the
    table's first row (`Wichtige Information: ...`) placed there by names-over must not shift every
    name under its row onto the next row."""
    starts = [r.line for r in rows]
    under = [
        (r.line, min(following, r.line + 1 + _NAME_LINES)) for r, following in zip(rows, [*starts[1:], len(lines)])
    ]
    over = [(max(before + 1, r.line - _NAME_LINES), r.line + 1) for r, before in zip(rows, [-1, *starts[:-1]])]
    ways = []
    for spans, step in ((under, 1), (over, -1)):
        placed = _in_order(names, [letters_and_digits(" ".join(lines[a:b])) for a, b in spans])
        close = sum(
            k is not None and _next_to(name, lines, rows[k].line, step, spans[k]) for name, k in zip(names, placed)
        )
        ways.append(((close, sum(k is not None for k in placed)), placed))
    (score_under, by_under), (score_over, by_over) = ways
    if score_under != score_over:
        chosen, step = (by_under, 1) if score_under > score_over else (by_over, -1)
    else:
        chosen, step = [u if u == o else None for u, o in zip(by_under, by_over)], 0
    return [None if k is None else rows[k] for k in chosen], step


def _next_to(name: str, lines: list[str], row: int, step: int, span: tuple[int, int]) -> bool:
    """`name` is on the row's line, or the line beside it (in the row's block) is part of it."""
    beside = row + step
    near = letters_and_digits(lines[beside]) if span[0] <= beside < span[1] else ""
    return name in letters_and_digits(lines[row]) or (len(near) >= _MIN_NAME and near in name)


def _in_order(names: list[str], blocks: list[str]) -> list[int | None]:
    """Each name's block: the first after the last one used that holds it, in order; then a name
    left over (the model listed it out of the page's order) goes to the one unused block holding it."""
    placed: list[int | None] = []
    start = 0
    for name in names:
        k = next((k for k in range(start, len(blocks)) if len(name) >= _MIN_NAME and name in blocks[k]), None)
        placed.append(k)
        start = start if k is None else k + 1
    for i, name in enumerate(names):
        if placed[i] is None and len(name) >= _MIN_NAME:
            free = [k for k in range(len(blocks)) if k not in placed and name in blocks[k]]
            placed[i] = free[0] if len(free) == 1 else None
    return placed
