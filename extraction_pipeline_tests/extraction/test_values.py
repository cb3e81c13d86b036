"""Money and dates in the notations documents print them in, read the same by validation, grounding
and scoring."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.amounts import (
    DECIMAL,
    GROUPS,
    in_document_notation,
    resolve_grouping,
    separator_roles,
)
from extraction_pipeline.extraction.dates import date_order, implausible_dates
from extraction_pipeline.extraction.grounding import Evidence, locate
from extraction_pipeline.extraction.parsing import ValidationFailure, parse_answer
from extraction_pipeline.extraction.values import amount_readings, find_dates, numbers_on_line, parse_date, read_amount
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted


@pytest.mark.parametrize(
    ("line", "values"),
    [("Gutschrift -12,50", ["-12.50"]), ("RETURN 12.50-", ["-12.50"]),
     ("Datum 2024-04-01", ["2024", "4", "1"]), ("TEL 03-7728 2288", ["3", "7728", "2288"]),
     ("1 WAKI PLATTER FOR 4-5 389,000", ["1", "4", "5", "389000"]), ("INV-471102 10.00", ["471102", "10.00"])],
)  # fmt: skip
def test_a_minus_is_a_sign_only_where_it_joins_nothing(line, values):
    """A minus before or after an amount signs it; a hyphen between digits joins a date's, a phone
    number's or a range's parts, and after an identifier's letters it is no sign either."""
    assert [str(n.value) for n in numbers_on_line(line)] == values


@pytest.mark.parametrize(
    ("printed", "readings"),
    [("1.234,56", ["1234.56"]), ("1 234,56", ["1234.56"]), ("1,234.56", ["1234.56"]), ("1'234.56", ["1234.56"]),
     ("1,591,600", ["1591600"]), ("1.591.600", ["1591600"]), ("529,87", ["529.87"]), ("12.50", ["12.50"]),
     ("75,000", ["75000", "75.000"]), ("3.3333", ["3.3333"]), ("12", ["12"]),
     ("1,23,456", ["123456"]), ("1,47,500.00", ["147500.00"]), ("12,34,56,789", ["123456789"]),
     ("1.2.3", []), ("1,2,345", []), ("12,34,56", []), ("1.23.456", []), ("1.234.56", []), ("1,234,56", [])],
)  # fmt: skip
def test_a_printed_number_has_the_readings_its_notation_allows(printed, readings):
    """One separator before three digits is ambiguous (Indonesian 75,000 rupiah; three decimals):
    both readings, the thousands first. Groups that are not of three (or India's lakhs and crores,
    two-digit groups before the last three, with commas) read as nothing."""
    assert amount_readings(printed) == [Decimal(r) for r in readings]


@pytest.mark.parametrize(
    ("printed", "amount"),
    [("RM 9.50", "9.50"), ("EUR 1.234,56", "1234.56"), ("Rp 1.591.600", "1591600"), ("-23.45", "-23.45"),
     ("23,45-", "-23.45"), ("(12,00)", "-12.00"), ("1 234,56 €", "1234.56"), ("EUR -5,00", "-5.00"),
     ("20 Stk.", "20"), ("12,50 EUR/Stk.", "12.50"), ("TX-471102", "471102"), ("n/a", None),
     ("55T01", None), ("12 x 1,0l", None), ("Nougat de l'Abbaye 250g", None), ("Kwo Tie Jala2", None),
     ("\u221210,00 €", "-10.00")],  # the typeset minus sign
)  # fmt: skip
def test_an_amount_is_read_with_its_currency_and_sign(printed, amount):
    """One number with a currency or unit around it; an article number, a pack size or a description
    is not an amount."""
    assert read_amount(printed) == (Decimal(amount) if amount else None)


