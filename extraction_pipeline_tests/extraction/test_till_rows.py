"""A till prints an item's count and price where an invoice's table parse does not look: before the
name, on a line of their own beside it, or in whole money. The row's numbers are the line's."""

import json
from decimal import Decimal

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.till_rows import numbers_from_till_rows
from extraction_pipeline_tests.support.helpers import extract_scripted

# An Indonesian restaurant bill as cord-receipts prints them: no cents, count first, and a price
# between name and amount on some rows.
COUNT_FIRST = """5 AQUA 600ML 35,000
1 BIHUN GORENG SPECIAL 41,000
8 NASI PUTIH 10,000 80,000
2x TWIST DONUT 18,000
SUBTOTAL 174,000
TOTAL 174,000"""

# A bakery's till: each count and price on a line over the name and its amount; a weight.
COUNTS_OVER = """2X @10000
AYAM 20,000
3X @9545
BANANA SPLIT 28,635
0.512X 22,500
EDAMAME 11,520
SUBTOTAL 60,155"""

# Counts under the names, with the price first and the amount again; an article code before the name.
COUNTS_UNDER = """1001-ROTI COKLAT
8.000,00 x1 8.000,00
1037-ROTI MAHKOTA
10.500,00 x2 21.000,00
Total. 29.000,00"""


def line(description, quantity, price, amount):
    return {"description": description, "quantity": quantity, "unit_price": price, "line_total": amount}


def numbers(lines):
    return [(x["description"], x["quantity"], x["unit_price"], x["line_total"]) for x in lines]


def test_the_count_before_the_name_is_the_quantity_and_not_part_of_the_name():
    answer = {
        "line_items": [
            line("5 AQUA 600ML", 1, 35000, 35000),  # the count taken into the name, the amount as the price
            line("BIHUN GORENG SPECIAL", 1, 41000, 41000),  # right already
            line("NASI PUTIH", 1, None, 80000),
            line("TWIST DONUT", 1, 9000, 18000),
        ]
    }
    assert numbers(numbers_from_till_rows(answer, COUNT_FIRST)["line_items"]) == [
        ("AQUA 600ML", 5, None, 35000),
        ("BIHUN GORENG SPECIAL", 1, 41000, 41000),
        ("NASI PUTIH", 8, Decimal(10000), Decimal(80000)),  # the row's price: 8 x 10,000 is its amount
        ("TWIST DONUT", 2, 9000, 18000),  # the model's price kept: it is the amount's share of one
    ]


def test_a_count_line_over_the_name_gives_count_price_and_amount():
    answer = {
        "line_items": [
            line("2X @10000", 2, 10000, 20000),  # the count line given as an item: none
            line("AYAM 20,000", 1, None, 20000),  # the amount taken into the name
            line("BANANA SPLIT", 4, None, 114540),  # multiplied out from the next item's count
            line("EDAMAME", 1, None, 11520),
        ]
    }
    assert numbers(numbers_from_till_rows(answer, COUNTS_OVER)["line_items"]) == [
        ("AYAM", 2, 10000, 20000),
        ("BANANA SPLIT", 3, 9545, 28635),
        ("EDAMAME", Decimal("0.512"), 22500, 11520),  # 0.512 kg, not 512 in Indonesian grouping
    ]


def test_a_count_line_under_the_name_is_read_with_the_x_against_the_count():
    answer = {"line_items": [line("ROTI COKLAT", 8000, 1, 8000), line("ROTI MAHKOTA", 21000, 1, 21000)]}
    assert numbers(numbers_from_till_rows(answer, COUNTS_UNDER)["line_items"]) == [
        ("ROTI COKLAT", 1, Decimal("8000.00"), Decimal("8000.00")),
        ("ROTI MAHKOTA", 2, Decimal("10500.00"), Decimal("21000.00")),
    ]


def test_a_count_line_given_as_an_item_is_named_by_the_line_beside_it_or_dropped():
    # Named: the name over its count line, the one way they make a row (`Jumlah Item 2` does not).
    text = "CORDON BLEU\n2 49,090 98,180\nJumlah Item 2\nSub Total 98,180"
    given = numbers_from_till_rows({"line_items": [line("2 49,090", None, None, 98180)]}, text)
    assert numbers(given["line_items"]) == [("CORDON BLEU", 2, 49090, 98180)]
    # Dropped: its name is listed already (and gets the count line's numbers).
    text = "2 30.000\nNASI GORENG 60.000\nTEH BTL ES 5.000\nSUBTL 65.000"
    answer = {
        "line_items": [
            line("30.000", 2, None, 60000),
            line("NASI GORENG", 1, None, 60000),
            line("TEH BTL ES", 1, None, 5000),
        ]
    }
    assert numbers(numbers_from_till_rows(answer, text)["line_items"]) == [
        ("NASI GORENG", 2, 30000, 60000),
        ("TEH BTL ES", 1, None, 5000),
    ]
    # Numbers printed on no count line are left to the checks (`lines_named` re-asks about them).
    assert numbers_from_till_rows({"line_items": [line("12345", 1, None, 5000)]}, text) == {}


