"""An invoice's tax summary proves its totals; a total taken from the wrong line of it is replaced."""

import json
from decimal import Decimal

from extraction_pipeline.checks.tax_summary import tax_summary, totals_from_tax_summary
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.quality.metrics import taken_from_document
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted

# Two rates, one line each: the tax total (56.87) is printed nowhere (as on ferd10-COMFORT_Einfach).
TWO_RATES = """Lieferant GmbH
Rechnungsnummer 471102 Rechnungsdatum 05.03.2013
1 Trennblätter A4 20 Stk. 9,90 198,00 19
2 Joghurt Banane 50 Stk. 5,50 275,00 7
Rechnungssumme Netto (excl. USt.) 473,00
Steuerbasisbetrag USt. 7% 275,00 19,25
Steuerbasisbetrag USt. 19% 198,00 37,62
Rechnungssumme Brutto (inkl. USt.) 529,87"""

# A table with a row per rate and a row of sums under them (as on ferd10-EXTENDED_Warenrechnung).
ROWS_AND_SUMS = """Warenwert Zu-/Abschlag Fracht Nettobetrag MwSt-Betrag MwSt-% Endbetrag
326,50 -8,10 3,00 321,40 61,07 19,0 382,47
130,70 -3,11 127,59 8,93 7,0 136,52
457,20 -11,21 3,00 448,99 70,00 EUR 518,99
Bei Zahlung innerhalb 14 Tagen gewähren wir 2,0% Skonto: 508,61"""

TOTALS = ("net_total", "tax_total", "total")
complete = totals_from_tax_summary(*TOTALS)


def totals(net, tax, gross):
    return dict(zip(TOTALS, (net, tax, gross)))


def test_the_rates_lines_add_up_to_the_printed_net_and_gross():
    assert tax_summary(TWO_RATES) == tax_summary(TWO_RATES.replace("USt. 7%", "USt. 7,0 %"))
    summary = tax_summary(TWO_RATES)
    assert (summary.net, summary.tax, summary.gross) == (Decimal("473.00"), Decimal("56.87"), Decimal("529.87"))
    summary = tax_summary(ROWS_AND_SUMS)  # each row alone also adds up: the two rows together win
    assert (summary.net, summary.tax, summary.gross) == (Decimal("448.99"), Decimal("70.00"), Decimal("518.99"))


def test_without_sums_that_hold_there_is_no_summary():
    assert tax_summary(TWO_RATES.replace("529,87", "529,97")) is None  # net + taxes is not the gross printed
    assert tax_summary(TWO_RATES.replace("19,25", "19,52")) is None  # not 7% of 275,00
    # No base on the tax's line, and the net not on the line above it.
    assert tax_summary("USt. 19% 396,15\nNettobetrag 2.085,00\nGesamtbetrag 2.481,15") is None
    # Two summaries that disagree (two invoices in one file) prove nothing.
    other = "USt. 19% 100,00 19,00\nNetto 100,00 Brutto 119,00"
    assert tax_summary(f"{other}\nUSt. 19% 200,00 38,00\nNetto 200,00 Brutto 238,00") is None


# A hotel's bill (as written for tuning, benchmarks/written_invoices/p21-hotel): each rate's net,
# tax and gross, the gross total, and no net total.
GROSS_PER_RATE = """Gesamtbetrag 360,50 EUR
MwSt.  7 %   netto 241,12   MwSt. 16,88   brutto 258,00
MwSt. 19 %   netto  86,13   MwSt. 16,37   brutto 102,50
Bezahlt mit Mastercard 360,50"""


def test_rates_lines_that_print_their_gross_need_no_printed_net():
    summary = tax_summary(GROSS_PER_RATE)
    assert (summary.net, summary.tax, summary.gross) == (Decimal("327.25"), Decimal("33.25"), Decimal("360.50"))
    # The model's answer on that bill: the gross for the net, a tax and gross printed nowhere.
    assert complete(totals(360.50, 79.00, 449.50), GROSS_PER_RATE) == totals(
        Decimal("327.25"), Decimal("33.25"), Decimal("360.50")
    )
    # One line without its gross: only the other line, which proves itself alone.
    assert tax_summary(GROSS_PER_RATE.replace("brutto 258,00", "")).gross == Decimal("102.50")
    # Grosses that do not add up: each line alone, and they disagree.
    assert tax_summary(GROSS_PER_RATE.replace("360,50", "361,50")) is None


# An Indian GST invoice (as written for tuning, p29-gst-india): two taxes on one base, printed
# without it, and their sum printed nowhere.
TWO_TAXES_ON_ONE_NET = """2   MS Plate 10 mm      7208     25     3,000.00      75,000.00

Taxable Value                                   1,25,000.00
CGST @ 9%                                          11,250.00
SGST @ 9%                                          11,250.00
Grand Total (INR)                               1,47,500.00"""


