"""Line items: nested values grounded like any value, sums that must agree, and a table of their own."""

import json
from decimal import Decimal

import pytest

from extraction_pipeline.checks.arithmetic import (
    line_arithmetic,
    lines_add_up_to,
    lines_named,
    net_plus_tax,
    totals_that_add_up,
)
from extraction_pipeline.doctypes.packs import CheckedDocument
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.grounding import amounts_multiplied_out, ground
from extraction_pipeline.extraction.item_rows import zeros_printed_nowhere_dropped
from extraction_pipeline.quality.metrics import dropped_values, taken_from_document
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted, materialize, read_delta, write_inbox
from extraction_pipeline_tests.support.scripted_llm_server import Reply, document_text

INVOICE = """Muster GmbH, Hauptstr. 1, 10115 Berlin
Rechnung Nr. R-17 vom 05.03.2024
Pos Beschreibung Menge Einzelpreis Betrag
1 Papier A4 10 4,50 45,00
2 Toner schwarz 2 1.020,00 2.040,00
Nettobetrag 2.085,00
USt. 19% 396,15
Gesamtbetrag EUR 2.481,15"""
LINES = [
    {"description": "Papier A4", "quantity": 10, "unit_price": 4.50, "line_total": 45.00},
    {"description": "Toner schwarz", "quantity": 2, "unit_price": 1020.00, "line_total": 2040.00},
]
# The amounts printed as a column after the items (as some text layers give a table): no row
# proves a line's numbers (extraction/item_rows.py), so a wrong line is left to the checks and the
# re-asks.
AMOUNTS_APART = INVOICE.replace(" 45,00\n", "\n").replace(" 2.040,00\n", "\n45,00\n2.040,00\n")
HEADER = {"issuer": "Muster GmbH", "invoice_number": "R-17", "date": "05.03.2024", "currency": "EUR",
          "net_total": 2085.00, "tax_total": 396.15, "total": 2481.15}  # fmt: skip


def invoice_answer(lines=LINES, **changes):
    return json.dumps({**HEADER, **changes, "line_items": lines})


def record(**values):
    return DOC_TYPES["invoice"].model.model_validate_json(invoice_answer(**values)).model_dump(mode="python")


def test_each_line_value_is_grounded_like_a_header_value():
    evidence = ground(record(), INVOICE)
    assert INVOICE[evidence["line_items[1].line_total"].start : evidence["line_items[1].line_total"].end] == "2.040,00"
    assert evidence["line_items[0].description"].status == "exact"
    assert ground(record(lines=[{**LINES[0], "line_total": 46.0}]), INVOICE)["line_items[0].line_total"].status == (
        "missing"
    )


def test_the_sums_of_an_invoice_must_agree():
    doc = CheckedDocument(INVOICE, {})
    assert line_arithmetic(record(), doc) == {} and lines_add_up_to("net_total")(record(), doc) == {}
    wrong_line = record(lines=[{**LINES[0], "quantity": 11}, LINES[1]])
    assert "11 x 4.5 is 49.50, not 45" in line_arithmetic(wrong_line, doc)["line_items[0].line_total"]
    assert "the 1 lines add up to 45" in lines_add_up_to("net_total")(record(lines=LINES[:1]), doc)["line_items"]
    assert net_plus_tax("net_total", "tax_total", "total")(record(tax_total=37.62), doc)["tax_total"].startswith(
        "- tax_total: net_total 2085.0 + tax_total 37.62 is 2122.62, not the total 2481.15. Where several tax rates"
    )


def test_a_price_for_a_hundred_units_adds_up():
    """`49,29 150 Stk 19% 73,94` (ZUGFeRD 2.4 samples, tuning): the price is for 100 pieces."""
    doc = CheckedDocument("MUELLSACK 49,29 150 Stk 19% 73,94", {})
    line = {"description": "MUELLSACK", "quantity": Decimal(150), "unit_price": Decimal("49.29")}
    assert line_arithmetic({"line_items": [{**line, "line_total": Decimal("73.94")}]}, doc) == {}
    assert line_arithmetic({"line_items": [{**line, "line_total": Decimal("73.49")}]}, doc) != {}


