"""Reading an inbox folder into documents, and rejecting what cannot be read, with a reason.

A document's id is the SHA-256 of its bytes, so the same content under another name is the same
document, and an edited file is a new one.
"""

from __future__ import annotations

import errno
import hashlib
import html.parser
import io
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

FORMATS = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}
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
    max_seconds: float = 60.0  # checked between pages; one page of a hostile PDF took 2.6 s


@dataclass(frozen=True)
class Document:
    document_id: str
    source_path: str
    format: str
    size_bytes: int
    text: str


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
    text = _pdf_text(path, data, limits) if fmt == "pdf" else _decode_text(path, data)
    if fmt == "html":
        text = html_to_text(text)
    text = text.strip()
    if not text:
        raise RejectedFile(f"{path}: no text in the document")
    if len(text) > limits.max_text_chars:
        raise RejectedFile(f"{path}: over {limits.max_text_chars} characters of text; not read")
    return Document(document_id(data), str(path), fmt, len(data), text)


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


def _pdf_text(path: Path, data: bytes, limits: ReadLimits) -> str:
    import pypdf  # imported here: only PDFs pay for it

    started = time.monotonic()
    parts: list[str] = []
    size = 0
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise RejectedFile(f"{path}: encrypted PDF")
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise RejectedFile(f"{path}: {pages} pages, over the limit of {limits.max_pages}; not read")
        for number, page in enumerate(reader.pages, 1):
            if time.monotonic() - started > limits.max_seconds:
                raise RejectedFile(
                    f"{path}: reading its text took over {limits.max_seconds:g} s (stopped at page {number} of {pages})"
                )
            text = page.extract_text() or ""
            size += len(text)
            if size > limits.max_text_chars:
                raise RejectedFile(
                    f"{path}: over {limits.max_text_chars} characters of text (at page {number} of {pages}); not read"
                )
            parts.append(text)
    except RejectedFile:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise RejectedFile(f"{path}: corrupt PDF ({type(exc).__name__}: {exc})") from exc
    text = "\n".join(parts)
    if not text.strip():
        raise RejectedFile(f"{path}: PDF has no text layer (a scanned image needs OCR first)")
    return text


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
