"""A table row's cells put back on their row. A PDF's text layer gives text in the order it was
drawn, and some producers draw a table's columns apart: ferd10-COMFORT_Rabatte (tuning) prints
`1 KR3M 55T01 3,00 m² 4,00 12,00 19` on its row and the article's name, `Kunstrasen grün 3m
breit`, after the page's footer. A model reading that text takes the article number for the
name. So a line of text printed in a gap of a table row, at the row's height, is moved onto the
row at its place from the left. In the same way a figure drawn close beside a lone label, at its
height, is moved onto the label's line: a real invoice of the tuning part draws its header box's
labels first and their values after (`Rechnungsnr.` ... `30064443`), and the model took a contract
number for the invoice's. A cell that wraps over two or three lines and is drawn far from its row
in the text (after the page's footer) is moved onto the row as one cell. The rest of the page keeps
the drawing order, which keeps side-by-side blocks (seller and buyer) whole, where joining every
visual line would interleave them.
"""

from __future__ import annotations

from dataclasses import dataclass

from extraction_pipeline.extraction.values import numbers_on_line

# A row: an amount with cents among at least this many numbers (position, quantity, price, amount).
_ROW_NUMBERS = 3
# A label's value is drawn at most this many times the label's height to its right.
_KEY_GAP = 6
# A single character in a gap (a currency sign, a stray glyph) is not worth moving.
_MIN_CELL_CHARS = 2
# A cell that wraps takes at most this many lines (a name and a line of detail under it).
_WRAPPED_LINES = 3
# A wrapped cell drawn within this many lines of its row is read with it already: item rows look for
# a row's name up to four lines either way (extraction/item_rows.py), and so does a reader.
_NEAR_LINES = 4


@dataclass(frozen=True)
class PlacedLine:
    """A line of a page's text layer and where its characters are drawn, in points from the
    page's bottom left: each character's left and right (None for a space the reader put in),
    and the line's top and bottom. `upright` is False where any character is drawn turned."""

    text: str
    lefts: tuple[float | None, ...]
    rights: tuple[float | None, ...]
    top: float
    bottom: float
    upright: bool = True

    @property
    def drawn(self) -> bool:
        return any(x is not None for x in self.lefts)

    @property
    def left(self) -> float:
        return min(x for x in self.lefts if x is not None)

    @property
    def right(self) -> float:
        return max(x for x in self.rights if x is not None)


def rows_rejoined(lines: list[PlacedLine]) -> tuple[list[str], int]:
    """The page's lines with each cell drawn apart from its row moved onto it, and how many moved."""
    rows = {i for i, line in enumerate(lines) if _is_row(line)}
    wrapped = _wrapped_cells(lines, rows)
    in_runs = {i for _, run in wrapped for i in run}
    moved: dict[int, int] = {i: r for r, run in wrapped for i in run}  # the cell's line -> its row's line
    for r in sorted(rows):
        for c, cell in enumerate(lines):
            if c not in rows and c not in moved and _a_cell_of(cell, lines[r]):
                moved[c] = r
    for k, key in enumerate(lines):
        if k in rows or k in moved or not _is_key(key):
            continue
        values = [c for c, value in enumerate(lines) if c not in rows and c not in moved and _a_value_of(value, key)]
        if values:
            moved[min(values, key=lambda c: lines[c].left)] = k
    cells: dict[int, list[PlacedLine]] = {}
    for c, r in moved.items():
        if c not in in_runs:
            cells.setdefault(r, []).append(lines[c])
    for r, run in wrapped:
        cells.setdefault(r, []).append(_one_cell([lines[i] for i in run]))
    texts = []
    for i, line in enumerate(lines):
        if i in moved:
            continue
        text = line.text
        for cell in sorted(cells.get(i, []), key=lambda x: -x.left):  # right to left: positions stay valid
            at = next((k for k, x in enumerate(line.lefts) if x is not None and x >= cell.right), len(text))
            text = " ".join(filter(None, [text[:at].rstrip(), cell.text.strip(), text[at:].strip()]))
        texts.append(text)
    return texts, len(moved)