def test_a_groups_sum_listed_as_a_line_is_counted_once():
    """Sub-invoice lines (ZUGFeRD 2.4 samples, tuning): each group's subtotal is a line after its
    parts, or a bundle's value a line before them; the net counts each amount once."""
    doc = CheckedDocument("Nettobetrag 1.500,00", {})
    amounts = ["600", "450", "1050", "360", "90", "450"]  # printers, their subtotal, toner, paper, theirs
    lines = [{"description": f"item {i}", "line_total": Decimal(a)} for i, a in enumerate(amounts)]
    check = lines_add_up_to("net_total")
    assert check({"line_items": lines, "net_total": Decimal(1500)}, doc) == {}
    bundle = [Decimal(a) for a in ("216", "30", "60", "126", "90", "36")]  # display: 30 + 60 + the set of 126
    assert (
        check({"line_items": [{"description": "x", "line_total": a} for a in bundle], "net_total": Decimal(216)}, doc)
        == {}
    )
    # A line read twice is still a problem: no line is the sum of those next to it.
    twice = [*lines[:2], lines[1]]
    assert check({"line_items": twice, "net_total": Decimal(1050)}, CheckedDocument("Netto 1.050,00", {})) != {}


def test_a_line_at_0_that_its_rows_do_not_print_is_no_item():
    """A rental's attributes among its items (the ZUGFeRD 2.2 rendering, tuning): listed at 0 by
    the model, printed with no 0 near them; an article given free prints its 0,00 two lines under
    its name."""
    text = """1 Miettage 86,5500 2 Tag(e) 19 %
173,10
Fahrzeug-Kennzeichen: M-MM 0000
Inklusiv-Kilometer waren: 873
Weitere Eigenschaften:
Vollkasko 23,1000 2 19 %
46,20
Gelierzucker
4000862141404
0,00 10 Stk 7 % VAT (S) 0,00
Positionssumme 219,30"""
    lines = [
        {"description": "Miettage", "quantity": 2, "unit_price": Decimal("86.55"), "line_total": Decimal("173.10")},
        {"description": "Fahrzeug-Kennzeichen", "quantity": 1, "unit_price": Decimal(0), "line_total": Decimal(0)},
        {"description": "Inklusiv-Kilometer waren", "quantity": 873, "unit_price": None, "line_total": Decimal(0)},
        {"description": "Vollkasko", "quantity": 2, "unit_price": Decimal("23.10"), "line_total": Decimal("46.20")},
        {"description": "Gelierzucker", "quantity": 10, "unit_price": Decimal(0), "line_total": Decimal(0)},
        # A name printed nowhere: nothing says what it is.
        {"description": "Versandkosten", "quantity": 1, "unit_price": None, "line_total": Decimal(0)},
    ]
    kept = zeros_printed_nowhere_dropped({"line_items": lines}, text)["line_items"]
    assert [line["description"] for line in kept] == ["Miettage", "Vollkasko", "Gelierzucker", "Versandkosten"]
    assert zeros_printed_nowhere_dropped({"line_items": kept}, text) == {}


def test_a_total_printed_nowhere_is_the_printed_amount_the_other_two_make():
    complete = totals_that_add_up("net_total", "tax_total", "total")
    swiss = "Total exkl. MWST 4'160.00\nMWST 8.1 % 336.96\nTotal inkl. MWST CHF 4'496.96"
    given = {"net_total": 4160.00, "tax_total": 336.96}
    assert complete({**given, "total": 4506.96}, swiss) == {"total": Decimal("4496.96")}
    assert complete({**given, "total": 4496.96}, swiss) == {}  # all three printed
    assert complete({**given, "total": 4506.96}, swiss.replace("4'496.96", "4'499.00")) == {}  # the sum is not printed
    # Two printed nowhere: the printed pair that makes the sum with the third, where one does.
    assert complete({"net_total": 4160.00, "tax_total": 33.69, "total": 4506.96}, swiss) == {
        "tax_total": Decimal("336.96"),
        "total": Decimal("4496.96"),
    }
    assert complete({"net_total": 4160.00, "tax_total": 33.69, "total": 4193.69}, swiss) == {
        "tax_total": Decimal("336.96"),
        "total": Decimal("4496.96"),
    }  # their sum holding does not make them printed
    assert complete({"net_total": 4160.00, "tax_total": 33.69, "total": 4506.96}, swiss.replace("4'496.96", "")) == {}
    # A credit note: the pair takes the sign of the printed third.
    credit = "Gutschrift\nNettobetrag -198,00 EUR\nUmsatzsteuer 19 % -37,62 EUR\nGesamtbetrag -235,62 EUR"
    assert complete({"net_total": -23562, "tax_total": -37.62, "total": -23599.62}, credit) == {
        "net_total": Decimal("-198.00"),
        "total": Decimal("-235.62"),
    }
    # No total of 0: a paid bill's `Offener Betrag 0,00` is no tax (a hotel bill written for tuning,
    # its net and tax the sums of its tax summary, printed nowhere themselves).
    hotel = "Gesamtbetrag 360,50 EUR\nMwSt. 7 % netto 241,12 MwSt. 16,88\nBezahlt 360,50\nOffener Betrag 0,00"
    assert complete({"net_total": 327.25, "tax_total": 33.25, "total": 360.50}, hotel) == {}
    assert complete({"net_total": 4106.00, "tax_total": 336.96, "total": 4496.96}, swiss) == {
        "net_total": Decimal("4160.00")
    }