@pytest.mark.parametrize(
    ("printed", "iso"),
    [("05.03.2024", "2024-03-05"), ("5. März 2024", "2024-03-05"), ("5 mars 2024", "2024-03-05"),
     ("1er mars 2024", "2024-03-01"), ("5 maart 2024", "2024-03-05"), ("25 Desember 2019", "2019-12-25"),
     ("3 Okt. 2023", "2023-10-03"), ("March 5, 2024", "2024-03-05"), ("Dec 24, 2019", "2019-12-24"),
     ("12 juillet 2023", "2023-07-12"), ("2024-03-05", "2024-03-05"),
     # German typesetting (a LaTeX invoice template of the tuning part): a space after each dot.
     ("14. 11. 2018", "2018-11-14"), ("5.\u202f3.\u202f2024", "2024-03-05"),
     # Typographic hyphens a PDF's font maps to (a Factur-X rendering of the tuning part).
     ("18\u201008\u20102026", "2026-08-18"), ("2026\u201108\u201118", "2026-08-18")],
)  # fmt: skip
def test_dates_are_read_in_many_languages(printed, iso):
    assert parse_date(printed) == dt.date.fromisoformat(iso)


def test_amounts_are_found_in_the_notation_the_document_prints():
    german = "Rechnungssumme Netto 473,00\nRechnungssumme Brutto (inkl. USt.) 1.529,87\nvom 05.03.2013"
    assert german[slice(*_span(Decimal("1529.87"), german))] == "1.529,87"
    assert _span(Decimal("5.03"), german) is None  # a date is not an amount
    cord = "2 x Tahu Goreng 36,000\nTotal 1.591.600"
    assert cord[slice(*_span(Decimal("1591600"), cord))] == "1.591.600"
    assert cord[slice(*_span(Decimal("36000"), cord))] == "36,000"
    india = "Taxable Value 1,25,000.00\nCGST @ 9% 11,250.00\nGrand Total 1,47,500.00"
    assert india[slice(*_span(Decimal("147500"), india))] == "1,47,500.00"


def test_phone_and_bank_numbers_in_spaced_groups_are_not_amounts():
    """A model offered `49 932 431 500` among the amounts printed took it for a net total."""
    footer = "Telefon: +49 932 431 500\nBLZ: 700 901 00\nTotal 1 591 600\nNet 1 234,56"
    assert _span(Decimal("49932431500"), footer) is None and _span(Decimal("932431500"), footer) is None
    assert _span(Decimal("700901"), footer) is None
    assert footer[slice(*_span(Decimal("1591600"), footer))] == "1 591 600"
    assert footer[slice(*_span(Decimal("1234.56"), footer))] == "1 234,56"


def test_no_break_spaces_group_as_spaces_do():
    """A PDF that prints every space as a no-break space: its phone number is no amount (a Turkish
    e-invoice's net total had been grounded in `Tel: 0 332 342 1 342` as 1342), its amounts are."""
    nbsp = "Tel:\u00a00\u00a0332\u00a0342\u00a01\u00a0342\nToplam\u00a01\u00a0234,56\u00a0TL"
    assert _span(Decimal("1342"), nbsp) is None and _span(Decimal("332342"), nbsp) is None
    assert nbsp[slice(*_span(Decimal("1234.56"), nbsp))] == "1\u00a0234,56"
    french = "Total TTC 12\u202f345,00 €"  # the narrow no-break space only groups thousands
    assert french[slice(*_span(Decimal("12345.00"), french))] == "12\u202f345,00"
    assert _span(Decimal("345.00"), french) is None


def test_an_amount_copied_as_printed_is_read_not_rejected():
    answer = {"issuer": "Lieferant GmbH", "invoice_number": "471102", "date": "2013-03-05", "total": "1.529,87",
              "currency": "EUR"}  # fmt: skip
    assert parse_answer(json.dumps(answer), DOC_TYPES["invoice"].model).total == Decimal("1529.87")
    with pytest.raises(ValidationFailure, match="total"):  # three decimals are not rounded away unseen
        parse_answer(json.dumps({**answer, "total": "1529,875"}), DOC_TYPES["invoice"].model)


def _span(value, text):
    evidence = locate(value, text)
    return None if evidence.status == "missing" else (evidence.start, evidence.end)


