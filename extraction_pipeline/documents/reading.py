"""Reading an inbox folder into documents, and rejecting what cannot be read, with a reason.

A document's id is the SHA-256 of its bytes, so the same content under another name is the same
document, and an edited file is a new one. Images, and PDF pages without a usable text layer, are
read with OCR (ocr.py) into text of the same shape as any other, and keep where each line was.
"""

from __future__ import annotations

import errno
import hashlib
import html.parser
import os
import stat
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
from PIL import Image

from extraction_pipeline.documents.images import IMAGE_SUFFIXES, ImageLimits, UnreadableImage, jpeg_bytes, page_images
from extraction_pipeline.documents.ocr import OcrLine, OcrPage, default_engine, read_page
from extraction_pipeline.documents.table_rows import PlacedLine, rows_rejoined

FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    **{suffix: "image" for suffix in IMAGE_SUFFIXES},
}
# Files that live beside documents but are not documents (gold labels for evaluation).
SIDECAR_NAMES = frozenset({"gold.jsonl"})


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one document, set well above real documents (a 300-page contract has about
    1M characters of text) so that only broken or hostile files meet them: a PDF whose 2,000 pages
    share one stream decoding to 1 MB each took over 300 s before these existed."""

    max_bytes: int = 10 * 1024 * 1024
    max_pages: int = 500
    max_text_chars: int = 2_000_000
    max_seconds: float = 60.0  # checked between pages, OCR not counted; one page of a hostile PDF took 2.6 s
    # OCR takes 1.5 to 3 s a page on 2 cores (benchmarks/ocr_engines.py): this bounds a document to minutes.
    max_ocr_pages: int = 100
    image: ImageLimits = ImageLimits()


@dataclass(frozen=True)
class LocatedLine:
    """An OCR line and where its text sits in the document's text."""

    start: int
    end: int
    line: OcrLine


@dataclass(frozen=True)
class Document:
    document_id: str
    source_path: str
    format: str
    size_bytes: int
    text: str
    # Set for documents read with OCR, whole or in part (PDF pages without a usable text layer).
    ocr_lines: tuple[LocatedLine, ...] = field(default=(), repr=False)
    ocr_pages: tuple[OcrPage, ...] = field(default=(), repr=False)
    # The inbox subfolder the file sits in (`inbox/invoices/a.pdf` -> "invoices"): a user may route
    # documents to a type by folder.
    inbox_folder: str = ""
    # Table cells a PDF drew apart from their rows, moved onto them (table_rows.py): the text is
    # not the text layer's order, and the run says so.
    cells_moved: int = 0

    @property
    def ocr_confidence(self) -> float | None:
        """Mean confidence of the OCR text, weighted by characters."""
        chars = sum(len(located.line.text) for located in self.ocr_lines)
        if not chars:
            return None
        return sum(len(located.line.text) * located.line.confidence for located in self.ocr_lines) / chars


@dataclass(frozen=True)
class Rejection:
    source_path: str
    reason: str


@dataclass(frozen=True)
class InboxSnapshot:
    """What one run read: the documents, and the files it could not read with the reason."""

    inbox: str
    documents: list[Document]
    rejections: list[Rejection]


class RejectedFile(Exception):
    """A file that cannot become a document; the message is the reason a person reads."""


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def list_inbox(inbox: Path) -> list[Path]:
    """Every candidate file under the inbox, sorted, skipping hidden files and sidecars."""
    found = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name in SIDECAR_NAMES:
                continue
            found.append(Path(root) / name)
    return found