def test_totals_the_tax_summary_proves_are_not_replaced_by_a_printed_pair():
    """The invoice pack's `complete`: the summary's sums (327.25 + 33.25) stand, though they are
    printed nowhere and 300,00 + 60,50 printed below make the gross too."""
    text = (
        "Hotel Seeblick KG\nÜbernachtung 258,00\nRestaurant 102,50\nGesamtbetrag 360,50 EUR\n"
        "MwSt. 7 %   netto 241,12   MwSt. 16,88   brutto 258,00\n"
        "MwSt. 19 %  netto  86,13   MwSt. 16,37   brutto 102,50\nDavon Anzahlung 300,00 und Kurtaxe 60,50"
    )
    answer = {"issuer": "Hotel Seeblick KG", "net_total": 360.50, "tax_total": 79.00, "total": 449.50}
    assert DOC_TYPES["invoice"].complete(answer, text) == {
        "net_total": Decimal("327.25"),
        "tax_total": Decimal("33.25"),
        "total": Decimal("360.50"),
    }


def test_a_total_left_out_is_the_printed_amount_the_other_two_make():
    complete = totals_that_add_up("net_total", "tax_total", "total")
    swiss = "Total exkl. MWST 4'160.00\nMWST 8.1 % 336.96\nTotal inkl. MWST CHF 4'496.96"
    assert complete({"net_total": 4160.00, "tax_total": None, "total": 4496.96}, swiss) == {
        "tax_total": Decimal("336.96")
    }
    assert complete({"net_total": None, "tax_total": 336.96, "total": 4496.96}, swiss) == {
        "net_total": Decimal("4160.00")
    }
    assert complete({"net_total": 4160.00, "tax_total": None, "total": 4500.00}, swiss) == {}  # 340.00 is not printed
    assert complete({"net_total": None, "tax_total": None, "total": 4496.96}, swiss) == {}  # one of three is not a sum
    # Totals of one sign: a net over the gross leaves no tax, whatever else prints its size.
    assert complete({"net_total": 4496.96, "tax_total": None, "total": 4160.00}, swiss) == {}
    assert complete({"net_total": -4160.00, "tax_total": None, "total": -4496.96}, swiss) == {
        "tax_total": Decimal("-336.96")
    }
    # A Swedish invoice of the tuning part: no VAT charged, printed as a plain 0 between the totals.
    swedish = "Without VAT VAT EUR TO PAY\n1900 0 1900 EUR"
    assert complete({"net_total": 1900, "tax_total": None, "total": 1900}, swedish) == {"tax_total": Decimal("0")}
    # A row's amount is no total: a tax-exempt two-row invoice written for tuning, its net given as
    # the first row's amount and its tax as the gross (or left out); 243 - 171 is the second row.
    rows = "Krankengymnastik   6   28,50   171,00\nWärmetherapie   6   12,00   72,00\nGesamtbetrag   243,00 EUR"
    assert complete({"net_total": 171, "tax_total": 243, "total": 243}, rows) == {}
    assert complete({"net_total": 171, "tax_total": None, "total": 243}, rows) == {}