@pytest.mark.parametrize(
    ("text", "order"),
    [("Invoice date 03/04/2024\nDue 28/04/2024", "day first"), ("Invoice date 03/04/2024\nDue 04/28/2024", "month first"),
     ("03/04/2024 TOTAL RM 9.50", "day first"), ("03/04/2024 Amount due USD 120.00", "month first"),
     ("03/04/2024 TOTAL 9.50", None), ("03/04/2024 13/04/2024 04/13/2024", None),
     ("Brightline LLC\nSan Francisco, CA 94105\nInvoice Date: 03/04/2024\nTotal $7,332.19", "month first"),
     ("Acme Ltd\nLeeds LS6 2AB\nInvoice Date: 03/04/2024\nTotal $7,332.19", None)],
)  # fmt: skip
def test_the_document_says_which_order_it_prints_dates_in(text, order):
    assert date_order(text) == order


def test_an_ambiguous_date_is_read_in_the_documents_order_or_flagged():
    us = "ACME Inc.\nInvoice date 03/04/2024\nShipped 12/28/2023\nTotal USD 120.00"
    outcome, _ = extract_scripted(
        ['{"company": "ACME Inc.", "date": "03/04/2024", "address": "ACME Inc.", "total": 120.0, "currency": "USD"}'],
        Document("d", "/inbox/us.txt", "text", len(us), us),
    )
    assert outcome.record["date"] == dt.date(2024, 3, 4) and outcome.ambiguous == []
    unsaid = "SHOP SDN\nDate 03/04/2024\nTOTAL 9.50"
    outcome, _ = extract_scripted(
        ['{"company": "SHOP SDN", "date": "03/04/2024", "address": "SHOP SDN", "total": 9.5, "currency": null}'],
        Document("e", "/inbox/e.txt", "text", len(unsaid), unsaid),
    )
    assert outcome.record["date"] == dt.date(2024, 4, 3) and outcome.ambiguous == ["date"]


@pytest.mark.parametrize(
    ("text", "roles"),
    [("Soto Daging 1 36.364\nNasi Putih 1 6.363\nTotal 51.000", {".": GROUPS}),
     ("Roti 8.000,00 x2 16.000,00\nTotal. 16.000,00", {".": GROUPS, ",": DECIMAL}),
     ("Rice 6.364\nTotal 1.591.600", {".": GROUPS}),
     ("Nasi 1.500\nTOTAL RM 9.50", {".": DECIMAL, ",": GROUPS}),
     ("Wire 2 x 1.250\nTotal 2.500 KWD", {}), ("Total 1.591", {}),
     ("1,591,600 and 12,50", {}),
     ("133,092 TL 133,09\n27,225 TL 27,23\nToplam 15.630,87\nCari Bakiye :175,168.47", {}),
     ("Beispiel-Rechnungen für ZUGFeRD 2.2\nFALTENBEUTEL 0,0105 3.500 Stk\n36,75\nPositionssumme 410,10",
      {",": DECIMAL, ".": GROUPS}),
     # CORD 302 (tuning): a rate in English beside rupiah printed both ways; 155.000 was read as 155.
     ("Dom Cha 1x 155.000 155.000\nP J Cotes 2x 105,000 210.000\nDiscount 20.00% 73.000\nTotal 353,320",
      {".": GROUPS, ",": GROUPS}),
     ("Nasi 25.000\nPB1 10.00 % 2.500\nTotal 27.500", {".": GROUPS})],
)  # fmt: skip
def test_the_document_says_what_its_separators_do(text, roles):
    """Unambiguous amounts settle a separator; every amount with three digits after its dot settles
    it too, unless a currency of thousandths is printed or other amounts voted on it (a Turkish
    invoice's unit prices `133,092` beside a balance printed the English way); votes both ways
    settle nothing. Of two separators that both look decimal, the one fewer numbers print is not
    (the ZUGFeRD 2.2 renderings' `2.2` on every page: `3.500 Stk` was read as 3.5). A percentage
    is a rate, not an amount, and does not vote."""
    assert separator_roles(text) == roles


