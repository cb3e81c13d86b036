"""Reading order of a PDF page's characters (documents/layout.py), on characters placed by hand:
what PDFium gives, a box in points per character, in the order the producer drew them."""

from extraction_pipeline.documents.layout import PdfChar, pdf_text

WIDTH, HEIGHT = 6.0, 12.0


def _drawn(text: str, x: float, top: float, upright: bool = True) -> list[PdfChar]:
    """`text` drawn from (x, top), one character every 6 pt; a space is PDFium's inferred one."""
    return [PdfChar(c, x + i * WIDTH, top, x + (i + 1) * WIDTH, top + HEIGHT, upright) for i, c in enumerate(text)] + [
        PdfChar("\r", 0, 0, 0, 0),
        PdfChar("\n", 0, 0, 0, 0),
    ]


def test_pieces_drawn_out_of_order_are_read_by_where_they_stand():
    chars = _drawn("198,00", 200, 100) + _drawn("Tea bag", 20, 100) + _drawn("9,90", 120, 100) + _drawn("Item", 20, 80)
    assert pdf_text(chars) == "Item\nTea bag\t9,90\t198,00"


def test_words_a_space_apart_stay_one_piece_and_a_column_gap_is_a_tab():
    chars = _drawn("Nr. 47 11", 20, 100)  # PDFium's spaces inside one drawn piece
    chars += _drawn("EUR", 20 + 9 * WIDTH + 0.5 * HEIGHT, 100)  # half a line height on: a word gap
    chars += _drawn("10,00", 20 + 12 * WIDTH + 3 * HEIGHT, 100)  # three line heights on: a column
    assert pdf_text(chars) == "Nr. 47 11 EUR\t10,00"


def test_text_drawn_turned_follows_the_lines_and_a_mostly_turned_page_keeps_its_drawing_order():
    margin = _drawn("(c) AWV", 5, 300, upright=False)
    assert pdf_text(_drawn("RECHNUNG", 20, 100) + margin) == "RECHNUNG\n(c) AWV"
    sideways = _drawn("RECHNUNG", 20, 100, upright=False) + _drawn("Nr. 4711", 40, 100, upright=False)
    assert pdf_text(sideways) == "RECHNUNG\nNr. 4711\n"