def test_taxes_printed_without_their_base_are_the_rates_part_of_the_net_above():
    summary = tax_summary(TWO_TAXES_ON_ONE_NET)
    assert (summary.net, summary.tax, summary.gross) == (
        Decimal("125000.00"),
        Decimal("22500.00"),
        Decimal("147500.00"),
    )
    # The model's answer: the first line for the net, one of the two taxes.
    assert complete(totals(50000.00, 11250.00, 147500.00), TWO_TAXES_ON_ONE_NET) == {
        "net_total": Decimal("125000.00"),
        "tax_total": Decimal("22500.00"),
    }
    assert tax_summary(TWO_TAXES_ON_ONE_NET.replace("1,47,500.00", "1,48,500.00")) is None  # no gross printed
    # A discount taken as a rate's part has the other sign: no tax.
    assert tax_summary("Zwischensumme 50,00\nRabatt 10% -5,00\nZahlbetrag 45,00") is None


def test_rates_printed_with_no_tax_and_a_dates_line_belong_to_the_run():
    """A Swedish template of the tuning part (the model answered the gross for net and tax alike)."""
    text = (
        "Varorna levererade\t2024-04-01\tExkl. moms\t900,00\nTjänsterna utförda\t2024-04-01\n"
        "Moms 25%\t225,00\nMoms 12%\t0,00\nMoms 6%\t0,00\nAvrundning\t0,00\nAtt betala SEK\t1125,00"
    )
    assert complete(totals(1125.00, 1125.00, 1125.00), text) == {
        "net_total": Decimal("900.00"),
        "tax_total": Decimal("225.00"),
    }
    # Rates with nothing taxed at them prove no summary alone.
    assert tax_summary("Exkl. moms 900,00\nMoms 12% 0,00\nAtt betala 900,00") is None


# An exempt invoice's summary (as on ferd20-EN16931_Haftpflichtversicherung): rate 0, no tax; the
# insurance tax printed above is not VAT.
EXEMPT = """1 Privathaftpflicht 59,5000 1 Stk 0 % 59,50
Enthält 19% Versicherungssteuer = 9,50 Euro
Umsatzsteuerbefreit nach §4 Nr. 10a UStG
59,50 0 0,00
Rechnungssumme ohne USt. 59,50
Steuerbetrag in EUR 0,00
Bruttosumme 59,50"""


def test_a_zero_rated_part_is_a_rates_line():
    summary = tax_summary(EXEMPT)
    assert (summary.net, summary.tax, summary.gross) == (Decimal("59.50"), Decimal("0.00"), Decimal("59.50"))
    assert complete(totals(59.50, 9.50, 59.50), EXEMPT) == {"tax_total": Decimal("0.00")}
    # Beside a taxed rate: exempt and taxed parts of one invoice.
    mixed = "USt. 19% 100,00 19,00\nsteuerfrei 0 % 50,00 0,00\nNetto 150,00\nBrutto 169,00"
    summary = tax_summary(mixed)
    assert (summary.net, summary.tax, summary.gross) == (Decimal("150.00"), Decimal("19.00"), Decimal("169.00"))


def test_an_amount_beside_a_zero_proves_nothing_alone():
    # With no tax, the base is the gross: the line would prove itself unless the net is printed off it.
    assert tax_summary("Artikel 4711 Rabatt 0 12,50 0,00\nZahlbetrag 13,40") is None
    # A 0,00 is more often an empty column than a rate.
    assert tax_summary("Versand 12,50 0,00\nNetto 12,50\nBrutto 12,50") is None
    # Nor is a time's 00 (a French telephone bill of the tuning part: a call of 20,00 minutes).
    call = "· (00:29:24) de Appels reçus du 01/08 au 01/11 20,00 0,00 0,00\nForfait 60Go 20,00 10,83 12,99"
    assert tax_summary(call) is None
    assert tax_summary(call.replace("(00:29:24)", "0 %")) is not None  # a whole 0 is a rate


def test_a_credit_note_keeps_its_sign():
    summary = tax_summary("Netto -7,67\nUSt. 19% -5,00 -0,95\nUSt. 7% -2,67 -0,19\nGesamt -8,79")
    assert (summary.net, summary.tax, summary.gross) == (Decimal("-7.67"), Decimal("-1.14"), Decimal("-8.79"))


def test_one_rates_tax_or_row_is_replaced_by_the_sums():
    assert complete(totals(473.00, 19.25, 529.87), TWO_RATES) == {"tax_total": Decimal("56.87")}
    assert complete(totals(321.40, 61.07, 382.47), ROWS_AND_SUMS) == totals(
        Decimal("448.99"), Decimal("70.00"), Decimal("518.99")
    )
    # ferd10-EXTENDED_Kostenrechnung: the gross as the net, the rate as the tax, their sum as the total.
    one_rate = "1062,60 15,00 -21,55 1056,05 200,65 19,0 1256,70"
    assert complete(totals(1256.70, 19, 1275.70), one_rate) == totals(
        Decimal("1056.05"), Decimal("200.65"), Decimal("1256.70")
    )
    assert complete(totals(None, None, 529.87), TWO_RATES) == {
        "net_total": Decimal("473.00"),
        "tax_total": Decimal("56.87"),
    }


