"""OCR: boxes become lines shaped like the SROIE text, pages are read upright whichever way they were
scanned, and every line keeps its page, box and confidence. The orientation tests read a real scan
with the real engine (a crop of the sample receipt, about a second a reading)."""

import io

import pytest
from PIL import Image, ImageDraw

from extraction_pipeline.documents.images import ImageLimits, page_images
from extraction_pipeline.documents.ocr import TextBox, default_engine, read_page
from extraction_pipeline_tests.support.helpers import SAMPLE_INBOX

SCAN = SAMPLE_INBOX / "X00016469619.jpg"


class FixedBoxes:
    """A test double for an OCR engine: returns the same boxes for any image."""

    name = "fixed"

    def __init__(self, boxes):
        self.boxes = boxes

    def read(self, image):
        return self.boxes


def box(text, left, top, right, bottom, confidence=0.99, lift=0.0):
    """A box whose right side sits `lift` px higher than its left (a slanted line)."""
    return TextBox(text, ((left, top), (right, top - lift), (right, bottom - lift), (left, bottom)), confidence)


def test_boxes_become_lines_top_to_bottom_with_a_tab_between_columns():
    boxes = [
        box("TOTAL", 10, 200, 80, 220),
        box("60.30", 300, 202, 360, 221),
        box("INDAH GIFT", 10, 10, 130, 30),
        box("& HOME DECO", 136, 11, 270, 30),
    ]
    page = read_page(Image.new("RGB", (400, 300), "white"), 1, 1.0, FixedBoxes(boxes))
    assert page.text == "INDAH GIFT & HOME DECO\nTOTAL\t60.30"
    assert page.lines[1].box == (10, 200, 360, 221) and page.lines[1].page == 1


def test_a_slanted_page_keeps_its_lines_apart():
    """Over 400 px a slant under 2 degrees (read without straightening) lifts a line's end by 12 px,
    most of a line's height: grouping on the boxes' centres turned back keeps the lines apart."""
    boxes = [box("CODE/DESC", 10, 100, 200, 120, lift=6), box("AMOUNT", 260, 91, 400, 111, lift=5)]
    boxes += [box("TOTAL", 10, 122, 200, 142, lift=6), box("9.00", 260, 113, 400, 133, lift=5)]
    page = read_page(Image.new("RGB", (420, 200), "white"), 1, 1.0, FixedBoxes(boxes))
    assert page.text == "CODE/DESC\tAMOUNT\nTOTAL\t9.00"


def test_boxes_are_given_in_the_files_pixels():
    page = read_page(Image.new("RGB", (400, 300), "white"), 1, 0.5, FixedBoxes([box("TOTAL", 10, 20, 80, 40)]))
    assert page.lines[0].box == (20, 40, 160, 80)


def test_line_confidence_is_weighted_by_characters():
    boxes = [box("TOTAL AMOUNT", 10, 10, 150, 30, confidence=1.0), box("9", 300, 10, 310, 30, confidence=0.4)]
    page = read_page(Image.new("RGB", (400, 100), "white"), 1, 1.0, FixedBoxes(boxes))
    assert page.lines[0].confidence == pytest.approx((12 * 1.0 + 1 * 0.4) / 13, abs=1e-3)


@pytest.fixture(scope="module")
def receipt_top():
    """The sample scan's first 420 px: shop name, address, date."""
    image = page_images(SCAN, SCAN.read_bytes(), ImageLimits(), max_pages=1)[0].image
    return image.crop((0, 0, image.width, 420))


@pytest.fixture(scope="module")
def upright(receipt_top):
    return read_page(receipt_top, 1, 1.0, default_engine())


def test_a_real_scan_reads_like_its_transcription(upright):
    text = upright.text
    assert "INDAH GIFT & HOME DECO" in text and "JALAN DEDAP 13" in text and "19/10/2018" in text
    assert upright.rotation == 0 and all(0 < line.confidence <= 1 for line in upright.lines)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_page_scanned_sideways_or_upside_down_reads_the_same(receipt_top, upright, degrees):
    turned = receipt_top.rotate(degrees, expand=True)
    page = read_page(turned, 1, 1.0, default_engine())
    assert page.rotation == (360 - degrees) % 360
    assert page.text.splitlines()[:4] == upright.text.splitlines()[:4]
    # The boxes point into the turned image as given: the shop name's box is tall on a sideways page.
    left, top, right, bottom = page.lines[0].box
    assert (bottom - top > right - left) == (degrees in (90, 270))


def test_a_skewed_page_is_straightened_and_read_again(receipt_top, upright):
    page = read_page(receipt_top.rotate(6, expand=True, fillcolor="white"), 1, 1.0, default_engine())
    assert abs(page.skew_degrees + 6) < 1.5
    assert "19/10/2018" in page.text and "INDAH GIFT & HOME DECO" in page.text


def test_a_page_with_nothing_to_read_has_no_lines():
    image = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 500, 300), outline="black", width=3)
    assert read_page(image, 1, 1.0, default_engine()).lines == ()


def test_exif_orientation_is_honoured(tmp_path, receipt_top, upright):
    """A phone stores the pixels as the sensor saw them and says in EXIF how to turn them."""
    sideways = receipt_top.rotate(90, expand=True)  # what the sensor saw
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    out = io.BytesIO()
    sideways.save(out, format="JPEG", exif=exif, quality=95)
    page = page_images(tmp_path / "photo.jpg", out.getvalue(), ImageLimits(), max_pages=1)[0]
    assert page.image.size == receipt_top.size
    assert read_page(page.image, 1, page.scale, default_engine()).rotation == 0


def test_each_character_keeps_its_confidence_through_the_line():
    boxes = [
        TextBox("TOTAL", ((10, 10), (80, 10), (80, 30), (10, 30)), 0.99, (0.99,) * 5),
        TextBox("60.30", ((300, 10), (360, 10), (360, 30), (300, 30)), 0.9, (0.99, 0.45, 0.99, 0.99, 0.99)),
    ]
    line = read_page(Image.new("RGB", (400, 100), "white"), 1, 1.0, FixedBoxes(boxes)).lines[0]
    assert line.text == "TOTAL\t60.30" and len(line.char_confidences) == len(line.text)
    assert line.confidence_of(0, 5) == 0.99 and line.confidence_of(6, 11) == 0.45


def test_real_ocr_gives_a_confidence_for_every_character(upright):
    assert all(len(line.char_confidences) == len(line.text) for line in upright.lines)