def test_a_line_s_price_the_document_leaves_unsettled_is_read_as_its_row_multiplies_out():
    """The Turkish e-invoice's unit prices (`133,092`) beside a balance printed the English way: no
    role for the comma, but 1 x 133.092 is the line's 133,09 and 1 x 133092 is not."""
    text = "OPAS.KUT 1 133,092 TL 133,09 TL\nMAK.4300 4 46,872 TL\nCari Bakiye :175,168.47\nToplam 15.630,87"
    rows = [{"quantity": Decimal(1), "unit_price": Decimal("133092"), "line_total": Decimal("133.09")},
            {"quantity": None, "unit_price": Decimal("46872"), "line_total": Decimal("187.49")}]  # fmt: skip
    evidence = {
        f"line_items[{i}].unit_price": Evidence("normalised", text.index(p), text.index(p) + len(p))
        for i, p in enumerate(["133,092", "46,872"])
    }
    resolved, ambiguous = resolve_grouping({"line_items": rows}, evidence, text)
    assert [r["unit_price"] for r in resolved["line_items"]] == [Decimal("133.092"), Decimal("46872")]
    assert ambiguous == ["line_items[1].unit_price"]  # no quantity: nothing to multiply out
    credit = [{"quantity": Decimal(-1), "unit_price": Decimal("133092"), "line_total": Decimal("-133.09")}]
    resolved, ambiguous = resolve_grouping({"line_items": credit}, evidence, text)
    assert resolved["line_items"][0]["unit_price"] == Decimal("133.092") and ambiguous == []


def test_an_amount_printed_ambiguously_is_read_in_the_documents_notation_or_flagged():
    """The model answers the JSON number 6.364 for a rupiah amount printed 6.364; the document's
    other amounts say the dot groups thousands. Line items are read the same way."""
    cord = "RICE\n25/03/2018\n6.364 1 6.364\nSub Total 65.455\nPB1 10% 6.546\nTotal 72.001"
    answer = {"company": "RICE", "date": "25/03/2018", "address": "RICE", "total": 72.001, "currency": None}
    outcome, _ = extract_scripted([json.dumps(answer)], Document("c", "/inbox/c.txt", "text", len(cord), cord))
    assert outcome.record["total"] == Decimal("72001") and outcome.ambiguous == []
    lone = "SHOP\n25/03/2018\nTotal 1.591"
    outcome, _ = extract_scripted(
        [json.dumps({**answer, "company": "SHOP", "address": "SHOP", "total": 1.591})],
        Document("l", "/inbox/l.txt", "text", len(lone), lone),
    )
    assert outcome.record["total"] == Decimal("1591") and outcome.ambiguous == ["total"]
    nested = {"total": Decimal("72.001"), "line_items": [{"line_total": Decimal("6.364"), "quantity": Decimal("1")}]}
    assert in_document_notation(nested, cord) == {
        "total": Decimal("72001"), "line_items": [{"line_total": Decimal("6364"), "quantity": Decimal("1")}]
    }  # fmt: skip
    rupiah = "Roti 8.000,00 x2 16.000,00\nTotal. 16.000,00"  # the model dropped the ",00"
    assert in_document_notation({"total": Decimal("16.000")}, rupiah) == {"total": Decimal("16000")}
    kilos = "Beef 1.500 kg 12.00\nTOTAL 12.00"  # decimal dots: three decimals are three decimals
    assert in_document_notation({"quantity": Decimal("1.500")}, kilos) == {"quantity": Decimal("1.500")}
    # The decimals copied with the comma dropped: 8.6848 for `8.684,80` (a milk-money statement
    # written for tuning), where the document's dot groups thousands.
    german = "Milch 18.400 0,4720 8.684,80\nQualitätszuschlag 18.400 0,0100 184,00\nSumme netto 8.868,80"
    slipped = {"line_items": [{"line_total": Decimal("8.6848"), "unit_price": Decimal("0.4720")}]}
    assert in_document_notation(slipped, german) == {
        "line_items": [{"line_total": Decimal("8684.8"), "unit_price": Decimal("0.4720")}]  # a price as printed stays
    }
    english = "Milk 18,400 0.4720 8,684.80\nNet 8,868.80"  # a decimal dot: 8.6848 is not that slip
    assert in_document_notation({"total": Decimal("8.6848")}, english) == {"total": Decimal("8.6848")}
    # A unit price of three decimals printed with the decimal comma (a Turkish e-invoice of the
    # tuning part) is that price, not 133092.
    turkish = "1 PAKO ŞALTER KUTUSU 1 133,092 TL %20,00 26,62 TL 133,09 TL"
    priced = {"line_items": [{"unit_price": Decimal("133.092"), "line_total": Decimal("133.09")}]}
    assert in_document_notation(priced, turkish) == priced
    rate = "1 Lumpia 43,000\nSUBTOTAL 294,000\nService Charge 7,5% 22,050\nTOTAL 347,655"  # a rate settles nothing
    assert in_document_notation({"total": Decimal("43.000")}, rate) == {"total": Decimal("43000")}
    # Copied up to the decimal comma, where a JSON number ends (a bank statement written for tuning,
    # read with a pack whose prompt did not say how to write amounts): the one amount it begins.
    statement = "Alter Kontostand 1.254,30 EUR\nGehalt 3.120,55\nMiete 950,00\nNeuer Kontostand 3.016,19 EUR"
    cut = {"opening": Decimal("1.254"), "moves": [{"amount": Decimal("3.120")}, {"amount": Decimal("-950")}]}
    assert in_document_notation(cut, statement) == {
        "opening": Decimal("1254.30"), "moves": [{"amount": Decimal("3120.55")}, {"amount": Decimal("-950")}]
    }  # fmt: skip
    twice = "Saldo 1.254,30\nZinsen 1.254,95"  # two amounts begin so: which one is not settled
    assert in_document_notation({"opening": Decimal("1.254")}, twice) == {"opening": Decimal("1.254")}