def read_document(path: Path, inbox: Path, limits: ReadLimits = ReadLimits()) -> Document:
    """Read one file into a Document, or raise RejectedFile naming the file and the reason."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RejectedFile(f"{path}: unsupported format {path.suffix or '(no extension)'!r}")
    data = read_inbox_file(path, inbox, limits.max_bytes)
    if not data.strip():
        raise RejectedFile(f"{path}: empty file")
    moved = 0
    if fmt == "image":
        parts: list[str | OcrPage] = list(_image_pages(path, data, limits))
    elif fmt == "pdf":
        parts, moved = _pdf_pages(path, data, limits)
    else:
        text = _decode_text(path, data)
        parts = [html_to_text(text) if fmt == "html" else text]
    text, lines = joined(parts)
    if not text:
        raise RejectedFile(f"{path}: {_why_no_text(fmt, parts)}")
    if len(text) > limits.max_text_chars:
        raise RejectedFile(f"{path}: over {limits.max_text_chars} characters of text; not read")
    ocr_pages = tuple(part for part in parts if isinstance(part, OcrPage))
    relative = path.relative_to(inbox).parts if path.is_relative_to(inbox) else ()
    folder = relative[0] if len(relative) > 1 else ""
    return Document(document_id(data), str(path), fmt, len(data), text, lines, ocr_pages, folder, moved)


def _why_no_text(fmt: str, parts: list[str | OcrPage]) -> str:
    if any(isinstance(part, OcrPage) for part in parts):
        return "no text found by OCR"
    if fmt == "pdf":
        return "PDF has no text layer and no page image to read (blank pages)"
    return "no text in the document"


def well_formed(text: str) -> str:
    """Text that encodes as UTF-8. A PDF's text layer can hold half a character (a lone UTF-16
    surrogate: pypdf split an emoji so in the French fnfe-* invoices), which no request, cache key or
    table can carry; a pair is joined into its character, a lone half becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def joined(parts: list[str | OcrPage]) -> tuple[str, tuple[LocatedLine, ...]]:
    """The pages' text, one page after another, stripped, with every OCR line's place in it."""
    chunks: list[str] = []
    located: list[LocatedLine] = []
    offset = 0
    for part in parts:
        if chunks:
            chunks.append("\n")
            offset += 1
        if isinstance(part, str):
            part = well_formed(part)
            chunks.append(part)
            offset += len(part)
            continue
        for number, line in enumerate(part.lines):
            if number:
                chunks.append("\n")
                offset += 1
            located.append(LocatedLine(offset, offset + len(line.text), line))
            chunks.append(line.text)
            offset += len(line.text)
    text = "".join(chunks)
    stripped = text.strip()
    shift = len(text) - len(text.lstrip())
    return stripped, tuple(LocatedLine(x.start - shift, x.end - shift, x.line) for x in located)


def page_jpegs(doc: Document, limits: ReadLimits = ReadLimits()) -> list[bytes]:
    """The pages of `doc` that were read with OCR, as JPEG, for a model that reads images. The file
    is read again (documents do not carry their images from asset to asset) and must still be the
    one the text came from."""
    path = Path(doc.source_path)
    data = read_inbox_file(path, path.parent, limits.max_bytes)
    if document_id(data) != doc.document_id:
        raise RejectedFile(f"{path}: changed since it was read; its images no longer match its text")
    numbers = {page.number for page in doc.ocr_pages}
    if doc.format == "pdf":
        pdf = _Pdf(path, data, limits.image)
        try:
            return [jpeg_bytes(pdf.render(n)[0]) for n in sorted(numbers)]
        finally:
            pdf.close()
    return [
        jpeg_bytes(p.image) for p in page_images(path, data, limits.image, limits.max_ocr_pages) if p.number in numbers
    ]


def _image_pages(path: Path, data: bytes, limits: ReadLimits) -> list[OcrPage]:
    try:
        pages = page_images(path, data, limits.image, max_pages=limits.max_ocr_pages)
    except UnreadableImage as exc:
        raise RejectedFile(str(exc)) from None
    return [_read_page(path, p.image, p.number, p.scale) for p in pages]


def _read_page(path: Path, image: Image.Image, number: int, scale: float) -> OcrPage:
    """OCR of one page; an engine failure rejects this file, not the run."""
    try:
        return read_page(image, number, scale, default_engine())
    except Exception as exc:  # ONNX Runtime and OpenCV raise their own types
        raise RejectedFile(f"{path}: OCR failed on page {number} ({type(exc).__name__}: {exc})") from exc


