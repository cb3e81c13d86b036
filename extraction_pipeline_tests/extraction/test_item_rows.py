"""A line item's numbers come from the row that prints them where the row's numbers multiply out."""

import json
from decimal import Decimal

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.item_rows import ItemRow, item_rows, numbers_from_rows
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted

# An ERP table: each item's numbers on one row, its name under them, and discount lines with other
# numbers (as on ferd10-EXTENDED_Warenrechnung).
NAMES_UNDER = """GTIN  Art-Nr-Lieferant  Menge  VKE/Geb  Nettopreis  MwSt-% Nettowert
4123456000014  ZS997  100,0000 Stk.  1  1,0000  19,0  100,00
Zitronensäure 100ml
Verpackung : Flasche
4123456000021  GZ250  50,0000 Stk.  1  1,4500  7,0  72,50
Gelierzucker Extra 250g
Bruttopreis: 1,5000 €  Artikelgesamtrabatt: -2,50 €
4123456000021  GZ250  10,0000 Stk.  1  0,0000  7,0  0,00
Gelierzucker Extra 250g
4100130013294  2031  15,0000 Stk.  20  12,0000  19,0  180,00
K4321  Bierbrau Pils 20/0500
Nettobetrag 352,50"""

# Names over their numbers, and a price printed before the quantity.
NAMES_OVER = """Artikel  Preis  Menge  Betrag
Trennblätter A4
9,90  20 Stk  198,00
Joghurt Banane
5,50  50 Stk  275,00
Summe 473,00"""


def line(description, quantity, price, amount):
    return {"description": description, "quantity": quantity, "unit_price": price, "line_total": amount}


def test_a_row_prints_a_quantity_a_price_and_their_product():
    rows = item_rows(NAMES_UNDER)
    assert [(r.line, r.quantity, r.unit_price, r.amount) for r in rows] == [
        (1, 100, 1, Decimal("100.00")),
        (4, 50, Decimal("1.45"), Decimal("72.50")),
        (9, 15, 12, Decimal("180.00")),  # the 0,00 row proves nothing: any quantity times 0
    ]
    # The quantity is the number before a unit, wherever it is printed; else the one without cents;
    # else the first of the two.
    assert [(r.quantity, r.unit_price) for r in item_rows(NAMES_OVER)] == [(20, Decimal("9.90")), (50, Decimal("5.50"))]
    assert item_rows("400,00  Luftballon  19%  0,79 €  316,00 €") == [
        ItemRow(0, Decimal(400), Decimal("0.79"), Decimal(316))
    ]
    assert item_rows("Storno  -5,0000 Stk.  1,0000  -5,00")[0].quantity == -5  # a credit note's line
    assert [(r.quantity, r.unit_price) for r in item_rows("O.C. WHITE\t2.13\t10\t8\t2\t4.26")] == [(2, Decimal("2.13"))]
    # No row: two pairs that multiply out differently, no product, or no amount with cents.
    assert item_rows("2  3  4  6  12,00") == []
    assert item_rows("2 x 15.000  30.000") == []
    assert item_rows("1000  0,00125  1,25") == []  # a price the schemas cannot hold (4 decimals at most)


# The FNFE Factur-X rendering (a Mustang sample of the tuning part): the unit follows the price, the
# VAT rate ends the row, and a wrapped name with dates in it was moved onto its row.
PRICE_FIRST = """P.U. HT (EUR) UNIT
for P.U. Qté TOTAL HT (EUR) TVA
PRESTATION SUPPORT - Description Période de 01/12/2018 au 31/12/2018 60,00 PCE 1,00 60,00 10,00%
2 # ligne BC: 3 FOURNITURES DIVERSES 10,00 PCE 3,00 30,00 10,00%"""


def test_the_column_labels_tell_the_quantity_from_the_price():
    rows = item_rows(PRICE_FIRST)
    assert [(r.quantity, r.unit_price, r.amount) for r in rows] == [(1, 60, 60), (3, 10, 30)]
    # Without the labels, the number before a unit is the quantity, and a rate is no amount.
    assert [(r.quantity, r.unit_price, r.amount) for r in item_rows(PRICE_FIRST.split("\n", 2)[2])] == [
        (60, 1, 60),
        (10, 3, 30),
    ]
    # Labels stacked over two lines (SROIE) tell nothing about the columns' order.
    stacked = "DESC\tPRICE\tDISC\tAMOUNT\tTAX\nQTY\tRM\tRM\tCODE\n3 UNIT *\t4.80\t0.00\t14.40\tSR"
    assert [(r.quantity, r.unit_price) for r in item_rows(stacked)] == [(3, Decimal("4.80"))]