def test_a_date_no_document_prints_is_re_asked():
    """Year 111 (seen on a real invoice) and a year decades from the document's other dates."""
    invoice = "Lieferant GmbH\nRechnung 471102 vom 05.03.2013\nLieferung 01.03.2013\nSumme 529,87 EUR"
    answer = {"issuer": "Lieferant GmbH", "invoice_number": "471102", "total": 529.87, "currency": "EUR"}
    too_early = implausible_dates({"date": dt.date(111, 3, 5)}, {}, invoice)["date"]
    assert "not a plausible date" in too_early and too_early.endswith("Dates printed in it: 05.03.2013, 01.03.2013.")
    decades = implausible_dates({"date": dt.date(1913, 3, 5)}, {}, invoice)["date"]
    assert "decades from the other dates printed in the document (around 2013)" in decades
    assert "111" not in too_early and "1913" not in decades  # the wrong date is not repeated
    doc = Document("i", "/inbox/i.pdf", "pdf", len(invoice), invoice)
    outcome, client = extract_scripted(
        [json.dumps({**answer, "date": "0111-03-05"}), json.dumps({**answer, "date": "2013-03-05"})],
        doc,
        document_type="invoice",
        doc_type=DOC_TYPES["invoice"],
    )
    assert outcome.record["date"] == dt.date(2013, 3, 5) and len(client.calls) == 2
    assert "- date: the date given is not a plausible date" in client.calls[1][-1]["content"]


def test_a_currency_code_is_found_by_the_sign_the_document_prints():
    assert _span("EUR", "Summe 529,87 €") == (13, 14)
    assert _span("GBP", "Summe 529,87 €") is None


def test_an_en_dash_joins_a_range_not_a_dates_parts():
    assert [date for _, _, date in find_dates("12–15.05.2024")] == [dt.date(2024, 5, 15)]