def test_a_net_or_tax_given_as_the_gross_is_what_the_gross_leaves():
    """A ZUGFeRD 2.2 sample (tuning): the gross answered for the net too, all three amounts printed."""
    complete = totals_that_add_up("net_total", "tax_total", "total")
    text = "Rechnungssumme ohne USt. 198,00\nSteuerbetrag 37,62\nBruttosumme 235,62\nZahlbetrag 235,62"
    assert complete({"net_total": 235.62, "tax_total": 37.62, "total": 235.62}, text) == {
        "net_total": Decimal("198.00")
    }
    assert complete({"net_total": 198.00, "tax_total": 235.62, "total": 235.62}, text) == {
        "tax_total": Decimal("37.62")
    }
    assert complete({"net_total": 235.62, "tax_total": 235.62, "total": 235.62}, text) == {}  # which is not known
    # Prompt v6 on the same sample: `235,62` read as 23562 for the net, and a gross made to fit it.
    assert complete({"net_total": 23562, "tax_total": 37.62, "total": 23599.62}, text) == {
        "net_total": Decimal("198.00"),
        "total": Decimal("235.62"),
    }
    assert complete({"net_total": 235.62, "tax_total": 37.62, "total": 235.62}, text.replace("198,00", "199,00")) == {}
    # A net of 0 beside a tax (a Turkish e-invoice of the tuning part): no tax is charged on nothing.
    turkish = "Mal Hizmet Toplam Tutarı 15.630,87 TL\nİskonto 0,00 TL\nHesaplanan KDV(%20) 3.126,17 TL\nÖdenecek Tutar 18.757,04 TL"
    assert complete({"net_total": 0, "tax_total": 3126.17, "total": 18757.04}, turkish) == {
        "net_total": Decimal("15630.87")
    }
    assert complete({"net_total": 0, "tax_total": 0, "total": 18757.04}, turkish) == {}  # a zero tax may be right


def test_a_line_that_breaks_the_sums_is_re_asked():
    """The model skipped a line: the lines no longer add up to the net total printed."""
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(AMOUNTS_APART), AMOUNTS_APART)
    outcome, client = extract_scripted(
        [invoice_answer(lines=LINES[:1]), invoice_answer()], doc, doc_type=DOC_TYPES["invoice"]
    )
    assert outcome.status == "valid" and len(outcome.record["line_items"]) == 2 and outcome.ungrounded == []
    assert "add up to 45" in client.calls[1][-1]["content"]


def test_a_wrong_line_is_re_asked_as_the_whole_list():
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(AMOUNTS_APART), AMOUNTS_APART)
    line_wrong = invoice_answer(lines=[LINES[0], {**LINES[1], "line_total": 2040.01}])
    outcome, client = extract_scripted(
        [line_wrong, json.dumps({"line_items": LINES})], doc, doc_type=DOC_TYPES["invoice"]
    )
    assert outcome.status == "valid" and outcome.ungrounded == []
    assert outcome.record["issuer"] == "Muster GmbH" and outcome.record["line_items"][1]["line_total"] == 2040
    reask = client.schemas[1]
    assert list(reask["properties"]) == ["line_items"] and reask["$defs"] == client.schemas[0]["$defs"]


