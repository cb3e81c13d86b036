"""A table row's cells put back on their row. A PDF's text layer gives text in the order it was
drawn, and some producers draw a table's columns apart: ferd10-COMFORT_Rabatte (tuning) prints
`1 KR3M 55T01 3,00 m² 4,00 12,00 19` on its row and the article's name, `Kunstrasen grün 3m
breit`, after the page's footer. A model reading that text takes the article number for the
name. So a line of text printed in a gap of a table row, at the row's height, is moved onto the
row at its place from the left; the rest of the page keeps the drawing order, which keeps
side-by-side blocks (seller and buyer) whole, where joining every visual line would interleave them.
"""

from __future__ import annotations

from dataclasses import dataclass

from extraction_pipeline.extraction.values import numbers_on_line

# A row: an amount with cents among at least this many numbers (position, quantity, price, amount).
_ROW_NUMBERS = 3
# A single character in a gap (a currency sign, a stray glyph) is not worth moving.
_MIN_CELL_CHARS = 2


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
    moved: dict[int, int] = {}  # the cell's line -> its row's line
    for r in sorted(rows):
        for c, cell in enumerate(lines):
            if c not in rows and c not in moved and _a_cell_of(cell, lines[r]):
                moved[c] = r
    cells: dict[int, list[PlacedLine]] = {}
    for c, r in moved.items():
        cells.setdefault(r, []).append(lines[c])
    texts = []
    for i, line in enumerate(lines):
        if i in moved:
            continue
        text = line.text
        for cell in sorted(cells.get(i, []), key=lambda x: -x.left):  # right to left: positions stay valid
            at = next((k for k, x in enumerate(line.lefts) if x is not None and x >= cell.right), len(text))
            text = f"{text[:at].rstrip()} {cell.text.strip()} {text[at:].lstrip()}".rstrip()
        texts.append(text)
    return texts, len(moved)


def _is_row(line: PlacedLine) -> bool:
    if not (line.upright and line.drawn):
        return False
    numbers = numbers_on_line(line.text)
    return any(n.with_cents for n in numbers) and len(numbers) >= _ROW_NUMBERS


def _a_cell_of(cell: PlacedLine, row: PlacedLine) -> bool:
    """Whether `cell` (no row itself) is drawn at `row`'s height (overlapping by over half the
    lower line), inside its span and in a gap between its characters."""
    if not (cell.upright and cell.drawn) or sum(not ch.isspace() for ch in cell.text) < _MIN_CELL_CHARS:
        return False
    overlap = min(cell.top, row.top) - max(cell.bottom, row.bottom)
    if overlap <= 0.5 * min(cell.top - cell.bottom, row.top - row.bottom):
        return False
    if not (row.left < cell.left and cell.right < row.right):
        return False
    return not any(
        left is not None and right is not None and left < cell.right and right > cell.left
        for left, right in zip(row.lefts, row.rights)
    )