def read_inbox_file(path: Path, inbox: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file inside the inbox, or RejectedFile with the reason.

    Hostile inboxes hold FIFOs (an open() that never returns), links to /dev/zero (a read that never
    ends), symlink loops, and files swapped for a link to somewhere else while they are read. So the
    link is resolved once, the result opened without following a link and without blocking, and the
    open file descriptor itself is checked: a regular file, inside the inbox, not over the size limit.
    """
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a symlink loop so; later versions raise OSError(ELOOP)
        raise RejectedFile(f"{path}: symlink loop") from None
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror or exc})"
        raise RejectedFile(f"{path}: {reason}") from None
    root = inbox.resolve()
    if not real.is_relative_to(root):
        raise RejectedFile(f"{path}: leads outside the inbox {inbox} (a link or a path), not read")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RejectedFile(f"{path}: replaced by a symlink while being read, not followed") from None
        raise RejectedFile(f"{path}: unreadable ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb", buffering=0) as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RejectedFile(f"{path}: not a regular file (a FIFO, device, socket or folder), not read")
        opened = _fd_path(fd)
        if opened is not None and not opened.is_relative_to(root):
            raise RejectedFile(f"{path}: resolves outside the inbox while being read, not followed")
        if info.st_size > max_bytes:
            raise RejectedFile(f"{path}: oversized ({info.st_size} bytes, limit {max_bytes})")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew after the size check
        raise RejectedFile(f"{path}: oversized (more than {max_bytes} bytes)")
    return data


def _fd_path(fd: int) -> Path | None:
    """Where an open file descriptor really points (Linux), whatever links led to it."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def scan_inbox(inbox: Path, limits: ReadLimits = ReadLimits()) -> tuple[list[Document], list[Rejection]]:
    """All readable documents of the inbox (once per content) and every rejected file with its reason."""
    documents: list[Document] = []
    rejections: list[Rejection] = []
    seen: dict[str, str] = {}
    for path in list_inbox(inbox):
        try:
            doc = read_document(path, inbox, limits)
        except RejectedFile as exc:
            rejections.append(Rejection(str(path), str(exc)))
            continue
        if doc.document_id in seen:
            rejections.append(Rejection(str(path), f"{path}: same content as {seen[doc.document_id]}"))
            continue
        seen[doc.document_id] = doc.source_path
        documents.append(doc)
    return documents, rejections


def read_selected(
    inbox: Path, names: list[str], limits: ReadLimits = ReadLimits()
) -> tuple[list[Document], list[Rejection]]:
    """The named files of the inbox (to re-run some documents); a name that leads outside the inbox
    is rejected, so a run's config cannot read the rest of the disk through it."""
    documents, rejections = [], []
    for name in names:
        path = Path(name) if Path(name).is_absolute() else inbox / name
        try:  # read_inbox_file refuses what leads outside the inbox, a link loop included
            documents.append(read_document(path, inbox, limits))
        except RejectedFile as exc:
            rejections.append(Rejection(str(path), str(exc)))
    return documents, rejections


def _decode_text(path: Path, data: bytes) -> str:
    """UTF-8 first (with or without BOM), UTF-16 when a BOM says so; anything else is detected by
    charset-normalizer (old exports in cp1252, GBK, Shift-JIS, ...), since guessing one legacy code
    page garbles every other."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RejectedFile(f"{path}: invalid UTF-16 text") from exc
    if b"\x00" in data:
        raise RejectedFile(f"{path}: binary content (NUL bytes) in a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _legacy_text(path, data)
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control > len(text) * 0.05 or text.count("\ufffd") > len(text) * 0.05:
        raise RejectedFile(f"{path}: binary content in a text document")
    return text


# Short texts decode equally cleanly in several code pages (CAFÉ CRÈME reads as cp1250 or cp1252):
# among the equally good readings the most widespread encoding wins.
_WIDESPREAD = ("cp1252", "gb18030", "cp932", "cp949", "big5", "cp1251", "cp1250")


def _legacy_text(path: Path, data: bytes) -> str:
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise RejectedFile(f"{path}: binary content or an unknown text encoding")
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = [m for m in matches if (m.chaos, -m.coherence) == best]
    rank = {name: i for i, name in enumerate(_WIDESPREAD)}
    return str(min(tied, key=lambda m: rank.get(m.encoding, len(rank))))


def _pdf_pages(path: Path, data: bytes, limits: ReadLimits) -> tuple[list[str | OcrPage], int]:
    """Each page's text layer, or its OCR where the layer is missing or garbage (unusable_text_layer),
    and how many table cells were moved onto their rows."""
    started = time.monotonic()
    parts: list[str | OcrPage] = []
    size, ocr_seconds, moved = 0, 0.0, 0
    pdf = _Pdf(path, data, limits.image)
    try:
        if pdf.pages > limits.max_pages:
            raise RejectedFile(f"{path}: {pdf.pages} pages, over the limit of {limits.max_pages}; not read")
        for number in range(1, pdf.pages + 1):
            if time.monotonic() - started - ocr_seconds > limits.max_seconds:
                raise RejectedFile(
                    f"{path}: reading its text took over {limits.max_seconds:g} s"
                    f" (stopped at page {number} of {pdf.pages})"
                )
            text, has_images, cells = pdf.text(number)
            if unusable_text_layer(text, has_images):
                if sum(isinstance(p, OcrPage) for p in parts) >= limits.max_ocr_pages:
                    raise RejectedFile(f"{path}: over {limits.max_ocr_pages} pages need OCR; not read")
                image, scale = pdf.render(number)
                ocr = _read_page(path, image, number, scale)  # boxes in points from the top left
                ocr_seconds += ocr.seconds
                parts.append(ocr)
                size += len(ocr.text)
            else:
                parts.append(text)
                size += len(text)
                moved += cells
            if size > limits.max_text_chars:
                raise RejectedFile(
                    f"{path}: over {limits.max_text_chars} characters of text"
                    f" (at page {number} of {pdf.pages}); not read"
                )
    except RejectedFile:
        raise
    except Exception as exc:  # a page PDFium cannot load or draw
        raise RejectedFile(f"{path}: corrupt PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        pdf.close()
    return parts, moved


# A text layer is garbage when this share of its visible characters cannot be text (control,
# private-use or unassigned code points, U+FFFD), or when under half of them are letters or digits
# (a font without a Unicode map decodes to punctuation soup). Real invoices score 0 and about 0.8.
_MAX_UNREADABLE_SHARE = 0.1
_MIN_ALNUM_SHARE = 0.5
# A scanned page often carries a few stray characters (a scanner's stamp, a page number) over the image.
_MIN_CHARS_OVER_IMAGE = 20


def unusable_text_layer(text: str, has_images: bool) -> bool:
    """Whether a PDF page must be read with OCR instead of its text layer."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < _MIN_CHARS_OVER_IMAGE:
        return has_images
    unreadable = sum(1 for ch in visible if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    alnum = sum(1 for ch in visible if ch.isalnum())
    return unreadable > _MAX_UNREADABLE_SHARE * len(visible) or alnum < _MIN_ALNUM_SHARE * len(visible)


# PDFium is not thread-safe, and page images are drawn again in the LLM worker threads
# (send_page_images): every call into it holds this lock.
_PDFIUM = threading.Lock()


class _Pdf:
    """A PDF read by PDFium (Chrome's PDF engine): each page's text layer, whether it holds images,
    and the page drawn for OCR. PDFium, not pypdf, reads the text: pypdf dropped every space on some
    invoices of the ZUGFeRD set (`HandelsrechnungNr.KR87654321012vom06.10.2018`), split words at
    kerning gaps (`Liefer antenstr aße`) and padded columns with runs of spaces."""

    def __init__(self, path: Path, data: bytes, limits: ImageLimits) -> None:
        import pypdfium2  # imported here: only PDFs pay for it

        try:
            with _PDFIUM:
                self._pdf = pypdfium2.PdfDocument(data)
                self.pages = len(self._pdf)
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise RejectedFile(f"{path}: encrypted PDF (it needs a password to open)") from None
            raise RejectedFile(f"{path}: corrupt PDF ({exc})") from None
        self._limits = limits

    def text(self, number: int) -> tuple[str, bool, int]:
        """Page `number`'s (from 1) text, lines joined with newlines (a table row's cells drawn apart
        from it moved onto it), whether the page holds images, and how many cells moved."""
        import pypdfium2.raw as pdfium_c

        with _PDFIUM:
            page = self._pdf[number - 1]
            try:
                textpage = page.get_textpage()
                try:
                    text = layer_text(textpage)
                    lines, moved = rows_rejoined(placed_lines(textpage))
                    if moved:
                        text = "\n".join(lines)
                finally:
                    textpage.close()
                has_images = next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), None) is not None
                return text, has_images, moved
            finally:
                page.close()

    def render(self, number: int) -> tuple[Image.Image, float]:
        """Page `number` (from 1) as an image, and its pixels per point."""
        with _PDFIUM:
            page = self._pdf[number - 1]
            try:
                width, height = page.get_size()  # in points, 1/72 inch
                scale = min(300 / 72, self._limits.ocr_long_side / max(width, height, 1))
                return page.render(scale=scale).to_pil().convert("RGB"), scale
            finally:
                page.close()

    def close(self) -> None:
        with _PDFIUM:
            self._pdf.close()