def test_a_reask_whose_lines_break_the_sum_leaves_the_first_answer_standing():
    """The re-ask mends the wrong line by dropping it: the lines no longer add up to the net total,
    one field flagged as before, so the first answer stands."""
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(AMOUNTS_APART), AMOUNTS_APART)
    line_wrong = invoice_answer(lines=[LINES[0], {**LINES[1], "unit_price": 1020.01, "line_total": 2040.01}])
    one_line = json.dumps({"line_items": LINES[:1]})
    outcome, _ = extract_scripted([line_wrong, one_line, one_line], doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(outcome.record["line_items"]) == 2
    assert outcome.ungrounded == ["line_items[1].unit_price", "line_items[1].line_total"]


def test_line_items_get_a_table_keyed_by_document_and_line(scripted_llm, tmp_path):
    server = scripted_llm(
        lambda request: Reply(invoice_answer() if "Muster" in document_text(request) else invoice_answer(lines=[]))
    )
    inbox = write_inbox(tmp_path / "inbox", {"invoice/r17.txt": INVOICE})
    out = tmp_path / "out"

    for _ in range(2):  # a second run over the same inbox replaces the rows, never adds them again
        result, metadata = materialize(inbox, out)
        assert result.success

    lines = read_delta(out / "line_items")
    assert list(lines[["line", "description"]].itertuples(index=False, name=None)) == [
        (1, "Papier A4"),
        (2, "Toner schwarz"),
    ]
    assert [Decimal(str(v)) for v in lines.line_total] == [Decimal("45"), Decimal("2040")]
    records = read_delta(out / "records")
    assert set(lines.document_id) == set(records.document_id) and "line_items" not in records.columns
    assert records.total.map(lambda v: Decimal(str(v))).tolist() == [Decimal("2481.15")]
    assert metadata["validated_records"]["line_items_rows"].value == 2
    assert len(server.requests) == 1  # the second run came from the cache


def test_a_line_described_only_by_its_numbers_is_a_problem():
    record = {"line_items": [{"description": "8.000,00 x2", "quantity": 2, "unit_price": 8000, "line_total": 16000}]}
    problems = lines_named(record, CheckedDocument("1009-Roti Kelapa\n8.000,00 x2 16.000,00", {}))
    assert "is the line's numbers" in problems["line_items[0].description"]
    record["line_items"][0]["description"] = "1009-Roti Kelapa"
    assert lines_named(record, CheckedDocument("", {})) == {}


def test_a_line_without_any_number_is_no_item_and_is_dropped_when_it_stays():
    """The model listed the tax summary's heading as an item (ferd21-BASIC-WL_Einfach, tuning part)."""
    heading = {"description": "Belegsummen:", "quantity": None, "unit_price": None, "line_total": None}
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(INVOICE), INVOICE + "\nBelegsummen:")
    outcome, client = extract_scripted(
        [invoice_answer(lines=[*LINES, heading])] * 3, doc, doc_type=DOC_TYPES["invoice"]
    )
    assert "line_items.2: Value error, prints no quantity, unit price or amount" in client.calls[1][-1]["content"]
    assert outcome.status == "valid" and [line["description"] for line in outcome.record["line_items"]] == [
        "Papier A4",
        "Toner schwarz",
    ]
    assert outcome.ungrounded == ["line_items"] and len(outcome.model_values["line_items"]) == 3
    # A count alone is a line (CORD prints `2 CRYSANTNUM` with no price).
    assert record(lines=[{"description": "CRYSANTNUM", "quantity": 2, "unit_price": None, "line_total": None}])


def test_the_tables_column_headings_are_no_items():
    """ferd21-BASIC-WL_Buchungshilfe (tuning part): an empty item table's headings as eight lines of 0."""
    for heading in ("Pos", "Art-Nr-Kunde", "(Art)", "Beschreibung", "Qty", "Désignation", "Omschrijving"):
        with pytest.raises(ValueError, match="is a column heading of the item table"):
            record(lines=[{"description": heading, "quantity": 1, "unit_price": 0, "line_total": 0}])
    for item in ("Ökosteuer Lieferant", "Pfand", "Unit 4 rent", "Free Ice Tea", "Artikel 01", "Item 3"):
        assert record(lines=[{"description": item, "quantity": 1, "unit_price": 0, "line_total": 0}])


def test_a_unit_of_measure_is_no_items_name():
    """ferd10-EXTENDED_Kostenrechnung (tuning part) prints the row's numbers with its unit
    (`10000,0000 KWh`) and the name on the line below; the model gave `KWh` as the name."""
    for unit in ("KWh", "Stk.", "Std.", "kg", "pcs"):
        with pytest.raises(ValueError, match="is the line's unit of measure"):
            record(lines=[{"description": unit, "quantity": 10000, "unit_price": 0.052, "line_total": 520}])
    for item in ("Wirkarbeit HT", "Strom kWh", "Design (hours)", "M", "Stahlcoil"):
        assert record(lines=[{"description": item, "quantity": 1, "unit_price": 0, "line_total": 0}])


# Discounts and charges on the whole invoice: the lines add up to the printed Positionssumme, the
# net is after them (ferd21-EXTENDED_Fremdwaehrung, tuning part).
CHARGED = INVOICE.replace(
    "Nettobetrag 2.085,00\nUSt. 19% 396,15\nGesamtbetrag EUR 2.481,15",
    "Positionssumme 2.085,00\nZuschläge 30,00\nAbschläge -15,00\nNettobetrag 2.100,00\nUSt. 19% 399,00\n"
    "Gesamtbetrag EUR 2.499,00",
)