def test_totals_that_do_not_add_up_take_the_summarys_where_they_differ():
    """ferd21-EXTENDED_Warenrechnung: the lines' sum before discounts (457,20, printed below the
    summary) for the net."""
    assert complete(totals(457.20, 70.00, 518.99), ROWS_AND_SUMS) == {"net_total": Decimal("448.99")}
    # A gross printed elsewhere stays: it may hold costs passed on without tax.
    passed_on = f"{TWO_RATES}\nGebühren (ohne USt.) 10,00\nZahlbetrag 539,87"
    assert complete(totals(473.00, 56.87, 539.87), passed_on) == {}
    # As answered on its PDF text in reading order: the discounts' sum (-11,21) for the tax, the net
    # for the gross. A negative tax is no credit note, and the net is no gross.
    assert complete(totals(457.20, -11.21, 448.99), ROWS_AND_SUMS) == totals(
        Decimal("448.99"), Decimal("70.00"), Decimal("518.99")
    )


def test_totals_the_model_found_elsewhere_are_left_to_the_checks():
    assert complete(totals(473.00, 56.87, 529.87), TWO_RATES) == {}  # right: nothing to do
    assert complete(totals(-473.00, -56.87, -529.87), TWO_RATES) == {}  # a credit note printed unsigned
    assert complete(totals(-473.00, -19.25, -529.87), TWO_RATES) == {"tax_total": Decimal("-56.87")}
    # Totals that add up, printed elsewhere than on the summary's lines (a deposit invoiced before).
    deposit = f"{ROWS_AND_SUMS}\nAnzahlung vom 01.02.: netto 200,00 USt. 38,00 brutto 238,00"
    assert complete(totals(200.00, 38.00, 238.00), deposit) == {}
    assert complete(totals(1.00, 2.00, 3.00), "Netto 1,00 USt. 2,00 Gesamt 3,00") == {}  # no summary


def test_a_replaced_total_keeps_the_models_value_and_is_counted():
    text = TWO_RATES.replace("Brutto (inkl. USt.)", "Brutto (inkl. USt.) EUR")
    lines = [
        {"description": "Trennblätter A4", "quantity": 20, "unit_price": 9.90, "line_total": 198.00},
        {"description": "Joghurt Banane", "quantity": 50, "unit_price": 5.50, "line_total": 275.00},
    ]
    answer = {"issuer": "Lieferant GmbH", "invoice_number": "471102", "date": "05.03.2013", "currency": "EUR",
              "net_total": 473.00, "tax_total": 19.25, "total": 529.87, "line_items": lines}  # fmt: skip
    printed = text.replace("37,62\n", "37,62\nSumme USt. 56,87\n")
    outcome, client = extract_scripted([json.dumps(answer)], invoice(printed), doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(client.calls) == 1 and outcome.ungrounded == []
    assert outcome.record["tax_total"] == Decimal("56.87") and outcome.model_values == {"tax_total": 19.25}
    assert taken_from_document([outcome]) == {"tax_total": 1}
    # Where the sum of the taxes is not printed, the value is still the summary's, flagged as not in
    # the document for a reviewer, and not re-asked about: no answer could change it.
    outcome, client = extract_scripted([json.dumps(answer)], invoice(text), doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(client.calls) == 1 and outcome.ungrounded == ["tax_total"]
    assert outcome.calls[0].error_kind == "ungrounded"  # counted like any answer with a flagged value
    assert outcome.record["tax_total"] == Decimal("56.87") and outcome.model_values == {"tax_total": 19.25}
    # Flagged for something else too (an invoice number printed nowhere), it is re-asked as usual.
    unprinted = {**answer, "invoice_number": "471199"}
    outcome, client = extract_scripted([json.dumps(unprinted)] * 3, invoice(text), doc_type=DOC_TYPES["invoice"])
    assert len(client.calls) == 3 and sorted(outcome.ungrounded) == ["invoice_number", "tax_total"]
    # A currency on an invoice that prints none is inferred: flagged, and not re-asked either.
    outcome, client = extract_scripted(
        [json.dumps(answer)], invoice(text.replace(" EUR", "")), doc_type=DOC_TYPES["invoice"]
    )
    assert len(client.calls) == 1 and sorted(outcome.ungrounded) == ["currency", "tax_total"]


def invoice(text):
    return Document("inv", "/inbox/inv.pdf", "pdf", len(text), text)
