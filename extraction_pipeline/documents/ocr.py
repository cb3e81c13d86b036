"""Text from page images, shaped like the text of a text file so everything downstream is unchanged.

An engine returns boxes of text (a phrase, with its four corners and a confidence). They become
lines in reading order the way the SROIE transcriptions are written: top to bottom, the boxes of one
visual line joined left to right, with a TAB where a gap separates columns. Each line keeps its page,
its bounding box in the file's pixels and its confidence, so a value found in the text can be shown
on the image.

Pages come upright from images.py when EXIF says how; a scan fed in sideways or upside down has no
such tag. Upright text reads with high confidence and mostly wide boxes, so a page whose boxes are
mostly tall is tried turned by 90 and 270 degrees, one read with low confidence turned by 180, and
the reading with the most confident text wins. A page skewed by more than a couple of degrees (the
median slant of its lines) is straightened and read again: the recogniser misreads slanted
characters (a receipt turned 7 degrees lost `TD01167104` to `T001167104`). Boxes are mapped back
through every turn, so they always point into the file as it is. A legal form misread on faint
print (`5/B` for `S/B`) is read back as the form (misreads.py).
"""

from __future__ import annotations

import functools
import math
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Protocol, Sequence

from PIL import Image

from extraction_pipeline.documents.misreads import legal_forms_read_back

Point = tuple[float, float]


@dataclass(frozen=True)
class TextBox:
    """What an engine read: text, corners clockwise from the top left, confidence 0-1, and where the
    engine gives them, one confidence per character of the text."""

    text: str
    corners: tuple[Point, Point, Point, Point]
    confidence: float
    char_confidences: tuple[float, ...] | None = None

    def per_char(self) -> tuple[float, ...]:
        if self.char_confidences is not None and len(self.char_confidences) == len(self.text):
            return self.char_confidences
        return (self.confidence,) * len(self.text)


@dataclass(frozen=True)
class OcrLine:
    text: str
    page: int
    # Left, top, right, bottom: in the image file's pixels (upright, as EXIF turns it), or a PDF page's points.
    box: tuple[int, int, int, int]
    confidence: float  # of its boxes, weighted by their characters
    # One per character of `text`: a single misread digit hides in a line's mean, not here.
    char_confidences: tuple[float, ...] = ()
    # What the recogniser read, where a misread legal form was read back (misreads.py); else empty.
    engine_text: str = ""

    def confidence_of(self, start: int, end: int) -> float:
        """The least confident character of text[start:end] (the line's confidence without per-character figures)."""
        span = self.char_confidences[max(start, 0) : end]
        return min(span) if span else self.confidence


@dataclass(frozen=True)
class OcrPage:
    number: int
    lines: tuple[OcrLine, ...]
    seconds: float
    rotation: int  # degrees the page was turned (counter-clockwise) to read upright
    skew_degrees: float

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image) -> list[TextBox]: ...


# A page is tried turned when most boxes are tall (sideways text) or its reading is this unsure.
_TURN_BELOW_CONFIDENCE = 0.80
_GAP_IS_COLUMN = 1.0  # a gap wider than this many text heights separates columns: a TAB
_STRAIGHTEN_ABOVE_DEGREES = 2.0


def read_page(image: Image.Image, number: int, scale: float, engine: OcrEngine) -> OcrPage:
    """One page's lines in reading order, turned upright first when it was scanned sideways."""
    started = time.perf_counter()
    reading = _Reading.of(engine, image, 0)
    if turns := _turns_to_try(reading.boxes):
        # A sideways page may read well as it is (the recogniser turns tall boxes), but its lines
        # run down the page: only the turned readings can give the reading order.
        tried = ([] if 90 in turns else [reading]) + [_Reading.of(engine, image, turn) for turn in turns]
        reading = max(tried, key=lambda r: _sureness(r.boxes))
    rotation = reading.degrees
    if abs(skew := _skew_degrees(reading.boxes)) > _STRAIGHTEN_ABOVE_DEGREES:
        reading = _Reading.of(engine, image, rotation + skew)
    residual = _skew_degrees(reading.boxes)
    lines = tuple(_lines(reading, number, scale, residual))
    skew = reading.degrees - rotation + residual
    return OcrPage(number, lines, time.perf_counter() - started, int(rotation), round(skew, 2))


