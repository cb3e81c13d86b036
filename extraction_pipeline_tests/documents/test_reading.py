"""Reading the inbox: every format, and a named reason for every file that cannot be read."""

import os
from pathlib import Path

import pytest

from extraction_pipeline.documents.reading import (
    ReadLimits,
    RejectedFile,
    document_id,
    html_to_text,
    joined,
    read_document,
    scan_inbox,
)
from extraction_pipeline_tests.support.pdf_builder import (
    blank_pdf,
    encrypted_pdf,
    placed_words_pdf,
    table_drawn_apart_pdf,
    text_pdf,
)

RECEIPT = "SHOP (M) SDN BHD\n12, JALAN MAWAR\nDATE 25/12/2018\nTOTAL 9.00\n"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_plain_text_document_has_content_id_path_format_size_and_text(tmp_path):
    path = write(tmp_path, "r1.txt", RECEIPT)
    doc = read_document(path, tmp_path)
    assert doc.document_id == document_id(RECEIPT.encode())
    assert (doc.source_path, doc.format, doc.size_bytes) == (str(path), "text", len(RECEIPT))
    assert doc.text == RECEIPT.strip()


def test_same_bytes_under_another_name_is_the_same_document_and_an_edit_is_not(tmp_path):
    a = read_document(write(tmp_path, "a.txt", RECEIPT), tmp_path)
    b = read_document(write(tmp_path, "b.md", RECEIPT), tmp_path)
    c = read_document(write(tmp_path, "c.txt", RECEIPT + "x"), tmp_path)
    assert a.document_id == b.document_id != c.document_id


def test_html_keeps_visible_text_only():
    markup = "<html><head><title>t</title><style>p{}</style></head><body><p>SHOP &amp; CO</p><script>alert(1)</script></body></html>"
    assert html_to_text(markup) == "SHOP & CO"


def test_html_table_cells_and_definitions_stay_apart_as_columns():
    """A price in its own cell must not run into the next cell's quantity (`9.00 2` is not `9.002`)."""
    table = "<table><tr><th>Item</th><th>Price</th><th>Qty</th></tr><tr><td>Tea  bag</td><td>9.00</td><td>2</td></tr></table>"
    definitions = "<dl><dt>Subtotal</dt><dd>18.00</dd><dt>Total</dt><dd>18.00</dd></dl>"
    assert html_to_text(table) == "Item\tPrice\tQty\nTea bag\t9.00\t2"
    assert html_to_text(definitions) == "Subtotal\t18.00\nTotal\t18.00"


def test_pdf_text_layer_is_read(tmp_path):
    doc = read_document(write(tmp_path, "r.pdf", text_pdf(["SHOP (M) SDN BHD", "TOTAL 9.00"])), tmp_path)
    assert doc.format == "pdf" and doc.cells_moved == 0
    assert "SHOP (M) SDN BHD" in doc.text and "TOTAL 9.00" in doc.text


def test_words_drawn_apart_without_a_space_character_are_read_as_words(tmp_path):
    """pypdf, which read PDFs before PDFium, joined them (`HandelsrechnungNr.KR876vom06.10.2018`)."""
    pdf = placed_words_pdf(["Handelsrechnung", "Nr.", "KR876", "vom", "06.10.2018"])
    doc = read_document(write(tmp_path, "r.pdf", pdf), tmp_path)
    assert doc.text == "Handelsrechnung Nr. KR876 vom 06.10.2018"


def test_a_word_broken_after_a_hyphen_is_joined_with_the_hyphen(tmp_path):
    """PDFium joins it and gives the hyphen as U+FFFE, which the model copied into item names
    (`MUELLSACK\ufffeEXTRASTARK-BLAU`, ZUGFeRD 2.4 samples of the tuning part)."""
    pdf = text_pdf(["MUELLSACK-", "EXTRASTARK-BLAU 150 Stk 73,94"])
    doc = read_document(write(tmp_path, "r.pdf", pdf), tmp_path)
    assert doc.text == "MUELLSACK-EXTRASTARK-BLAU 150 Stk 73,94"


def test_a_table_rows_cell_drawn_after_the_footer_is_read_on_its_row(tmp_path):
    """The header blocks beside each other stay as drawn, each whole."""
    doc = read_document(write(tmp_path, "r.pdf", table_drawn_apart_pdf()), tmp_path)
    lines = doc.text.splitlines()
    assert "1 KR3M Kunstrasen 3,00 m2 4,00 12,00" in lines and "Kunstrasen" not in lines
    assert lines[:4] == ["Seller GmbH", "Weg 1", "Buyer AG", "Gasse 2"]
    assert doc.cells_moved == 1