def test_with_charges_the_lines_add_up_to_the_printed_subtotal_and_the_net_is_after_them():
    doc = CheckedDocument(CHARGED, {})
    right = record(net_total=2100.00, tax_total=399.00, total=2499.00)
    assert lines_add_up_to("net_total")(right, doc) == {}
    assert net_plus_tax("net_total", "tax_total", "total")(right, doc) == {}
    lines_sum = record(net_total=2085.00, tax_total=399.00, total=2499.00)
    problem = net_plus_tax("net_total", "tax_total", "total")(lines_sum, doc)
    # The line that prints the net is quoted; the net given is not repeated (a small model copies it back).
    assert list(problem) == ["net_total"] and "printed on the line 'Nettobetrag 2.100,00'" in problem["net_total"]
    assert "2085" not in problem["net_total"]
    # One line's amount is printed as that line, not as a sum: a skipped line is still a problem.
    assert (
        "the 1 lines add up to 45"
        in lines_add_up_to("net_total")(record(lines=LINES[:1], net_total=2100.00), doc)["line_items"]
    )


def test_lines_that_add_up_to_a_number_printed_without_cents_have_not_found_a_subtotal():
    """Four wrong lines added up to 19.00 and passed as a printed subtotal: the invoice printed its
    tax rate, 19, with no cents, where its amounts all have them (ferd22-EN16931_RechnungsUebertragung,
    report part)."""
    wrong = [{"description": f"Zeile {n}", "quantity": 1, "unit_price": None, "line_total": 9.50} for n in (1, 2)]
    problem = lines_add_up_to("net_total")(record(lines=wrong), CheckedDocument(INVOICE, {}))
    assert "the 2 lines add up to 19.0, but net_total is 2085.0" in problem["line_items"]
    # A document that prints its amounts without cents (rupiah) has its subtotals printed that way.
    cord = "NASI GORENG 1 19.000\nAYAM 1 6.000\nSUBTOTAL 25.000\nDISC -5.000\nTOTAL 20.000"
    lines = [{"description": "NASI GORENG", "quantity": 1, "unit_price": None, "line_total": 19000},
             {"description": "AYAM", "quantity": 1, "unit_price": None, "line_total": 6000}]  # fmt: skip
    assert lines_add_up_to("net_total")(record(lines=lines, net_total=20000), CheckedDocument(cord, {})) == {}


def test_a_line_amount_multiplied_out_by_the_model_is_copied_as_printed():
    """ferd10-BASIC_Einfach (tuning part): the line prints 20 and 198,00; the model gave 198.00 as
    the unit price and 3960.00 as the amount."""
    text = INVOICE.replace("1 Papier A4 10 4,50 45,00", "1 Papier A4 10 45,00")
    multiplied = {**LINES[0], "unit_price": 45.00, "line_total": 450.00}
    mended = amounts_multiplied_out(record(lines=[multiplied, LINES[1]]), text)
    assert mended["line_items"][0]["line_total"] == Decimal("45.00") and mended["line_items"][0]["unit_price"] is None
    assert mended["line_items"][1] == record()["line_items"][1]  # copied as printed: left alone
    assert amounts_multiplied_out(record(), INVOICE) == {}
    one = {**LINES[0], "quantity": 1, "unit_price": 45.00, "line_total": 45.00}
    assert amounts_multiplied_out(record(lines=[one]), text) == {}  # 1 x 45 is 45: nothing multiplied


def test_a_mended_line_is_counted_as_taken_from_the_document_not_as_dropped():
    text = INVOICE.replace("1 Papier A4 10 4,50 45,00", "1 Papier A4 10 45,00")
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(text), text)
    multiplied = {**LINES[0], "unit_price": 45.00, "line_total": 450.00}
    outcome, client = extract_scripted(
        [invoice_answer(lines=[multiplied, LINES[1]])], doc, doc_type=DOC_TYPES["invoice"]
    )
    assert outcome.status == "valid" and len(client.calls) == 1 and outcome.ungrounded == []
    assert [line["line_total"] for line in outcome.record["line_items"]] == [Decimal("45.00"), Decimal("2040.00")]
    assert outcome.model_values["line_items"][0]["line_total"] == Decimal("450.00")
    assert taken_from_document([outcome]) == {"line_items": 1} and dropped_values([outcome]) == {}
    # A list the sums shortened (a heading given a row's price, item_rows.py) is taken from the
    # document too, not dropped as invalid.
    heading = {"description": "Summe netto", "quantity": 1, "unit_price": 4.50, "line_total": 4.50}
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(INVOICE), INVOICE)
    outcome, _ = extract_scripted([invoice_answer(lines=[*LINES, heading])], doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(outcome.record["line_items"]) == 2
    assert taken_from_document([outcome]) == {"line_items": 1} and dropped_values([outcome]) == {}