def _wrapped_cells(lines: list[PlacedLine], rows: set[int]) -> list[tuple[int, list[int]]]:
    """Cells that wrap over lines of their own, drawn far from their row in the text: a run of up
    to `_WRAPPED_LINES` lines drawn one under the other at one left edge, inside the table's span
    and clear of the row's characters, whose height holds the middle of exactly one row, and more
    than `_NEAR_LINES` lines from it in the drawing order (the FNFE Factur-X rendering of a Mustang
    sample, tuning, draws `PRESTATION SUPPORT - Description` over `Période de ...` beside `60,00 PCE
    1,00 60,00 10,00%` after the page's footer; the model named all three lines by the GLN printed
    above the first row). Each as its row's line and the run's lines."""
    if not rows:
        return []
    table_left = min(lines[r].left for r in rows)
    table_right = max(lines[r].right for r in rows)
    found = []
    for run in _runs(lines, rows):
        bottom, top = min(lines[i].bottom for i in run), max(lines[i].top for i in run)
        inside = [r for r in rows if bottom < (lines[r].top + lines[r].bottom) / 2 < top]
        left, right = min(lines[i].left for i in run), max(lines[i].right for i in run)
        if len(inside) != 1 or not table_left < left or not right < table_right:
            continue
        row = lines[inside[0]]
        if min(abs(i - inside[0]) for i in run) <= _NEAR_LINES:
            continue
        if any(x is not None and y is not None and x < right and y > left for x, y in zip(row.lefts, row.rights)):
            continue
        found.append((inside[0], run))
    return found


def _one_cell(run: list[PlacedLine]) -> PlacedLine:
    """A wrapped cell's lines as one line, top to bottom (their left edges differ by a fraction)."""
    ordered = sorted(run, key=lambda line: -line.top)
    text = " ".join(line.text.strip() for line in ordered)
    left, right = min(line.left for line in run), max(line.right for line in run)
    return PlacedLine(text, (left,), (right,), ordered[0].top, min(line.bottom for line in run))


def _runs(lines: list[PlacedLine], taken: set[int]) -> list[list[int]]:
    """Runs of consecutive lines, none taken, each drawn right under the one before at its left edge."""
    runs: list[list[int]] = []
    for i, line in enumerate(lines):
        if (
            i in taken
            or not (line.upright and line.drawn)
            or sum(not ch.isspace() for ch in line.text) < _MIN_CELL_CHARS
        ):
            continue
        last = lines[runs[-1][-1]] if runs and runs[-1][-1] == i - 1 else None
        if last is not None and abs(line.left - last.left) < 1 and 0 <= last.bottom - line.top < last.top - last.bottom:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [run for run in runs if len(run) <= _WRAPPED_LINES]


def _is_row(line: PlacedLine) -> bool:
    if not (line.upright and line.drawn):
        return False
    numbers = numbers_on_line(line.text)
    return any(n.with_cents for n in numbers) and len(numbers) >= _ROW_NUMBERS


def _is_key(line: PlacedLine) -> bool:
    """A field's label alone on its line: one or two words without a digit (`Rechnungsnr.`)."""
    words = line.text.split()
    return line.upright and line.drawn and 1 <= len(words) <= 2 and not any(ch.isdigit() for ch in line.text)


def _a_value_of(value: PlacedLine, key: PlacedLine) -> bool:
    """Whether `value` is drawn right of `key`, at its height, and begins with a figure (`7. Mai
    2014`, `30064443`): a label's value that the producer drew apart from it."""
    if not (value.upright and value.drawn) or not value.text.strip()[:1].isdigit():
        return False
    gap = value.left - key.right
    return 0 < gap < _KEY_GAP * (key.top - key.bottom) and _at_the_height_of(value, key)


def _at_the_height_of(a: PlacedLine, b: PlacedLine) -> bool:
    """Whether the two lines overlap by over half the lower one's height."""
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap > 0.5 * min(a.top - a.bottom, b.top - b.bottom)


def _a_cell_of(cell: PlacedLine, row: PlacedLine) -> bool:
    """Whether `cell` (no row itself) is drawn at `row`'s height (overlapping by over half the
    lower line), inside its span and in a gap between its characters."""
    if not (cell.upright and cell.drawn) or sum(not ch.isspace() for ch in cell.text) < _MIN_CELL_CHARS:
        return False
    if not _at_the_height_of(cell, row):
        return False
    if not (row.left < cell.left and cell.right < row.right):
        return False
    return not any(
        left is not None and right is not None and left < cell.right and right > cell.left
        for left, right in zip(row.lefts, row.rights)
    )