def layer_text(textpage: Any) -> str:
    """The page's text as PDFium gives it, lines split at newlines. PDFium joins a word broken after
    a hyphen at a line's end (`MUELLSACK-` over `EXTRASTARK-BLAU`) and gives that hyphen as U+FFFE,
    a non-character the model copied into item names: it is the hyphen the page prints."""
    return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")


def placed_lines(textpage: Any) -> list[PlacedLine]:
    """The page's text lines as PDFium gives them, each character with where it is drawn."""
    import pypdfium2.raw as pdfium_c

    lines: list[PlacedLine] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float] | None] = []
    upright, after_return = True, False

    def line_done() -> None:
        drawn = [b for b in boxes if b is not None]
        top, bottom = (max(b[3] for b in drawn), min(b[1] for b in drawn)) if drawn else (0.0, 0.0)
        lefts = tuple(b[0] if b else None for b in boxes)
        rights = tuple(b[2] if b else None for b in boxes)
        lines.append(PlacedLine("".join(chars), lefts, rights, top, bottom, upright))

    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            continue  # half a character its text leaves out (an emoji's), or none
        char = chr(code).replace("\x02", "-")  # a hyphen that ends a line inside a word, as layer_text gives it
        if char in "\r\n":  # a line ends at \r\n, \r or \n, as the page's text is split
            if not (char == "\n" and after_return):
                line_done()
                chars, boxes, upright = [], [], True
            after_return = char == "\r"
            continue
        after_return = False
        chars.append(char)
        generated = pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1
        boxes.append(None if generated or char.isspace() else textpage.get_charbox(index))
        upright = upright and abs(pdfium_c.FPDFText_GetCharAngle(textpage.raw, index)) < 0.01
    line_done()
    return lines


class _TextExtractor(html.parser.HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "template"})
    _BREAK = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"})
    _CELL = frozenset({"td", "th", "dd"})  # a tab before each: columns stay apart, as on a printed receipt

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK or tag == "dt":  # a term starts a line; its description follows on it
            self.parts.append("\n")
        elif tag in self._CELL:
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one line per block, table cells and a definition's term and
    description separated by a tab (as OCR'd receipts separate columns); scripts and styles dropped."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = []
    for line in "".join(parser.parts).splitlines():
        cells = [" ".join(cell.split()) for cell in line.split("\t")]
        if any(cells):
            lines.append("\t".join(cell for cell in cells if cell))
    return "\n".join(lines)