def test_numbers_grouped_by_spaces_are_read_both_ways_and_prove_only_what_both_agree_on():
    # Joined, 6 x 180,00 = 1 080,00; apart (1 and 080,00), no row.
    assert item_rows("Élagage de 6 platanes  6  180,00  1 080,00") == [
        ItemRow(0, Decimal(6), Decimal("180.00"), Decimal("1080.00"))
    ]
    # Joined, 1 x 4 200,00; apart, 1 x 200,00 (as written for tuning, p33-faktura-cz): no row.
    assert item_rows("Servis chladicího boxu   1   4 200,00   21   4 200,00") == []
    assert item_rows("Náhradní ventilátor   2   950,00   21   1 900,00") == [
        ItemRow(0, Decimal(2), Decimal("950.00"), Decimal("1900.00"))
    ]


# Rows whose numbers do not multiply out: prices and counts printed rounded (as on
# ferd21-EXTENDED_Kostenrechnung, 0.0052 EUR a kWh; 27.5 hours printed as 28).
ROUNDED = """Beschreibung  Nettopreis  Menge  Steuer  Entgelt
1
WA997
Wirkarbeit
HT
0,05  10000 KWH  19 %  52,00
Bruttopreis : 0,05
Zählpunkt: = DE0001346484600000000000000100038
2
Kommissionierer
1250032 D.
Muster
10,50  28 Std  19 %  288,75
Bruttopreis : 15,00 Abschlag : 4,50 Artikelrabatt 1
Besteller: Hr. Mayer
3
Stadtfahrt -
2,00 Euro je
gefahrene
Kilometer
2,00  6 Stk  7 %  13,00
Bruttopreis : 2,00"""


def test_a_row_that_does_not_multiply_out_gives_its_count_and_its_amount():
    rows = item_rows(ROUNDED)
    assert [(r.line, r.quantity, r.unit_price, r.amount) for r in rows] == [
        (5, 10000, None, Decimal("52.00")),
        (12, 28, None, Decimal("288.75")),
        (20, 6, None, Decimal("13.00")),
    ]
    # Only the VAT rate's column may follow the amount (ferd10-COMFORT_Rabatte: 2.773 a piece, printed 2,77).
    rows = item_rows("4 PFA5 55T04 Pfand 20 Stk. 2,77 55,46 19")
    assert [(r.quantity, r.unit_price, r.amount) for r in rows] == [(20, None, Decimal("55.46"))]
    # Not rows: a time range, a size, a code before a name, money, a line that prices one unit,
    # two counts, and an amount followed by more than a rate.
    for text in (
        "Mo-Fr 8.00-20.00 Uhr, Sa 8.00-14.00 Uhr",
        "KK KACANG GORENG 400G @7.20",
        "BERAS 10KG ISTIMEWA 53.50",
        "311 MAMEE EXPRESS MI CAWAN\tRM1.29",
        "CASH 20.00 MYR\t20.00",
        "@2 X RM 24.35",
        "2 Stk  3 Pal  12,00",
        "5 Stk  12,00  19 Uhr",
        "5 Stk  12,00  190",
        "TOTAL QTY : 5\tSUB-TOTAL :\t21.00",  # a unit is not the start of a word or code: `SUB-TOTAL`
    ):
        assert item_rows(text) == [], text


def test_on_a_row_that_does_not_multiply_out_the_model_keeps_what_the_row_prints():
    answer = {
        "line_items": [
            line("Wirkarbeit HT", Decimal(10000), Decimal(52), Decimal(5200)),  # the amount as the price
            line("Kommissionierer", Decimal(1250032), Decimal("10.50"), Decimal(1250032)),  # an id as count
            line("Stadtfahrt", Decimal(6), Decimal("2.00"), Decimal("2.00")),
        ]
    }
    mended = numbers_from_rows(answer, ROUNDED)["line_items"]
    assert [(x["quantity"], x["unit_price"], x["line_total"]) for x in mended] == [
        (10000, None, Decimal("52.00")),
        (28, None, Decimal("288.75")),
        (6, None, Decimal("13.00")),
    ]
    # A quantity the row prints, not as its count, stays (`1 SR ... 30 0.85 25.44`: SR is a tax code).
    receipt = {"line_items": [line("SQUARE THUMB", Decimal(30), Decimal("0.85"), Decimal("25.50"))]}
    mended = numbers_from_rows(receipt, "1 SR\tSQUARE THUMB\t30\t0.85\t25.44")["line_items"]
    assert [(x["quantity"], x["unit_price"], x["line_total"]) for x in mended] == [(30, None, Decimal("25.44"))]


