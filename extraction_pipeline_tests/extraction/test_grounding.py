"""Every value is found in its document, or re-asked, or flagged: no invented value passes unseen."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.grounding import (
    Evidence,
    currency_printed_nowhere,
    locate,
    printed_pieces,
    ungrounded_message,
)
from extraction_pipeline.quality.metrics import call_summary
from extraction_pipeline.quality.report import build_report, to_markdown
from extraction_pipeline.storage.tables import records_frame
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted

TEXT = "INDAH GIFT & HOME DECO\n27, JALAN DEDAP 13,\nTAMAN JOHOR JAYA\n19/10/2018 20:49\nSUBTOTAL 60.31\nROUNDING -0.01\nTOTAL RM 60.30\nCASH 1,060.30"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("INDAH GIFT & HOME DECO", Evidence("exact", 0, 22)),
        ("Indah Gift and Home Deco", Evidence("missing")),
        ("27, JALAN DEDAP 13, TAMAN JOHOR JAYA", Evidence("normalised", 23, TEXT.index("JAYA") + 4)),
        (Decimal("60.30"), Evidence("exact", TEXT.index("60.30"), TEXT.index("60.30") + 5)),
        (
            Decimal("60.3"),
            Evidence("exact", TEXT.index("60.30"), TEXT.index("60.30") + 5),
        ),  # the amount as printed to the cent
        (Decimal("1060.30"), Evidence("normalised", TEXT.index("1,060.30"), len(TEXT))),
        (Decimal("60.32"), Evidence("missing")),
        (dt.date(2018, 10, 19), Evidence("normalised", TEXT.index("19/10"), TEXT.index("19/10") + 10)),
        (dt.date(2018, 10, 18), Evidence("missing")),
    ],
)
def test_values_are_located_exactly_normalised_or_not_at_all(value, expected):
    evidence = locate(value, TEXT)
    assert evidence == expected
    if evidence.start is not None and isinstance(value, str) and evidence.status == "exact":
        assert TEXT[evidence.start : evidence.end] == value


@pytest.mark.parametrize(
    ("code", "text", "printed"),
    [("EUR", "Total 12,00 €", "€"), ("CZK", "Celkem k úhradě 7 381,00 Kč", "Kč"), ("PLN", "Do zapłaty: 492,00 zł", "zł"),
     ("MYR", "TOTAL RM9.50", "RM"), ("SEK", "Att betala 51 000,00 kr", "kr"),
     ("INR", "Grand Total Rs 1939", "Rs"), ("MYR", "PERMAS JAYA\nTOTAL 9.50", None), ("SEK", "Kraków\nRazem 400,00", None)],
)  # fmt: skip
def test_a_currency_code_is_found_as_the_sign_the_document_prints(code, text, printed):
    """A sign of letters is a word of its own: the RM of PERMAS is no ringgit."""
    evidence = locate(code, text)
    assert (text[evidence.start : evidence.end] if evidence.start is not None else None) == printed


@pytest.mark.parametrize(
    ("code", "text", "nowhere"),
    [("EUR", "Rechnungsbetrag 608,33", True), ("EUR", "Rechnungsbetrag 608,33 €", False),
     ("EUR", "Total CHF 12.00", False), ("EUR", "Betrag 608,33 EUR", False), ("Acme", "Betrag 608,33", False)],
)  # fmt: skip
def test_a_currency_is_printed_nowhere_only_where_no_code_or_sign_is(code, text, nowhere):
    """Then the model inferred it; where another currency is printed, a re-ask can still find it."""
    assert currency_printed_nowhere(code, text) is nowhere


def test_an_optional_currency_printed_nowhere_is_still_reasked():
    """A receipt's currency may be null, and a re-ask may bring it (an invoice's is required: there
    it is flagged without a re-ask, test_tax_summary)."""
    text = TEXT.replace("RM ", "")
    answer = GOOD.replace('"RM"', '"MYR"') % "60.30"
    outcome, client = extract_scripted([answer] * 3, Document("d2", "/inbox/r.txt", "text", len(text), text))
    assert len(client.calls) == 3 and outcome.ungrounded == ["currency"]


DOC = Document("d1", "/inbox/r.txt", "text", len(TEXT), TEXT)
GOOD = '{"company": "INDAH GIFT & HOME DECO", "date": "19/10/2018", "address": "27, JALAN DEDAP 13, TAMAN JOHOR JAYA", "total": %s, "currency": "RM"}'


def run(script, **settings):
    return extract_scripted(script, DOC, **settings)


def test_an_invented_total_is_reasked_with_what_the_document_prints():
    outcome, client = run([GOOD % "60.32", GOOD % "60.30"])
    assert outcome.status == "valid" and outcome.record["total"] == Decimal("60.30") and outcome.ungrounded == []
    reask = client.calls[1][-1]["content"]
    assert "total: the amount given does not appear in the document" in reask and "60.30" in reask and "60.31" in reask
    assert "60.32" not in reask  # a small model shown its wrong amount gives it again
    assert outcome.calls[0].error_kind == "ungrounded"
    assert outcome.evidence["total"] == Evidence("exact", TEXT.index("60.30"), TEXT.index("60.30") + 5)


def test_a_date_not_printed_is_reasked_with_the_dates_printed_and_a_name_is_quoted():
    record = {"date": dt.date(2018, 10, 18), "company": "Indah Gift and Home Deco"}
    message = ungrounded_message(record, ["date", "company"], TEXT)
    assert "- date: the date given is not a date printed in the document. Dates printed in it: 19/10/2018" in message
    assert "2018-10-18" not in message and "18/10" not in message
    assert "- company: 'Indah Gift and Home Deco' does not appear in the document text" in message


def test_a_value_still_not_found_after_the_reasks_is_kept_and_flagged():
    outcome, _ = run([GOOD % "60.32"] * 3)
    assert outcome.status == "valid" and outcome.ungrounded == ["total"]
    assert outcome.evidence["total"].status == "missing"
    assert outcome.flag_reasons.startswith("- total: ")  # why, as the last re-ask said it
    (row,) = records_frame([outcome], ["total"]).itertuples()
    assert (row.ungrounded_fields, row.flag_reasons) == ("total", outcome.flag_reasons)
    report = build_report([], [], [outcome], "receipt", ["total"])
    assert [(f["fields"], f["reason"]) for f in report.flagged] == [(["total"], outcome.flag_reasons)]
    assert f"`{outcome.source_path}` (total): - total: " in to_markdown(report)


def test_a_field_configured_strict_is_quarantined_instead():
    outcome, _ = run([GOOD % "60.32"] * 3, quarantine_ungrounded=("total",))
    assert outcome.status == "quarantined" and outcome.error_kind == "ungrounded"
    assert "configured to quarantine: total (given: 60.32)" in outcome.reason
    assert "does not appear in the document" in outcome.reason


def test_grounding_can_be_turned_off():
    outcome, client = run([GOOD % "60.32"], grounding=False)
    assert outcome.status == "valid" and len(client.calls) == 1 and outcome.evidence == {}


def test_a_reasked_ungrounded_answer_is_not_counted_as_a_failed_call():
    outcome, _ = run([GOOD % "60.32", GOOD % "60.30"])
    summary = call_summary([outcome])
    assert (summary.failed_call_rate, summary.validation_error_rate, summary.reask_rate) == (
        0.0,
        0.0,
        1.0,
    )


def test_reasks_that_make_the_answer_worse_leave_the_best_answer_standing():
    one_wrong = GOOD % "60.32"  # the total is not printed; the rest is right
    two_wrong = one_wrong.replace("INDAH GIFT & HOME DECO", "ACME TRADING")
    all_wrong = two_wrong.replace("27, JALAN DEDAP 13, TAMAN JOHOR JAYA", "1 MAIN STREET")
    outcome, client = run([one_wrong, two_wrong, all_wrong])
    assert len(client.calls) == 3 and outcome.status == "valid"
    assert outcome.record["company"] == "INDAH GIFT & HOME DECO" and outcome.ungrounded == ["total"]


def test_a_reask_about_the_total_cannot_break_the_company():
    """A server that ignores the re-ask's schema sends every field; only the one asked about is taken."""
    total_wrong = GOOD % "60.32"
    company_wrong = (GOOD % "60.30").replace("INDAH GIFT & HOME DECO", "ACME TRADING")
    outcome, client = run([total_wrong, company_wrong])
    assert len(client.calls) == 2 and outcome.status == "valid" and outcome.ungrounded == []
    assert (outcome.record["company"], outcome.record["total"]) == ("INDAH GIFT & HOME DECO", Decimal("60.30"))