@dataclass(frozen=True)
class _Reading:
    """The boxes read from the page turned counter-clockwise by `degrees`, in the turned frame."""

    degrees: float
    boxes: list[TextBox]
    turned_size: tuple[int, int]
    page_size: tuple[int, int]

    @classmethod
    def of(cls, engine: OcrEngine, image: Image.Image, degrees: float) -> _Reading:
        if degrees % 360 == 0:
            return cls(0, engine.read(image), image.size, image.size)
        turned = image.rotate(degrees, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
        return cls(degrees, engine.read(turned), turned.size, image.size)

    def on_page(self, point: Point) -> Point:
        """A point of the turned frame on the page as given (y downwards)."""
        cos, sin = math.cos(math.radians(self.degrees)), math.sin(math.radians(self.degrees))
        x, y = point[0] - self.turned_size[0] / 2, point[1] - self.turned_size[1] / 2
        return (x * cos - y * sin + self.page_size[0] / 2, x * sin + y * cos + self.page_size[1] / 2)


def _turns_to_try(boxes: list[TextBox]) -> tuple[int, ...]:
    worded = [b for b in boxes if len(b.text.strip()) >= 3]
    if not worded:
        return ()
    tall = sum(1 for b in worded if _height(b) > 1.5 * _width(b))
    if tall > len(worded) / 2:
        return (90, 270)
    if _mean_confidence(worded) < _TURN_BELOW_CONFIDENCE:
        return (180,)
    return ()


def _sureness(boxes: list[TextBox]) -> float:
    """Characters read, weighted by the square of their confidence: a page read the wrong way up
    yields as many characters, but unsure ones."""
    return sum(len(b.text.strip()) * b.confidence**2 for b in boxes)


def _mean_confidence(boxes: Sequence[TextBox]) -> float:
    chars = sum(len(b.text) for b in boxes)
    return sum(len(b.text) * b.confidence for b in boxes) / chars if chars else 0.0


def _width(box: TextBox) -> float:
    (x0, y0), (x1, y1) = box.corners[0], box.corners[1]
    return math.hypot(x1 - x0, y1 - y0)


def _height(box: TextBox) -> float:
    (x0, y0), (x3, y3) = box.corners[0], box.corners[3]
    return math.hypot(x3 - x0, y3 - y0)


def _skew_degrees(boxes: list[TextBox]) -> float:
    """The median slant of the top edges of wide boxes (a line of text, not a stray mark)."""
    angles = [
        math.degrees(math.atan2(b.corners[1][1] - b.corners[0][1], b.corners[1][0] - b.corners[0][0]))
        for b in boxes
        if _width(b) > 2 * _height(b)
    ]
    return statistics.median(angles) if angles else 0.0


@dataclass
class _Placed:
    box: TextBox
    x0: float  # left, right and vertical centre with the page's slant turned back
    x1: float
    cy: float
    height: float


def _lines(reading: _Reading, page: int, scale: float, skew: float) -> list[OcrLine]:
    """Boxes grouped into visual lines: a box joins the line above when their vertical extents
    overlap by more than half the smaller height."""
    cos, sin = math.cos(math.radians(-skew)), math.sin(math.radians(-skew))
    placed = []
    for b in reading.boxes:
        if not b.text.strip():
            continue
        xs = [x * cos - y * sin for x, y in b.corners]
        ys = [x * sin + y * cos for x, y in b.corners]
        placed.append(_Placed(b, min(xs), max(xs), sum(ys) / 4, max(_height(b), 1.0)))
    placed.sort(key=lambda p: p.cy)
    groups: list[list[_Placed]] = []
    for p in placed:
        if groups and _same_line(groups[-1], p):
            groups[-1].append(p)
        else:
            groups.append([p])
    return [_line(sorted(group, key=lambda p: p.x0), page, scale, reading) for group in groups]


def _same_line(group: list[_Placed], p: _Placed) -> bool:
    cy = statistics.fmean(q.cy for q in group)
    height = statistics.fmean(q.height for q in group)
    overlap = min(cy + height / 2, p.cy + p.height / 2) - max(cy - height / 2, p.cy - p.height / 2)
    return overlap > 0.5 * min(height, p.height)


def _line(group: list[_Placed], page: int, scale: float, reading: _Reading) -> OcrLine:
    parts, confidences = [_stripped(group[0].box)], list(_stripped_confidences(group[0].box))
    for left, right in zip(group, group[1:]):
        gap = right.x0 - left.x1
        parts.append("\t" if gap > _GAP_IS_COLUMN * min(left.height, right.height) else " ")
        parts.append(_stripped(right.box))
        confidences += [1.0, *_stripped_confidences(right.box)]
    corners = [reading.on_page(corner) for p in group for corner in p.box.corners]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    box = tuple(round(v / scale) for v in (min(xs), min(ys), max(xs), max(ys)))
    confidence = round(_mean_confidence([p.box for p in group]), 4)
    read = "".join(parts)
    text = legal_forms_read_back(read)
    scores = tuple(round(c, 4) for c in confidences)
    return OcrLine(text, page, box, confidence, scores, read if text != read else "")  # type: ignore[arg-type]


def _stripped(box: TextBox) -> str:
    return box.text.strip()


def _stripped_confidences(box: TextBox) -> tuple[float, ...]:
    lead = len(box.text) - len(box.text.lstrip())
    return box.per_char()[lead : lead + len(_stripped(box))]


class RapidOcr:
    """RapidOCR (PP-OCRv6 small detector and recogniser, ONNX Runtime on the CPU). Its wheel ships
    the models, so it reads with no network. The 180-degree line classifier is off: read_page
    decides a page's orientation as a whole, where the classifier turns lines one by one and would
    leave them in upside-down order. The detector sees the page at 1,280 px on its long side at most
    (by default it scales the short side up to 736, a 463 x 1013 receipt to 736 x 1610): on 15
    receipts 0.5 s less per page and as many characters read (benchmarks/ocr_engines.py)."""

    name = "rapidocr"
    PARAMS = {
        "Global.use_cls": False,
        # Per-character confidences (they cost about 0.05 s a page).
        "Global.return_word_box": True,
        "Global.return_single_char_box": True,
        "Global.log_level": "warning",
        "Det.limit_type": "max",
        "Det.limit_side_len": 1280,
        # Boxes are recognised in batches padded to the widest, and to at least this width: the
        # default 320 pads a batch of short amounts to four times their width. Narrower still is
        # faster but drops decimal points (docs/ocr.md has the figures per width).
        "Rec.rec_img_shape": [3, 48, 256],
    }

    def __init__(self) -> None:
        from rapidocr import RapidOCR  # imported here: only documents that need OCR pay for loading it

        self._engine = RapidOCR(params=self.PARAMS)
        self._lock = threading.Lock()  # one ONNX session per engine, and it already uses every core

    def read(self, image: Image.Image) -> list[TextBox]:
        with self._lock:
            result = self._engine(image)
        if result.boxes is None:
            return []
        words = result.word_results
        if not words or len(words) != len(result.txts):  # never let zip() drop a box
            words = ((),) * len(result.txts)
        return [
            TextBox(text, tuple((float(x), float(y)) for x, y in corners), float(score), _char_scores(text, chars))  # type: ignore[arg-type]
            for corners, text, score, chars in zip(result.boxes, result.txts, result.scores, words)
        ]


def _char_scores(text: str, chars: tuple) -> tuple[float, ...] | None:
    """RapidOCR's (character, score, box) per printed character, spaces left out, as one score per
    character of `text` (a space is sure); None when they do not line up."""
    scores = iter(float(score) for _, score, _ in chars)
    aligned = tuple(1.0 if ch.isspace() else next(scores, -1.0) for ch in text)
    return None if -1.0 in aligned or next(scores, None) is not None else aligned


@functools.cache
def default_engine() -> OcrEngine:
    """One engine per process: loading the models takes about a second."""
    return RapidOcr()