def test_lines_get_the_numbers_of_the_row_their_description_is_printed_with():
    answer = {
        "line_items": [
            line("Zitronensäure 100ml", Decimal(1), Decimal("1.50"), Decimal("1.50")),  # the gross price
            line("Gelierzucker Extra 250g", Decimal(50), Decimal("1.45"), Decimal("72.50")),  # right
            line("Gelierzucker Extra 250g", Decimal(10), Decimal(0), Decimal(0)),  # the 0,00 row: left as given
            line("K4321 Bierbrau Pils 20/0500", Decimal(1), Decimal(180), Decimal(180)),
        ]
    }
    mended = numbers_from_rows(answer, NAMES_UNDER)["line_items"]
    assert [(x["quantity"], x["unit_price"], x["line_total"]) for x in mended] == [
        (100, 1, 100),
        (50, Decimal("1.45"), Decimal("72.50")),
        (10, 0, 0),
        (15, 12, 180),
    ]
    assert [x["description"] for x in mended] == [x["description"] for x in answer["line_items"]]
    over = {"line_items": [line("Trennblätter A4", 1, Decimal("198.00"), Decimal("198.00")), line("Joghurt Banane", 50, Decimal("5.50"), Decimal("275.00"))]}  # fmt: skip
    assert [x["quantity"] for x in numbers_from_rows(over, NAMES_OVER)["line_items"]] == [20, 50]


def test_lines_listed_out_of_the_pages_order_find_their_rows():
    reversed_lines = {
        "line_items": [
            line("Joghurt Banane", 1, Decimal("275.00"), Decimal("275.00")),
            line("Trennblätter A4", 1, Decimal("198.00"), Decimal("198.00")),
        ]
    }
    mended = numbers_from_rows(reversed_lines, NAMES_OVER)["line_items"]
    assert [(x["description"], x["quantity"]) for x in mended] == [("Joghurt Banane", 50), ("Trennblätter A4", 20)]


def test_rows_the_model_left_out_become_lines_where_the_sums_prove_them():
    # Of three items the model gave the first; with the other two rows the lines add up to the
    # printed net (100,00 + 72,50 + 180,00 = 352,50).
    first = {"line_items": [line("Zitronensäure 100ml", 1, Decimal("1.50"), Decimal("1.50"))]}
    mended = numbers_from_rows(first, NAMES_UNDER)["line_items"]
    assert [(x["description"], x["quantity"], x["line_total"]) for x in mended] == [
        ("Zitronensäure 100ml", 100, Decimal("100.00")),
        ("Gelierzucker Extra 250g", 50, Decimal("72.50")),
        ("Gelierzucker Extra 250g", 10, 0),  # the free row (test_free_rows_...)
        ("K4321  Bierbrau Pils 20/0500", 15, Decimal("180.00")),
    ]
    # No sum printed for the rows with the lines given: nothing is added.
    assert len(numbers_from_rows(first, NAMES_UNDER.replace("352,50", "350,00"))["line_items"]) == 1
    # The lines given already add up to a printed sum (a partial delivery): nothing is added.
    partial = NAMES_UNDER.replace("Nettobetrag 352,50", "Teillieferung 100,00\nNettobetrag 352,50")
    assert len(numbers_from_rows(first, partial)["line_items"]) == 1


# A table whose amount column wraps: each name on its row, the amount alone on the next line, and
# notes between the rows (as the ZUGFeRD 2.2 renderings print it).
WRAPPED = """Beschreibung Nettopreis Menge Steuersatz Nettobetrag
1 Miettage 86,5500 2 Tag(e) 19 %
173,10
Weitere Eigenschaften:
Fahrzeug-Kennzeichen: M-MM 0000
Navigationssystem - Garantie 5,0400 2 19 %
10,08
3 Vollkasko 23,1000 2 19 %
46,20
4 Choice Upgrade 5,0400 2 19 %
10,08
Umsatzsteueraufschlüsselung
Umsatzsteuer (S) 239,46 19 45,50
Positionssumme 239,46"""