def test_a_reask_that_trades_one_wrong_value_for_another_leaves_the_first_answer_standing():
    outcome, client = run([GOOD % "60.32", GOOD % "60.33", GOOD % "60.33"])
    assert len(client.calls) == 3 and outcome.status == "valid"
    assert outcome.record["total"] == Decimal("60.32") and outcome.ungrounded == ["total"]


INVOICE = "Muster GmbH\nHandelsrechnung (380) Nr. 471102 vom 05.06.2018\nKonto 9314110911/00/M/00/N.\nJahr 2023 Lfd. 19\nUSt. EUR 0,00\nSumme EUR 10,00"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("380-471102", "471102"),  # the type code printed before the number, joined to it
        ("380/9314110911/00/M/00/N", "9314110911/00/M/00/N"),  # a kept run holds separators of its own
        ("471102", None),  # printed: nothing to cut
        ("X-471102", None),  # a piece the document does not print: not assembled from it
        ("2023-19", None),  # a year is no longer than 4 characters: never the piece kept
        ("Handelsrechnung-Muster", None),  # both printed, but a name is not an identifier: no digit
        ("R-2024-17", None),  # no piece printed
    ],
)
def test_an_identifier_joined_from_printed_pieces_is_cut_to_the_piece_printed_as_one_token(given, kept):
    assert printed_pieces({"invoice_number": given, "total": Decimal(10)}, INVOICE) == (
        {"invoice_number": kept} if kept else {}
    )


