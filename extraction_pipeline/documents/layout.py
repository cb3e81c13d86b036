"""Pieces of text placed on a page, put into reading order: visual lines top to bottom, each left to
right, with a TAB where a gap separates columns. OCR boxes (ocr.py) and a PDF's characters
(pdf_text below) both come out this way, so a table row reads as one line whatever produced it.

A PDF's text layer is in the order its producer drew it, not the order it is read: an ERP invoice
draws each table column top to bottom, so PDFium's own text printed the line items' amounts on one
line, their names and unit prices at the end of the page (`1 TB100A4 20 Stk. 198,00 19` and, 30
lines later, `Trennblätter A4`, `9,90`), and a small model multiplied the wrong numbers. Placed by
their boxes, the row reads `1 TB100A4  Trennblätter A4  20 Stk.  9,90  198,00  19`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

GAP_IS_COLUMN = 1.0  # a gap wider than this many text heights separates columns: a TAB

T = TypeVar("T")


@dataclass
class Placed(Generic[T]):
    """A piece of text's horizontal extent and vertical centre (y downwards), and what it came from."""

    item: T
    x0: float
    x1: float
    cy: float
    height: float


def visual_lines(placed: Sequence[Placed[T]]) -> list[list[Placed[T]]]:
    """Pieces grouped into lines, top to bottom, each left to right: a piece joins the line above
    when their vertical extents overlap by more than half the smaller height."""
    groups: list[list[Placed[T]]] = []
    for p in sorted(placed, key=lambda p: p.cy):
        if groups and _same_line(groups[-1], p):
            groups[-1].append(p)
        else:
            groups.append([p])
    return [sorted(group, key=lambda p: p.x0) for group in groups]


def separator(left: Placed, right: Placed) -> str:
    """What joins two neighbours on a line: a TAB across a column gap, else a space."""
    return "\t" if right.x0 - left.x1 > GAP_IS_COLUMN * min(left.height, right.height) else " "


def _same_line(group: list[Placed], p: Placed) -> bool:
    cy = statistics.fmean(q.cy for q in group)
    height = statistics.fmean(q.height for q in group)
    overlap = min(cy + height / 2, p.cy + p.height / 2) - max(cy - height / 2, p.cy - p.height / 2)
    return overlap > 0.5 * min(height, p.height)


@dataclass(frozen=True)
class PdfChar:
    """One character of a PDF page's text layer as PDFium gives it, in drawing order: its box in
    points (y downwards), and whether it is drawn upright. Spaces and line breaks PDFium inferred
    from gaps come as characters too (their boxes are not used)."""

    char: str
    x0: float
    top: float
    x1: float
    bottom: float
    upright: bool = True


def pdf_text(chars: Sequence[PdfChar]) -> str:
    """A page's text in reading order. Characters run together in drawing order while each follows
    the last on its line (PDFium's spacing kept: it knows the font's space width); runs are placed by
    their boxes. Text drawn turned (a copyright line up the margin) is not on any line: it follows,
    in drawing order. A page whose text is mostly turned (a landscape page drawn sideways) keeps
    the drawing order, lines as PDFium broke them."""
    visible = [c for c in chars if not c.char.isspace()]
    if sum(not c.upright for c in visible) > len(visible) / 2:
        return "".join(c.char for c in chars).replace("\r\n", "\n").replace("\r", "\n")
    runs: list[Placed[list[str]]] = []
    turned: list[str] = []
    run: Placed[list[str]] | None = None
    for c in chars:
        if c.char in "\r\n":
            run = None
        elif not c.upright:
            turned.append(c.char)
            run = None
        elif c.char.isspace():
            if run is not None:
                run.item.append(" ")
            elif turned:  # PDFium's spaces between turned words come upright
                turned.append(" ")
        else:
            height = max(c.bottom - c.top, 1.0)
            if run is not None and _continues(run, c, height):
                run.item.append(c.char)
                run.x1 = max(run.x1, c.x1)
            else:
                run = Placed([c.char], c.x0, c.x1, (c.top + c.bottom) / 2, height)
                runs.append(run)
    lines = []
    for line in visual_lines(runs):
        parts = ["".join(line[0].item).strip()]
        for left, right in zip(line, line[1:]):
            parts += [separator(left, right), "".join(right.item).strip()]
        lines.append("".join(parts))
    if "".join(turned).strip():
        lines.append(" ".join("".join(turned).split()))
    return "\n".join(lines)


def _continues(run: Placed, c: PdfChar, height: float) -> bool:
    """`c` is the next character of `run`'s line: beside it (not back over it, not past a column
    gap) and at its height."""
    gap = c.x0 - run.x1
    level = abs((c.top + c.bottom) / 2 - run.cy) < 0.5 * min(height, run.height)
    return level and -height < gap <= GAP_IS_COLUMN * height