def test_a_row_whose_amount_wraps_to_the_next_line_is_one_row():
    rows = item_rows(WRAPPED)
    assert [(r.line, r.last, r.quantity, r.unit_price, r.amount) for r in rows] == [
        (1, 2, 2, Decimal("86.55"), Decimal("173.10")),
        (5, 6, 2, Decimal("5.04"), Decimal("10.08")),  # the whole count beside a fraction is the quantity
        (7, 8, 2, Decimal("23.10"), Decimal("46.20")),
        (9, 10, 2, Decimal("5.04"), Decimal("10.08")),
    ]
    # Only where the two lines multiply out, and not a line that is a row of its own.
    assert item_rows("Vollkasko 23,1000 2 19 %\n46,00") == []
    assert [r.last for r in item_rows("Kabel 2 Stk 3,00 6,00\n6,00")] == [-1]
    # Or where the first prints a count and a price printed rounded (f22-EXTENDED_Kostenrechnung,
    # tuning); a count alone (`Preisbasismenge: 1 Stk` over the unit price) or beside a label is none.
    rows = item_rows("Wirkarbeit HT 0,0520 10.000 kWh 19 %\n52,00")
    assert [(r.line, r.last, r.quantity, r.unit_price, r.amount) for r in rows] == [(0, 1, 10000, None, 52)]
    assert item_rows("Preisbasismenge:\n1 Stk\n100,00") == []
    assert item_rows("SR\t6\tTAX (RM)\n27.48") == []


def test_lines_on_no_row_are_dropped_where_the_sums_prove_them_headings():
    # The model gave two items, a note and the tax heading (each with a row's price), and left
    # out two rows. The rows alone add up to the printed 239,46; the note and the heading do not.
    answer = {
        "line_items": [
            line("Miettage", 2, Decimal("173.10"), Decimal("346.20")),
            line("Weitere Eigenschaften", 1, Decimal("5.04"), Decimal("5.04")),
            line("Fahrzeug-Kennzeichen", 1, 0, 0),  # no amount: changes no sum, kept
            line("Navigationssystem - Garantie", 2, Decimal("10.08"), Decimal("20.16")),
            line("Umsatzsteueraufschlüsselung", 1, Decimal("23.10"), Decimal("23.10")),
        ]
    }
    mended = numbers_from_rows(answer, WRAPPED)["line_items"]
    assert [(x["description"], x["quantity"], x["line_total"]) for x in mended] == [
        ("Miettage", 2, Decimal("173.10")),
        ("Fahrzeug-Kennzeichen", 1, 0),
        ("Navigationssystem - Garantie", 2, Decimal("10.08")),
        ("Vollkasko", 2, Decimal("46.20")),  # named by its own row
        ("Choice Upgrade", 2, Decimal("10.08")),
    ]
    # A line on no row whose amount is printed off the rows is an item whose row does not
    # multiply out: it stays, and nothing is dropped for a sum it would spoil.
    item = answer["line_items"][:1] + [line("Kilometerpauschale", 1, Decimal("45.50"), Decimal("45.50"))]
    assert [x["description"] for x in numbers_from_rows({"line_items": item}, WRAPPED)["line_items"]] == [
        "Miettage",
        "Kilometerpauschale",
    ]
    # Names printed beside their rows: a line on no row may be the item whose row another line
    # took (`ZS997 -5,0000 Stk. ...` copied as a description); it stays.
    took = {"line_items": [line("ZS997 100,0000 Stk. 1 1,0000 19,0 100,00", 1, 1, 100), line("Zitronensäure 100ml", 1, Decimal("1.50"), Decimal("1.50")), line("Gelierzucker Extra 250g", 50, Decimal("1.45"), Decimal("72.50")), line("K4321 Bierbrau Pils 20/0500", 1, 180, 180)]}  # fmt: skip
    names_under = NAMES_UNDER.replace("Nettobetrag 352,50", "Nettobetrag 352,50\nSumme ohne Pfand 252,50")
    assert len(numbers_from_rows(took, names_under)["line_items"]) == 4 + 1  # and the free row


