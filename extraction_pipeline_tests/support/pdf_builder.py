"""Builds small real PDF files for tests: a text layer, words placed without spaces or out of order, no
text layer, or encrypted."""

from __future__ import annotations

import io

import pypdf
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, top to bottom)."""
    ops = ["BT", "/F1 10 Tf", "14 TL", "20 380 Td"]
    for line in lines:
        ops += [f"({_escaped(line)}) Tj", "T*"]
    return _one_page(ops + ["ET"])


def placed_words_pdf(words: list[str]) -> bytes:
    """One line of words, each drawn at its own position a narrow space (2.5 pt) after the last, with
    no space character between them, as the ZUGFeRD stylesheet's invoices are drawn."""
    ops, x = [], 20.0
    for word in words:
        ops += ["BT", "/F1 10 Tf", f"1 0 0 1 {x} 380 Tm", f"({_escaped(word)}) Tj", "ET"]
        x += 6 * len(word) + 2.5  # Courier at 10 pt: every character 6 pt wide
    return _one_page(ops, font="Courier")


def placed_runs_pdf(runs: list[tuple[float, float, str]]) -> bytes:
    """Runs of text each drawn at its (x, y) in points (Courier 10 pt), in the order given: the
    order a producer drew them in, which need not be the page's."""
    ops = []
    for x, y, text in runs:
        ops += ["BT", "/F1 10 Tf", f"1 0 0 1 {x} {y} Tm", f"({_escaped(text)}) Tj", "ET"]
    return _one_page(ops, font="Courier")


def table_drawn_apart_pdf() -> bytes:
    """Seller and buyer side by side, then an item row whose name is drawn after the page's footer,
    as ferd10-COMFORT_Rabatte draws its article names."""
    return placed_runs_pdf(
        [
            (20, 370, "Seller GmbH"), (20, 358, "Weg 1"), (160, 370, "Buyer AG"), (160, 358, "Gasse 2"),
            (20, 300, "1 KR3M"), (170, 300, "3,00 m2 4,00 12,00"),
            (20, 280, "Total 12,00"),
            (20, 40, "Bank: Sparkasse"),
            (70, 300, "Kunstrasen"),
        ]
    )  # fmt: skip


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _one_page(ops: list[str], font: str = "Helvetica") -> bytes:
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=300, height=400)
    page[NameObject("/Resources")] = _font_resources(writer, font)
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    return _bytes(writer)


def _font_resources(writer: pypdf.PdfWriter, font: str) -> DictionaryObject:
    """A page's resources naming one standard font `/F1`."""
    font_dict = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
         NameObject("/BaseFont"): NameObject(f"/{font}")}
    )  # fmt: skip
    return DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font_dict)})})


def blank_pdf() -> bytes:
    """A page with no text layer, like a scanned image that was never OCRed."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=300, height=400)
    return _bytes(writer)


def encrypted_pdf(lines: list[str], user_password: str = "secret") -> bytes:
    """Encrypted; with an empty user password it opens without one (only its permissions are locked,
    as many issuers' invoices are)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(lines))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    return _bytes(writer)


def _bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_bomb_pdf(pages: int = 2000, decoded_bytes: int = 1_000_000) -> bytes:
    """A small PDF whose `pages` pages all share one compressed content stream that decodes to
    `decoded_bytes` of text operators: a few hundred KB on disk, gigabytes of work to read."""
    writer = pypdf.PdfWriter()
    resources = _font_resources(writer, "Helvetica")
    line = b"(TOTAL 9.50 SHOP SDN BHD) Tj T*\n"
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 10 Tf 14 TL 20 380 Td\n" + line * (decoded_bytes // len(line)) + b"ET")
    shared = writer._add_object(stream.flate_encode())
    for _ in range(pages):
        page = writer.add_blank_page(width=300, height=400)
        page[NameObject("/Resources")] = resources
        page[NameObject("/Contents")] = shared
    return _bytes(writer)