def test_a_cut_identifier_is_accepted_without_a_reask_and_the_model_s_value_is_kept():
    doc = Document("inv", "/inbox/inv.pdf", "pdf", len(INVOICE), INVOICE)
    answer = {"issuer": "Muster GmbH", "invoice_number": "380-471102", "date": "05.06.2018", "currency": "EUR",
              "net_total": 10.0, "tax_total": 0.0, "total": 10.0, "line_items": []}  # fmt: skip
    outcome, client = extract_scripted([json.dumps(answer)], doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and len(client.calls) == 1
    assert outcome.record["invoice_number"] == "471102" and outcome.model_values == {"invoice_number": "380-471102"}
    assert outcome.evidence["invoice_number"] == Evidence("exact", INVOICE.index("471102"), INVOICE.index("471102") + 6)
    # Without grounding the invoice pack cuts it all the same: its number is the one its title line
    # labels, the type code skipped (checks/numbers.py); the model's value is kept there too.
    grounding_off, client = extract_scripted([json.dumps(answer)], doc, doc_type=DOC_TYPES["invoice"], grounding=False)
    assert grounding_off.record["invoice_number"] == "471102" and len(client.calls) == 1
    assert grounding_off.model_values == {"invoice_number": "380-471102"}


def test_a_rate_is_no_amount():
    """A real French bill of the tuning part had its net and gross answered as the VAT rate, which
    added up (20.00 + 0.00 = 20.00) and was printed; the rate's figure grounds no value now."""
    bill = "Montant de la facture soumis à TVA 10,83 12,99\nTVA 20,00 % payée sur les débits 2,17"
    assert locate(Decimal("20.00"), bill).status == "missing"
    assert locate(Decimal("2.17"), bill).status == "normalised"
    message = ungrounded_message({"total": Decimal("20.00")}, ["total"], bill)
    assert "Amounts printed in it: 10,83, 12,99, 2,17." in message


def test_the_digits_of_a_reference_are_no_amount():
    """A Swiss QR bill of the tuning part had its total answered as 0, found in its reference."""
    slip = "Reference\n00 00000 00000 00000 02020 00058\nCurrency\nCHF 1.00\nCHANGE DUE 01.10"
    assert locate(Decimal("0"), slip).status == "missing"
    assert locate(Decimal("58"), slip).status == "missing"
    assert locate(Decimal("1.00"), slip).status == "exact"
    assert locate(Decimal("1.10"), slip).status == "normalised"  # a decimal mark: an amount