def test_a_count_too_short_to_look_for_is_found_by_its_amount():
    """CORD 219 and 226 (tuning): `1X`, `2X` given as items beside the items they count. Two
    characters are in many lines; the row that makes the item's amount is the one."""
    text = "1X 15,900\nDF SHLLT 15,900\n1X 20,600\nCF BUNCIS ORG 20,600\nSUBTOTAL: 36,500"
    named = [line("DF SHLLT", 1, None, 15900), line("CF BUNCIS ORG", 1, None, 20600)]
    answer = {"line_items": [line("1X", 1, 15900, 15900), named[0], line("1X", 1, 20600, 20600), named[1]]}
    assert numbers(numbers_from_till_rows(answer, text)["line_items"]) == [
        ("DF SHLLT", 1, 15900, 15900),
        ("CF BUNCIS ORG", 1, 20600, 20600),
    ]
    two = "PKT TELOR 26,000\nDENDENG 23,000\n2X 8,000\nNESTLE 330 ML 16,000\nSUBTOTAL 65,000"
    answer = {
        "line_items": [
            line("PKT TELOR", 1, None, 26000),
            line("DENDENG", 1, None, 23000),
            line("2X", 8000, None, 16000),
            line("NESTLE 330 ML", 2, 8000, 16000),
        ]
    }
    assert [x["description"] for x in numbers_from_till_rows(answer, two)["line_items"]] == [
        "PKT TELOR",
        "DENDENG",
        "NESTLE 330 ML",
    ]
    # With an amount no row makes, it is left as it is.
    kept = numbers_from_till_rows({"line_items": [line("1X", 1, None, 9999), *named]}, text)["line_items"]
    assert numbers(kept)[0] == ("1X", 1, None, 9999)


def test_a_name_that_goes_on_on_the_next_line_ends_at_its_punctuation():
    text = "1 KUE CUBIT OVO/ 39,000\nSKIPPY\n2 ES BUAH 36,000\nSUBTOTAL 75,000"
    answer = {"line_items": [line("1 KUE CUBIT OVO", 39000, None, 39000), line("ES BUAH", 1, None, 36000)]}
    assert numbers(numbers_from_till_rows(answer, text)["line_items"]) == [
        ("KUE CUBIT OVO", 1, None, 39000),
        ("ES BUAH", 2, None, 36000),
    ]


def test_count_price_and_amount_after_the_name_in_whole_money():
    text = "CHICKEN KATSUDON 1.00 48000 48000\nTotal 48.000"
    answer = {"line_items": [line("CHICKEN KATSUDON", 1, None, 1)]}  # the count as the amount
    assert numbers(numbers_from_till_rows(answer, text)["line_items"]) == [
        ("CHICKEN KATSUDON", Decimal("1.00"), 48000, 48000)
    ]
    # With cents, the count is the one printed without: `$1.60 1 $1.60` is one at 1.60.
    answer = {"line_items": [line("VEGGIES", 1, Decimal("1.60"), Decimal("1.60"))]}
    assert numbers_from_till_rows(answer, "VEGGIES\n$1.60 1 $1.60\nTOTAL $1.60") == {}


def test_rows_of_another_shape_or_amount_are_left_alone():
    # A name that starts with a number on a row without a count: 3.50 does not divide by 100 into cents.
    assert numbers_from_till_rows({"line_items": [line("100 PLUS", 1, 3.5, 3.5)]}, "100 PLUS 3.50\nTOTAL 3.50") == {}
    # More than a price and an amount after the name; an amount that is not the line's; a price
    # that does not multiply out to the amount.
    for row in ("3 Kaffee 12 2,50 7,50", "3 Kaffee 9,00", "3 Kaffee 2,00 7,50"):
        assert numbers_from_till_rows({"line_items": [line("Kaffee", 1, None, 7.5)]}, row) == {}
    # Count lines over and under a name that multiply out differently: the model's amount decides,
    # and where it is neither, nothing is taken.
    text = "CARAMEL ALMOND\n1 23,000 23,000\nSTIX ECLAIRS\n1 19,000 19,000\nTOTAL 42,000"
    given = numbers_from_till_rows({"line_items": [line("STIX ECLAIRS", 1, None, 19000)]}, text)
    assert numbers(given["line_items"]) == [("STIX ECLAIRS", 1, 19000, 19000)]
    assert numbers_from_till_rows({"line_items": [line("STIX ECLAIRS", 1, None, 5)]}, text) == {}


def test_position_numbers_are_not_counts():
    answer = {"line_items": [line("Beratung", 1, None, 500), line("Reisekosten", 1, None, 120)]}
    rows = "1 Beratung 500,00\n2 Reisekosten 120,00"
    assert numbers_from_till_rows(answer, f"{rows}\n3 Material 60,00\nSumme 680,00") == {}  # 1, 2, 3
    assert numbers_from_till_rows(answer, f"Pos Leistung Betrag\n{rows}\nSumme 620,00") == {}  # labelled
    # Two rows counted 1 and 2 with no position's label over them are a till's counts.
    till = numbers_from_till_rows(answer, f"{rows}\nTOTAL 620,00")
    assert numbers(till["line_items"]) == [("Beratung", 1, None, 500), ("Reisekosten", 2, None, 120)]


def test_the_model_line_is_kept_when_the_row_gives_the_count():
    text = f"WARUNG SEDERHANA\n{COUNT_FIRST}\nCASH 200,000"
    answer = {
        "company": "WARUNG SEDERHANA",
        "date": None,
        "address": None,
        "total": 174000,
        "line_items": [line("5 AQUA 600ML", 1, 35000, 35000)],
    }
    doc = Document("bill", "/inbox/bill.txt", "txt", len(text), text)
    outcome, client = extract_scripted([json.dumps(answer)], doc)
    assert outcome.status == "valid" and len(client.calls) == 1
    assert numbers(outcome.record["line_items"]) == [("AQUA 600ML", 5, None, 35000)]
    assert outcome.model_values["line_items"][0]["description"] == "5 AQUA 600ML"
