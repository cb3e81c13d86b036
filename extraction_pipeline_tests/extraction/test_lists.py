"""A list read whole: rows of the table no item holds are quoted; nothing else is (checks/lists.py)."""

from decimal import Decimal

from extraction_pipeline.checks.lists import rows_left_out
from extraction_pipeline.doctypes.packs import CheckedDocument
from extraction_pipeline.extraction.grounding import ground

CHECK = rows_left_out("line_items", "line_total")


def problem(text: str, lines: list[tuple[str, str]]) -> str | None:
    record = {"line_items": [{"description": d, "line_total": Decimal(a)} for d, a in lines]}
    return CHECK(record, CheckedDocument(text, ground(record, text))).get("line_items")


def test_a_row_of_the_tables_shape_that_no_item_holds_is_quoted():
    text = "1 NASI GORENG 25,000\n1 ES TEH 5,000\n1 MIE AYAM 22,000\n1 KOPI SUSU 8,000\nTOTAL 60,000"
    given = [("NASI GORENG", "25000"), ("ES TEH", "5000"), ("MIE AYAM", "22000")]
    assert "'1 KOPI SUSU 8,000'" in problem(text, given)
    assert problem(text, [*given, ("KOPI SUSU", "8000")]) is None


def test_a_row_an_item_names_is_its_own_whatever_amount_was_given():
    """CORD receipt_00297 (tuning): `2 ES BUAH 36,000` given as 2 x 36,000 = 72,000."""
    text = "1 KUE CUBIT 39,000\n2 ES BUAH 36,000\n1 DODOT KAKEK 28,000\n1 MINERAL WATER 8,000"
    given = [("KUE CUBIT", "39000"), ("ES BUAH", "72000"), ("DODOT KAKEK", "28000"), ("MINERAL WATER", "8000")]
    assert problem(text, given) is None
    # An item whose amount is printed holds its own row: a second row with its words is left out.
    twice = "1 KUE CUBIT 39,000\n1 ES TEH 5,000\n1 MIE AYAM 22,000\n1 KUE CUBIT 40,000"
    assert "'1 KUE CUBIT 40,000'" in problem(twice, [("KUE CUBIT", "39000"), ("ES TEH", "5000"), ("MIE AYAM", "22000")])


def test_codes_and_an_items_quantity_times_price_are_no_rows():
    """CORD receipts 00193 and 00149 (tuning), their gold lists complete."""
    codes = "BAK MANDI\n500900014\n125,000\nTATAKAN\n502100007\n50,000\nBAJU\n804100017\n53,000\nKAPAS\n27,500"
    given = [("BAK MANDI", "125000"), ("TATAKAN", "50000"), ("BAJU", "53000"), ("KAPAS", "27500")]
    assert problem(codes, given) is None
    priced = "1X 8,000\nPOLS 8,000\n1X 14,000\nBENECOL 14,000\n1X 12,200\nREGAL 12,200\n0,292X 19,900\nSEREH 5,811"
    given = [("POLS", "8000"), ("BENECOL", "14000"), ("REGAL", "12200"), ("SEREH", "5811")]
    assert problem(priced, given) is None


def test_rows_that_prove_themselves_items_are_quoted_however_few_items_were_given():
    """An office supplies invoice of the ZUGFeRD 2.4 samples (tuning), answered with its two
    subtotals alone, which add up to its net: too few items to learn the table's shape from."""
    text = (
        "Laser printer B/W 300,00 2 Stk 19% 600,00\nInk printer color 150,00 3 Stk 19% 450,00\n"
        "Subtotal hardware 1.050,00 1 Stk 19% 1.050,00\nHardware Gesamt\nNettobetrag 1.050,00"
    )
    priced = rows_left_out("line_items", "line_total", priced_rows=True)
    subtotal = {"line_items": [{"description": "Hardware Gesamt", "line_total": Decimal(1050)}]}
    found = priced(subtotal, CheckedDocument(text, ground(subtotal, text)))["line_items"]
    assert "'Laser printer B/W 300,00 2 Stk 19% 600,00', 'Ink printer color 150,00 3 Stk 19% 450,00'" in found
    assert "Subtotal" not in found  # its amount is an item's
    assert CHECK(subtotal, CheckedDocument(text, ground(subtotal, text))) == {}  # without priced rows
    # A row that prints an item's words is that item's, whatever amount was given (a discount).
    named = {"line_items": [{"description": "Laser printer B/W", "line_total": Decimal(570)}, *subtotal["line_items"]]}
    assert "Laser" not in priced(named, CheckedDocument(text, ground(named, text)))["line_items"]
