"""Legal forms misread on faint print are read back; numbers, codes and words that only look like a
form stay as the engine read them. The misread lines are from OCR of SROIE scans 1-300."""

import pytest
from PIL import Image

from extraction_pipeline.documents.misreads import legal_forms_read_back
from extraction_pipeline.documents.ocr import read_page
from extraction_pipeline.documents.reading import Document, LocatedLine
from extraction_pipeline.quality.metrics import ocr_summary
from extraction_pipeline_tests.documents.test_ocr import FixedBoxes, box


@pytest.mark.parametrize(
    "read, printed",
    [
        ("99 SPEED MART 5/B (519537-X)", "99 SPEED MART S/B (519537-X)"),
        ("Broadview Marketing 5dn Bhd(728384-M)", "Broadview Marketing Sdn Bhd(728384-M)"),
        ("AMANO MALAYSIA SON BHD (682288-V)", "AMANO MALAYSIA SDN BHD (682288-V)"),
        ("SUPER.SEVEN CASH & CARRY SON 3HD 28-05", "SUPER.SEVEN CASH & CARRY SDN BHD 28-05"),
        ("SEGI CASH & CARRY SDN. 8HD.", "SEGI CASH & CARRY SDN. BHD."),
        ("ACME TRADING L7D", "ACME TRADING LTD"),
    ],
)
def test_a_misread_legal_form_is_read_back(read, printed):
    assert legal_forms_read_back(read) == printed


@pytest.mark.parametrize(
    "line",
    [
        "RM\t170.00",  # a number is not a form, whatever its digits could be read as
        "1 Salmon 170,000",
        "12 8HD",  # a code after a figure, not after a name
        "JOHN & SON",  # a word, not a form: an O for a D is read back only before BHD
        "RAJU S/O MUTHU",  # son of, in a Malaysian name
        "Senin s/d Jumat",  # until, in Indonesian: a D for a B is not read back
        "SON\tBHD",  # two columns, not one name
        "AIK HUAT SDN BHD",  # already right
    ],
)
def test_what_only_looks_like_a_form_stays(line):
    assert legal_forms_read_back(line) == line


def test_ocr_lines_are_read_back_keeping_the_engines_reading_and_their_confidences():
    boxes = [box("99 SPEED MART", 10, 10, 150, 30, confidence=0.97), box("5/B", 156, 10, 190, 30, confidence=0.6)]
    boxes.append(box("TOTAL 9.00", 10, 40, 150, 60))
    page = read_page(Image.new("RGB", (300, 100), "white"), 1, 1.0, FixedBoxes(boxes))
    name, total = page.lines
    assert (name.text, name.engine_text) == ("99 SPEED MART S/B", "99 SPEED MART 5/B")
    assert (total.text, total.engine_text) == ("TOTAL 9.00", "")
    assert len(name.char_confidences) == len(name.text)
    assert name.confidence_of(name.text.index("S/B"), len(name.text)) == 0.6
    located = (LocatedLine(0, 17, name), LocatedLine(18, 28, total))
    doc = Document("d", "scan.jpg", "jpg", 1, page.text, ocr_lines=located, ocr_pages=(page,))
    assert ocr_summary([doc]).named()["ocr.lines_read_back"] == 1