def test_a_pdf_locked_only_against_changes_is_read(tmp_path):
    doc = read_document(write(tmp_path, "r.pdf", encrypted_pdf(["TOTAL 9.00"], user_password="")), tmp_path)
    assert doc.text == "TOTAL 9.00"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content"),
        ("noise.md", bytes(range(1, 32)) * 20, "binary content"),
        ("corrupt.pdf", b"%PDF-1.7\nthis is not really a pdf", "corrupt PDF"),
        ("scan.pdf", blank_pdf(), "no text layer"),
        ("locked.pdf", encrypted_pdf(["TOTAL 9.00"]), "encrypted PDF"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported format '.xlsx'"),
        ("README", b"hello", "unsupported format '(no extension)'"),
    ],
)
def test_unreadable_files_are_rejected_with_the_file_and_the_reason(tmp_path, name, data, reason):
    path = write(tmp_path, name, data)
    with pytest.raises(RejectedFile) as err:
        read_document(path, tmp_path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_oversized_file_is_rejected_before_it_is_read(tmp_path):
    path = write(tmp_path, "big.txt", "A" * 2000)
    with pytest.raises(RejectedFile, match="oversized"):
        read_document(path, tmp_path, ReadLimits(max_bytes=1000))


def test_latin1_and_utf16_text_are_decoded(tmp_path):
    latin = read_document(write(tmp_path, "l.txt", "CAFÉ CRÈME TOTAL 9.00".encode("latin-1")), tmp_path)
    utf16 = read_document(write(tmp_path, "u.txt", "CAFÉ TOTAL 9.00".encode("utf-16")), tmp_path)
    assert latin.text == "CAFÉ CRÈME TOTAL 9.00"
    assert utf16.text == "CAFÉ TOTAL 9.00"


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("收据 合计 9.00 元 谢谢惠顾 北京市朝阳区", "gbk"),
        ("領収書 合計 900円 ありがとうございました 東京都", "shift_jis"),
        ("Rechnung Straße Müller Gesamtbetrag 9,00 EUR", "cp1252"),
    ],
)
def test_legacy_encodings_are_detected_not_guessed(tmp_path, text, encoding):
    assert read_document(write(tmp_path, "legacy.txt", text.encode(encoding)), tmp_path).text == text


def test_symlink_out_of_the_inbox_is_not_followed(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "secret.txt"
    inbox.mkdir()
    outside.write_text("PRIVATE")
    os.symlink(outside, inbox / "link.txt")
    with pytest.raises(RejectedFile, match="outside the inbox"):
        read_document(inbox / "link.txt", inbox)


def test_scan_accounts_for_every_file_and_skips_hidden_files_and_gold_labels(tmp_path):
    write(tmp_path, "a.txt", RECEIPT)
    write(tmp_path, "copy of a.txt", RECEIPT)
    write(tmp_path, "empty.txt", "")
    write(tmp_path, ".DS_Store", b"\x00\x01")
    write(tmp_path, "gold.jsonl", '{"id": "a", "fields": {}}\n')
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "b $(rm -rf) ü.html", "<p>SHOP B</p>")
    documents, rejections = scan_inbox(tmp_path)
    assert [Path(d.source_path).name for d in documents] == ["a.txt", "b $(rm -rf) ü.html"]
    assert sorted(Path(r.source_path).name for r in rejections) == ["copy of a.txt", "empty.txt"]
    assert any("same content as" in r.reason for r in rejections)


def test_a_50_mb_text_file_is_rejected_without_being_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.write(b"TOTAL 9.00\n" * (50 * 1024 * 1024 // 11 + 1))
    with pytest.raises(RejectedFile, match=r"oversized \(52428\d+ bytes, limit 10485760\)"):
        read_document(path, tmp_path)


def test_a_file_that_vanished_after_listing_is_rejected_by_name(tmp_path):
    path = write(tmp_path, "gone.txt", RECEIPT)
    path.unlink()
    with pytest.raises(RejectedFile, match="gone.txt: unreadable \\(No such file or directory\\)"):
        read_document(path, tmp_path)


def test_half_a_character_in_a_text_layer_never_reaches_a_request():
    """pypdf returns an emoji of the fnfe-* invoices as a lone UTF-16 surrogate; the run then failed
    on every request with UnicodeEncodeError. A pair is joined, a lone half replaced."""
    text, _ = joined(["Merci \ud83d de votre confiance", "Total \ud83d\ude00 12,00"])
    assert text == "Merci \ufffd de votre confiance\nTotal \U0001f600 12,00"
    text.encode("utf-8")
