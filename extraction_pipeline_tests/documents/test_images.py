"""Scans and photos: every image format users send is read, and every image no one could read is
refused with the file and the reason, before any OCR time is spent on it."""

import io
import struct
import zlib

import pytest
from PIL import Image

from extraction_pipeline.documents.reading import RejectedFile, read_document, scan_inbox, unusable_text_layer
from extraction_pipeline_tests.support.helpers import SAMPLE_INBOX

SCAN = SAMPLE_INBOX / "X00016469619.jpg"


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels and holds one row: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1)))


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def scan():
    return Image.open(SCAN).convert("RGB")


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("blank.png", lambda scan: encoded(Image.new("RGB", (800, 1000), "white"), "PNG"), "blank image"),
        ("grey.jpg", lambda scan: encoded(Image.new("L", (800, 1000), 128), "JPEG"), "blank image"),
        ("dot.png", lambda scan: encoded(Image.new("RGB", (1, 1), "black"), "PNG"), "1 x 1 px, too small to read"),
        ("cut.jpg", lambda scan: SCAN.read_bytes()[:4000], "corrupt image data"),
        ("noise.jpg", lambda scan: b"\xff\xd8\xff\xe0" + b"not a jpeg" * 50, "not a readable image"),
        ("bomb.png", lambda scan: png_header(20000, 20000), "over 100 megapixels"),
        ("big.png", lambda scan: png_header(12000, 12000), "12000 x 12000 px, over the limit of 100 megapixels"),
        ("art.png", lambda scan: encoded(Image.new("RGB", (600, 400), (200, 30, 30)), "PNG"), "blank image"),
    ],
)
def test_images_no_one_could_read_are_refused_with_the_file_and_the_reason(tmp_path, scan, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make(scan))
    with pytest.raises(RejectedFile) as err:
        read_document(path, tmp_path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_a_picture_without_text_is_refused_after_ocr(tmp_path):
    picture = Image.linear_gradient("L").resize((600, 600)).convert("RGB")
    path = tmp_path / "gradient.png"
    path.write_bytes(encoded(picture, "PNG"))
    with pytest.raises(RejectedFile, match="no text found by OCR"):
        read_document(path, tmp_path)


@pytest.mark.parametrize(("suffix", "fmt"), [(".png", "PNG"), (".webp", "WEBP"), (".tif", "TIFF")])
def test_every_image_format_is_read_with_ocr(tmp_path, scan, suffix, fmt):
    path = tmp_path / f"receipt{suffix}"
    path.write_bytes(encoded(scan.crop((0, 0, scan.width, 420)), fmt))
    doc = read_document(path, tmp_path)
    assert doc.format == "image" and "INDAH GIFT & HOME DECO" in doc.text
    assert len(doc.ocr_pages) == 1 and doc.ocr_confidence > 0.9


def test_a_multi_page_tiff_reads_every_page_and_skips_blank_ones(tmp_path, scan):
    top, bottom = scan.crop((0, 0, scan.width, 420)), scan.crop((0, 420, scan.width, 700))
    blank = Image.new("RGB", top.size, "white")
    path = tmp_path / "scan.tiff"
    path.write_bytes(encoded(top, "TIFF", save_all=True, append_images=[blank, bottom]))
    doc = read_document(path, tmp_path)
    assert [p.number for p in doc.ocr_pages] == [1, 3]
    assert doc.text.index("INDAH GIFT") < doc.text.index("Desc/Item")
    # Each line knows its page and where its text sits in the document's text.
    for located in doc.ocr_lines:
        assert doc.text[located.start : located.end] == located.line.text
    assert {located.line.page for located in doc.ocr_lines} == {1, 3}


def test_a_pdf_of_scanned_pages_is_read_with_ocr(tmp_path, scan):
    path = tmp_path / "scan.pdf"
    path.write_bytes(encoded(scan.crop((0, 0, scan.width, 420)), "PDF", resolution=150))
    doc = read_document(path, tmp_path)
    assert doc.format == "pdf" and "INDAH GIFT & HOME DECO" in doc.text and len(doc.ocr_pages) == 1
    # Boxes on a PDF page are in points (1/72 inch): 150 dpi pixels times 72/150.
    line = next(x.line for x in doc.ocr_lines if "INDAH" in x.line.text)
    assert line.box[2] < scan.width * 72 / 150 + 2


@pytest.mark.parametrize(
    ("text", "has_images", "needs_ocr"),
    [
        ("INVOICE No 2024-117\nTotal EUR 1,250.00\nThank you for your order", False, False),
        ("INVOICE No 2024-117\nTotal EUR 1,250.00\nThank you for your order", True, False),
        ("Page 3 of 3", False, False),  # a short page of a text PDF is just short
        ("Page 3 of 3", True, True),  # the same over an image: a scan with a stamp
        ("", True, True),
        ("\ue000\ue001\ue002 \ue003\ue004 INVOICE \ue005\ue006\ue007\ue008 1,250.00", False, True),  # private use
        ("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ !\"#$%&'()*+,-./ 1", False, True),  # a font without a Unicode map
    ],
)
def test_a_text_layer_that_is_missing_or_garbage_is_read_with_ocr(text, has_images, needs_ocr):
    assert unusable_text_layer(text, has_images) is needs_ocr


def test_an_ocr_engine_failure_rejects_the_file_not_the_run(tmp_path, scan, monkeypatch):
    class Broken:
        """A test double for an engine that fails (as ONNX Runtime does on a model it cannot load)."""

        name = "broken"

        def read(self, image):
            raise RuntimeError("onnxruntime: invalid model")

    monkeypatch.setattr("extraction_pipeline.documents.reading.default_engine", lambda: Broken())
    (tmp_path / "scan.png").write_bytes(encoded(scan, "PNG"))
    (tmp_path / "note.txt").write_text("TOTAL 9.00")
    documents, rejections = scan_inbox(tmp_path)
    assert [d.format for d in documents] == ["text"]
    assert "OCR failed on page 1 (RuntimeError: onnxruntime: invalid model)" in rejections[0].reason