def test_free_rows_of_an_article_the_model_listed_once_are_added():
    """ferd10-EXTENDED_Warenrechnung: 50 Gelierzucker paid, 10 free (price and amount 0, which no
    sum proves); the model listed the article once."""
    given = [
        line("Zitronensäure 100ml", 100, 1, Decimal("100.00")),
        line("Gelierzucker Extra 250g", 50, Decimal("1.45"), Decimal("72.50")),
        line("K4321 Bierbrau Pils 20/0500", 15, 12, Decimal("180.00")),
    ]
    mended = numbers_from_rows({"line_items": given}, NAMES_UNDER)["line_items"]
    assert [(x["description"], x["quantity"], x["unit_price"], x["line_total"]) for x in mended] == [
        ("Zitronensäure 100ml", 100, 1, Decimal("100.00")),
        ("Gelierzucker Extra 250g", 50, Decimal("1.45"), Decimal("72.50")),
        ("Gelierzucker Extra 250g", 10, 0, 0),
        ("K4321 Bierbrau Pils 20/0500", 15, 12, Decimal("180.00")),
    ]
    # Listed twice already: nothing added.
    both = [*given[:2], line("Gelierzucker Extra 250g", 10, 0, 0), given[2]]
    assert numbers_from_rows({"line_items": both}, NAMES_UNDER) == {}
    # A free row of an article the page does not also sell is not added: its name is not known.
    alone = NAMES_UNDER.replace("Gelierzucker Extra 250g\nBruttopreis", "Gelierzucker Classic\nBruttopreis")
    given_alone = [given[0], line("Gelierzucker Classic", 50, Decimal("1.45"), Decimal("72.50")), given[2]]
    assert numbers_from_rows({"line_items": given_alone}, alone) == {}


# A discount printed under a row (as on ferd10-COMFORT_Rabatte), and the subtotal it proves.
DISCOUNTED = """Pos Art.Nr. Artikel Menge Preis Betrag USt. %
1 KR3M Kunstrasen 3,00 m² 4,00 12,00 19
abzgl. 16,7% Rabatt -2,00
2 SFK5 Schweinesteak 5,000 kg 5,50 27,50 7
Zwischensumme 37,50
Versandkosten 5,80"""


def test_a_discount_printed_under_a_row_is_taken_off_where_the_sums_prove_it():
    given = [line("Kunstrasen", 3, 4, Decimal("12.00")), line("Schweinesteak", 5, Decimal("5.50"), Decimal("27.50"))]
    mended = numbers_from_rows({"line_items": given}, DISCOUNTED)["line_items"]
    assert [(x["description"], x["quantity"], x["unit_price"], x["line_total"]) for x in mended] == [
        ("Kunstrasen", 3, None, Decimal("10.00")),  # the printed 4,00 is the price before the discount
        ("Schweinesteak", 5, Decimal("5.50"), Decimal("27.50")),
    ]
    # Where the lines already add up to a printed sum (the row's amount is net of it), or the
    # discount makes no printed sum, the lines stay as the rows print them.
    assert numbers_from_rows({"line_items": given}, DISCOUNTED.replace("37,50", "39,50")) == {}
    assert numbers_from_rows({"line_items": given}, DISCOUNTED.replace("37,50", "38,50")) == {}


def test_lines_not_found_with_one_row_keep_their_numbers():
    right = {"line_items": [line("Joghurt Banane", 50, Decimal("5.50"), Decimal("275.00"))]}
    assert numbers_from_rows(right, NAMES_OVER) == {}
    elsewhere = {"line_items": [line("Lieferung frei Haus", 1, Decimal(5), Decimal(5))]}
    assert numbers_from_rows(elsewhere, NAMES_UNDER) == {}
    # A name between two rows with nothing else to go by fits either: it is left as given.
    between = "1,00  2 Stk  2,00\nKabel\n3,00  2 Stk  6,00"
    assert numbers_from_rows({"line_items": [line("Kabel", 1, Decimal(1), Decimal(1))]}, between) == {}


def test_the_model_lines_are_kept_and_counted_when_a_row_gives_the_numbers():
    text = f"Lieferant GmbH\nRechnung 4711 vom 05.03.2013\n{NAMES_OVER}\nUSt. 19% 89,87\nGesamt 562,87 EUR"
    answer = {"issuer": "Lieferant GmbH", "invoice_number": "4711", "date": "05.03.2013", "currency": "EUR",
              "net_total": 473.00, "tax_total": 89.87, "total": 562.87,
              "line_items": [line("Trennblätter A4", 1, 198.00, 198.00), line("Joghurt Banane", 50, 5.50, 275.00)]}  # fmt: skip
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(text), text)
    outcome, client = extract_scripted([json.dumps(answer)], doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(client.calls) == 1
    assert [(x["quantity"], x["unit_price"]) for x in outcome.record["line_items"]] == [
        (20, Decimal("9.90")),
        (50, Decimal("5.50")),
    ]
    assert outcome.model_values["line_items"][0]["quantity"] == 1
