"""Values that are in the document but cannot be the field asked for."""

from decimal import Decimal

import pytest

from extraction_pipeline.checks.plausibility import (
    change_read_without_its_label,
    in_whole_money,
    item_for_a_name,
    misplaced,
    names_beside_a_tax_number,
    not_a_name,
    not_a_subtotal,
    number_for_a_name,
    number_for_an_address,
    paid_not_tendered_or_change,
    payment,
    sign_as_printed,
    total_problem,
)
from extraction_pipeline.doctypes.packs import CheckedDocument
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.grounding import ground
from extraction_pipeline.extraction.parsing import ValidationFailure, parse_answer
from extraction_pipeline_tests.support.helpers import RECEIPT
from extraction_pipeline_tests.support.helpers import extract_scripted as run

Receipt = RECEIPT.model

TEXT = "PERNIAGAAN ZHENG HUI\nNO.59 JALAN PERMAS 9/5\n81760 JOHOR BAHRU\nTAX INVOICE\nGOGIANT ENGINEERING (M) SDN BHD\nTOTAL 9.00"


def test_a_name_printed_below_the_sellers_address_is_the_customer():
    record = {"company": "GOGIANT ENGINEERING (M) SDN BHD", "address": "NO.59 JALAN PERMAS 9/5 81760 JOHOR BAHRU"}
    problems = misplaced(record, CheckedDocument(TEXT, ground(record, TEXT)))
    assert list(problems) == ["company"] and "below the seller's address" in problems["company"]
    assert "GOGIANT" not in problems["company"]  # the re-ask does not repeat the wrong name: it gets copied
    seller = {**record, "company": "PERNIAGAAN ZHENG HUI"}
    assert misplaced(seller, CheckedDocument(TEXT, ground(seller, TEXT))) == {}


def test_a_registered_company_below_the_address_is_the_legal_entity_not_a_customer():
    text = "DOMINO'S PIZZA\nD-08, M AVENUE , JLN 1 / 38A\n51200 KUALA LUMPUR\nTOTAL 32.00\nDOMMAL FOOD SERVICES SDN BHD\nCO . NO . 419060-A"
    record = {"company": "DOMMAL FOOD SERVICES SDN BHD", "address": "D-08, M AVENUE , JLN 1 / 38A 51200 KUALA LUMPUR"}
    assert misplaced(record, CheckedDocument(text, ground(record, text))) == {}
    # A form feed (a page break in some text layers) breaks a line as `splitlines` does: the
    # registration number is still read on the line below the name.
    paged = text.replace("\nTOTAL 32.00\n", "\nTOTAL 32.00\x0c")
    assert misplaced(record, CheckedDocument(paged, ground(record, paged))) == {}


@pytest.mark.parametrize("name", ["SDN BHD", "Sdn. Bhd.", "(M) SDN BHD"])
def test_a_company_that_is_only_a_legal_form_is_invalid(name):
    answer = f'{{"company": "{name}", "date": "01/01/2018", "address": "X", "total": 1, "currency": null}}'
    with pytest.raises(ValidationFailure, match="only a legal form"):
        parse_answer(answer, Receipt)


# An AEON receipt: the GST summary prints a TOTAL of 70.75 (before tax) below the 75.00 paid.
AEON = """AEON CO. (M) BHD (126926-H)
3RD FLR, AEON TAMAN MALURI SC
JLN JEJAKA, TAMAN MALURI
CHERAS, 55100 KUALA LUMPUR
GST ID : 002017394688
SUB-TOTAL\t75.00
TOTAL SALES INCL GST\t75.00
TOTAL AFTER ADJ INCL GST\t75.00
CASH\t100.00
ITEM COUNT 1\tCHANGE AMT\t25.00
GST SUMMARY\tAMOUNT\tTAX
SR @ 6%\t70.75\t4.25
TOTAL\t70.75\t4.25
06/03/2018 20:01"""


def test_a_total_that_disagrees_with_cash_minus_change_is_a_problem():
    problem = total_problem({"total": Decimal("70.75")}, CheckedDocument(AEON, {}))
    assert "100.00 tendered minus 25.00 change is 75.00" in problem["total"]
    assert total_problem({"total": Decimal("75.00")}, CheckedDocument(AEON, {})) == {}
    # The customer paid 75.00: a total before rounding (74.98) is not the amount paid.
    assert "is 75.00" in total_problem({"total": Decimal("74.98")}, CheckedDocument(AEON, {}))["total"]


def test_a_total_above_an_exact_cash_payment_is_a_problem():
    exact = "44 TYPE: 10 TOTAL 277.90\nDISCOUNT: 0.90\nROUNDING ADJ 0.00\nTOTAL INCLUSIVE GST: 277.00\nCASH 277.00"
    assert (
        "more than the 277.00 paid" in total_problem({"total": Decimal("277.90")}, CheckedDocument(exact, {}))["total"]
    )
    assert total_problem({"total": Decimal("277.00")}, CheckedDocument(exact, {})) == {}
    # CASH 0.00 (no cash part of a card payment) is not a payment of the total: nothing to compare.
    assert total_problem({"total": Decimal("8.20")}, CheckedDocument("TOTAL 8.20\nCASH 0.00\nVISA 8.20", {})) == {}


def test_a_total_printed_only_as_a_subtotal_is_a_problem():
    discounted = "SUBTOTAL 79.60\nDISCOUNT -22.00\nROUNDING ADJ : -0.03\nTOTAL AMOUNT: 57.80\nVISA 57.80"
    assert "only as a subtotal" in total_problem({"total": Decimal("79.60")}, CheckedDocument(discounted, {}))["total"]
    assert total_problem({"total": Decimal("57.80")}, CheckedDocument(discounted, {})) == {}
    no_discount = "SUBTOTAL 12.00\nTOTAL 12.00\nVISA 12.00"
    assert total_problem({"total": Decimal("12.00")}, CheckedDocument(no_discount, {})) == {}


def test_a_total_before_rounding_is_a_problem_when_the_rounded_one_follows():
    text = "SUBTOTAL 87.80\nTOTAL: 102.39\nROUNDING 0.01\nTOTAL 102.40\nVISA 102.40"
    assert (
        "the receipt prints 102.40 after it"
        in total_problem({"total": Decimal("102.39")}, CheckedDocument(text, {}))["total"]
    )
    assert total_problem({"total": Decimal("102.40")}, CheckedDocument(text, {})) == {}


def test_a_total_before_a_rounding_adjustment_is_a_problem_when_the_adjusted_amount_follows():
    # The scanned sample receipt: OCR read the rounded total's label RM as RH, and lost CHANGE.
    text = "TOTAL AMT.... ...RM 60.31\nROUNDING ADJ.. -0.01\nRH 60.30\nCASH..... 70.30\n10.00"
    problem = total_problem({"total": Decimal("60.31")}, CheckedDocument(text, {}))["total"]
    assert "the receipt prints 60.30 after it" in problem
    assert total_problem({"total": Decimal("60.30")}, CheckedDocument(text, {})) == {}
    unrounded = "TOTAL 60.31\nROUNDING ADJ 0.00\nRM 60.31"  # an adjustment of nothing moves nothing
    assert total_problem({"total": Decimal("60.31")}, CheckedDocument(unrounded, {})) == {}


def test_the_cash_tendered_is_no_total_where_the_change_was_read_without_its_label():
    """The scanned sample receipt again: with the llama.cpp build of 2026-12-06 the model answered the
    cash tendered, 70.30; the check says so, and the completion takes the unlabelled change off it."""
    text = "TOTAL AMT.... ...RM 60.31\nROUNDING ADJ.. -0.01\nRH 60.30\nCASH..... 70.30\n10.00"
    problem = total_problem({"total": Decimal("70.30")}, CheckedDocument(text, {}))["total"]
    assert "70.30 is the amount tendered, more than the 60.31" in problem
    assert change_read_without_its_label({"total": 70.30}, text) == {"total": Decimal("60.30")}
    assert change_read_without_its_label({"total": 60.30}, text) == {}
    assert change_read_without_its_label({"total": 70.30}, text.replace("RH 60.30", "RH 61.30")) == {}  # not printed
    # A GST summary's line adds up to a payment made exactly: no problem.
    summary = "TOTAL 105.57 6.33\nCASH 111.90"
    assert total_problem({"total": Decimal("111.90")}, CheckedDocument(summary, {})) == {}


def test_without_a_payment_the_total_is_at_least_the_largest_total_line():
    card = "SUBTOTAL 56.60\nGST 6% 3.40\nTOTAL 60.00\nVISA 60.00\nGST SUMMARY TOTAL 56.60"
    assert "less than 60.00" in total_problem({"total": Decimal("56.60")}, CheckedDocument(card, {}))["total"]
    assert total_problem({"total": Decimal("60.00")}, CheckedDocument(card, {})) == {}
    assert total_problem({"total": Decimal("1.00")}, CheckedDocument("THANK YOU", {})) == {}  # nothing to compare with


def test_an_inconsistent_total_is_reasked_and_flagged_when_it_stays():
    doc = Document("a1", "/inbox/aeon.txt", "text", len(AEON), AEON)
    answer = (
        '{"company": "AEON CO. (M) BHD", "date": "06/03/2018", "total": %s, "currency": null, '
        '"address": "3RD FLR, AEON TAMAN MALURI SC JLN JEJAKA, TAMAN MALURI CHERAS, 55100 KUALA LUMPUR"}'
    )
    outcome, client = run([answer % "70.75", answer % "75.00"], doc)
    assert outcome.status == "valid" and outcome.record["total"] == Decimal("75.00") and outcome.ungrounded == []
    assert "tendered minus 25.00 change is 75.00" in client.calls[1][-1]["content"]
    outcome, _ = run([answer % "70.75"] * 3, doc)
    assert outcome.status == "valid" and outcome.ungrounded == ["total"]
    assert "tendered minus 25.00 change is 75.00" in outcome.flag_reasons
    assert run([answer % "75.00"], doc)[0].flag_reasons == ""


NEGATIVE_CASH = "TOTAL RM INCL. OF GST\t9.65\nCASH\t-50.00\nCHANGE\t40.35\nT @ 6%\t9.10\t0.55"


def test_cash_printed_as_a_debit_is_still_the_amount_tendered():
    assert payment(NEGATIVE_CASH) == (Decimal("50.00"), Decimal("40.35"))
    assert (
        "50.00 tendered minus 40.35 change is 9.65"
        in total_problem({"total": Decimal("9.10")}, CheckedDocument(NEGATIVE_CASH, {}))["total"]
    )
    assert total_problem({"total": Decimal("9.65")}, CheckedDocument(NEGATIVE_CASH, {})) == {}
    thousands = "TOTAL RM\t7,838.80\nCASH (MYR)\t-7,840.00\nCHANGE\t1.20"
    assert payment(thousands) == (Decimal("7840.00"), Decimal("1.20"))
    assert total_problem({"total": Decimal("7838.80")}, CheckedDocument(thousands, {})) == {}


def test_a_negative_total_is_reasked_with_what_the_payment_says_was_paid():
    text = "POPULAR BOOK CO. (M) SDN BHD\nNO 8, JALAN 7/118B\n29/03/18\n" + NEGATIVE_CASH
    doc = Document("n1", "/inbox/popular.txt", "text", len(text), text)
    answer = '{"company": "POPULAR BOOK CO. (M) SDN BHD", "date": "29/03/18", "address": "NO 8, JALAN 7/118B", "total": %s, "currency": "RM"}'
    outcome, client = run([answer % "-50.00", answer % "9.65"], doc)
    assert outcome.status == "valid" and outcome.record["total"] == Decimal("9.65")
    reask = client.calls[1][-1]["content"]
    assert "greater than or equal to 0" in reask and "50.00 tendered and 40.35 change, so 9.65 was paid" in reask


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("PAKET SUPER MANTAP 2A RAACHA 59.091\n59.091 1\nTotal 59.091", "PAKET SUPER MANTAP 2A RAACHA"),
        ("1009-Roti Kelapa\n8.000,00 x2 16.000,00\nTotal. 16.000,00", "1009-Roti Kelapa"),
    ],
)
def test_an_item_with_its_price_taken_for_the_name_is_a_problem(text, name):
    record = {"company": name}
    problem = item_for_a_name(record, CheckedDocument(text, ground(record, text)))["company"]
    assert "is an item bought" in problem and name not in problem


def test_a_registration_or_phone_line_given_as_the_address_is_a_problem():
    """The demo's receipt X51008142034 once had `GST REG NO. : 000936312832` accepted as its address."""
    empty = CheckedDocument("", {})
    assert list(number_for_an_address({"address": "GST REG NO. : 000936312832"}, empty)) == ["address"]
    assert list(number_for_an_address({"address": "NO 5, JALAN 3, 81100 JOHOR TEL: 07-3552288"}, empty)) == ["address"]
    assert number_for_an_address({"address": "LOT PTD 101051 JALAN PERMAS 10/10 81750 MASAI, JOHOR"}, empty) == {}
    assert number_for_an_address({"address": None, "company": "X 0001234567"}, empty) == {}


def test_a_seller_with_numbers_in_its_name_or_below_it_is_not_an_item():
    text = "7-ELEVEN MALAYSIA SDN BHD\n(123456-A)\nNO. 5, JALAN 3/4\nTOTAL 9.50"
    record = {"company": "7-ELEVEN MALAYSIA SDN BHD"}
    assert item_for_a_name(record, CheckedDocument(text, ground(record, text))) == {}


def test_a_tax_number_line_taken_for_the_name_is_a_problem():
    problem = number_for_a_name(
        {"company": "BRN GST NO . 000417619968", "total": Decimal("71.00")}, CheckedDocument("", {})
    )
    assert list(problem) == ["company"] and "not a name" in problem["company"]
    assert "000417619968" not in problem["company"]
    assert number_for_a_name({"company": "99 SPEED MART S/B"}, CheckedDocument("", {})) == {}
    assert number_for_a_name({"issuer": "TEL 03-77282288 0123456789"}, CheckedDocument("", {})).keys() == {"issuer"}


def test_a_label_taken_for_the_name_is_a_problem():
    """A real Spanish invoice of the tuning part (OCA/edi's tests): the terms' label for the issuer."""
    text = "FACTURA\nINV/2024/00005\nTECNATIVA\nB87530432\nTérminos de pago: vencimiento en 15 días\nTOTAL 1721.00"
    record = {"issuer": "Términos de pago"}
    problem = not_a_name(record, CheckedDocument(text, ground(record, text)))
    assert list(problem) == ["issuer"] and "a label printed before a colon" in problem["issuer"]
    assert "Términos" not in problem["issuer"]
    assert problem["issuer"].endswith("Printed beside a tax number: TECNATIVA.")
    named = {"issuer": "TECNATIVA"}
    assert not_a_name(named, CheckedDocument(text, ground(named, text))) == {}


def test_a_web_address_taken_for_the_name_is_a_problem():
    """Amazon's German invoice (tuning part) prints `amazon.de` at its top and its company in the footer."""
    text = (
        "Rechnung für EUVINS1-OFS-DE-120725895\namazon.de\nAmazon EU S.a.r.L, 5 Rue Plaetis, L-2338, Luxembourg\n"
        "USt-ID : ATU62353134"
    )
    for address in ("amazon.de", "www.amazon.de", "rechnung@amazon.de"):
        problem = not_a_name({"issuer": address}, CheckedDocument(text, {}))
        assert "a web or e-mail address" in problem["issuer"]
        assert problem["issuer"].endswith("Printed beside a tax number: Amazon EU S.a.r.L.")
    for name in ("Amazon EU S.a.r.L", "bol.com b.v.", "Acme Co.", "Hanwa Co.Ltd"):
        assert not_a_name({"issuer": name}, CheckedDocument(text, {})) == {}


def test_register_details_taken_for_the_name_are_a_problem():
    """A Factur-X sample of the tuning part (Mustang's tests): the footer's register line for the
    seller; the name heads the block of address and numbers above the seller's tax number."""
    text = (
        "SELLER TRADE NAME Adresse du Client\nLE FOURNISSEUR\n35 rue d'ici, Seller line 2\n75018 PARIS, FR\n"
        "EMAIL : moi@seller.com\nGLN : 587451236587\nSIREN / SIRET : 123 456 789 00014\nN° TVA : FR 32 123 456 789\n"
        "Ma société. Société anonyme au capital de xx.xxx EUROS - R.C.S. MAVILLE 123 456 789 - NAF ZZZZZ"
    )
    record = {"issuer": "Société anonyme au capital de xx.xxx EUROS - R.C.S. MAVILLE 123 456 789 - NAF ZZZZZ"}
    problem = not_a_name(record, CheckedDocument(text, ground(record, text)))
    assert "register details" in problem["issuer"] and problem["issuer"].endswith("tax number: LE FOURNISSEUR.")
    assert not_a_name({"issuer": "LE FOURNISSEUR"}, CheckedDocument(text, {})) == {}


def test_names_beside_a_tax_number():
    """The names offered when the model's name was a label: before a tax number, on its line or the
    one above, without a party's label; not a column headed `TVA`, an address or a register detail."""
    assert names_beside_a_tax_number("Sold by: Kestrel Outdoor Gear Ltd, 4 Mill Lane\nVAT No. GB 123 4567 89") == [
        "Kestrel Outdoor Gear Ltd"
    ]
    assert names_beside_a_tax_number("Acme Retail Ltd   VAT reg GB987654321\nSupplier\nB87530432") == [
        "Acme Retail Ltd"
    ]
    assert names_beside_a_tax_number("Kestrel Outdoor Gear Ltd VAT No. GB 123 4567 89") == ["Kestrel Outdoor Gear Ltd"]
    for text in (
        "Our VAT: GB 123 4567 89",  # a word of the label, not a name
        "Your VAT ID DE123456789",
        "Désignation\tQté\tPrix\tTVA\n",  # a column heading
        "Via Dante 22\nP.IVA 01234567890",  # an address above the number
        "Sarl au capital de 10 000€\nTVA FR12345678901",  # a register detail
        "www.example.com\nUSt-IdNr. DE123456789",
    ):
        assert names_beside_a_tax_number(text) == [], text


def test_payment_and_change_are_read_as_printed():
    # PAY as the label of an amount, and sen printed without the ringgit.
    assert payment("DUE\t7.50\nPAY\t20.00\nCHANGE\t12.50") == (Decimal("20.00"), Decimal("12.50"))
    assert payment("GRAND TOTAL\t:\t3.90\nPAYMENT\t:\t5.00\nCHANGE DUE\t:\t01.10") == (Decimal("5.00"), Decimal("1.10"))
    assert payment("CASH RM\t21.00\nCHANGE RM\t.20") == (Decimal("21.00"), Decimal("0.20"))
    # An item called PAY PARKING TICKET is no payment.
    assert payment("010100 PAY PARKING TICKET\t5.00 RM\nCHANGE\t5.00 RM")[0] is None
    assert (
        "12.50 change is 7.50"
        in total_problem({"total": Decimal("12.50")}, CheckedDocument("DUE\t7.50\nPAY\t20.00\nCHANGE\t12.50", {}))[
            "total"
        ]
    )


def test_a_total_given_as_the_cash_or_the_change_is_what_was_paid_in_whole_money_too():
    """Indonesian till slips of cord-receipts (tuning) print rupiah grouped in thousands with no
    cents, in English or Indonesian (`TUNAI`, `KEMBALI`); the model answered the cash or the change."""
    slip = "2 SAM DA SOO MINERAL WATER 32,000\nTOTAL 32,000\nCASH 42,000\nCHANGE 10,000"
    assert payment(slip, whole=True) == (Decimal("42000"), Decimal("10000"))
    assert payment(slip) == (None, None)  # the re-asking total check reads amounts with cents only
    assert paid_not_tendered_or_change({"total": 42000}, slip) == {"total": Decimal("32000")}
    assert paid_not_tendered_or_change({"total": 10000}, slip) == {"total": Decimal("32000")}
    assert paid_not_tendered_or_change({"total": 32000}, slip) == {}
    assert paid_not_tendered_or_change({"total": 35000}, slip) == {}  # neither: not this rule's to mend
    dotted = "1001-Choco Bun\n22.000 x1 22.000\nTotal. 22.000\nTUNAI\n50.000\nKEMBALI: 28.000"
    assert paid_not_tendered_or_change({"total": 28000}, dotted) == {"total": Decimal("22000")}
    # The difference must be printed on a total line: here it is printed nowhere.
    unprinted = "TOTAL 30,000\nCASH 50,000\nCHANGE 10,000"
    assert paid_not_tendered_or_change({"total": 50000}, unprinted) == {}
    # And with cents, as the re-asking check does.
    assert paid_not_tendered_or_change({"total": 100.00}, AEON) == {"total": Decimal("75.00")}
    unlabelled = "TRIPPLE CHEESE\n1 17,000 17,000\nSUB TOTAL 17,000\nCASH 18,000\n1,000\nCHANGE DUE"
    assert change_read_without_its_label({"total": 18000}, unlabelled) == {"total": Decimal("17000")}
    # With cents on the receipt, a grouped whole number is a count or a code, not a payment.
    assert payment("TOTAL 12.50\nCASH 1,000 PTS\nCHANGE 0.00", whole=in_whole_money("TOTAL 12.50"))[0] is None


def test_a_total_line_that_says_tax_included_is_a_total_line():
    card = "TOTAL INCL.OF GST\t60.00\nUOB TERMINAL\tRM\t60.00\nS6 = 6.00 % OF\t60.00\t3.40\nRM 20 DISCOUNT ONLINE NOW !"
    assert "less than 60.00" in total_problem({"total": Decimal("20.00")}, CheckedDocument(card, {}))["total"]
    # The tax included is not the total: 0.42 here is no total line's amount.
    assert (
        total_problem({"total": Decimal("7.50")}, CheckedDocument("DUE\t7.50\n(TOTAL INCLUDED GST @ 6% : 0.42)", {}))
        == {}
    )


def test_a_gst_summary_at_the_foot_is_not_the_rounded_total():
    text = "TOTAL SALES (EXCLUDING GST) :\t616.59\nROUNDING :\t0.01\nTOTAL SALES (INCLUSIVE OF GST) :\t616.60\nVISA :\t616.60\nCHANGE :\t0.00\nGST SUMMARY\nZRL\t0\t616.59\t0.00\nTHANK YOU\nTOTAL :\t616.59\t0.00"
    assert total_problem({"total": Decimal("616.60")}, CheckedDocument(text, {})) == {}


def test_a_subtotal_with_tax_added_below_it_is_not_the_total():
    # The OCR cut TOTAL and CASH to TO and CA, so no total line names the 73.00.
    cut = "SUB TOTAL\t:\tRM\t68.87\nSERVICE CHARGE\t:\tRM\t0.00\nGST/TAX 6%\t:\tRM\t4.13\nTO\t:\tRM\t73.00\nCA\t:\tRM\t73.00\nSR @ 6%\t68.87\t4.13"
    assert "only as a subtotal" in total_problem({"total": Decimal("68.87")}, CheckedDocument(cut, {}))["total"]
    assert total_problem({"total": Decimal("73.00")}, CheckedDocument(cut, {})) == {}
    # Tax included in the prices is not added: the subtotal is what was paid.
    included = "SUBTOTAL\t28.70\nRM CASH\t100.000\nCHANGE\t71.30\nINC 6% GST\t1.62"
    assert total_problem({"total": Decimal("28.70")}, CheckedDocument(included, {})) == {}


def test_a_negative_total_needs_a_sign_printed_or_a_credit_note():
    """Ezecom's bill (tuning) prints its VAT as `$ 0.91`; the model answered -0.91."""
    check = sign_as_printed("tax_total", "total")
    bill = "Sub Total $ 9.09\nVAT (10%) $ 0.91\nGrand Total (USD) $ 10.00\nPayments made $ -10.00"
    problem = check({"tax_total": Decimal("-0.91"), "total": Decimal("-10.00")}, CheckedDocument(bill, {}))
    assert list(problem) == ["tax_total"]  # -10.00 is printed with its sign
    assert check({"tax_total": Decimal("0.91")}, CheckedDocument(bill, {})) == {}
    for signed in ("Total (12,00)", "Gutschrift\nTotal 12,00", "Total 12,00-"):
        assert check({"total": Decimal("-12.00")}, CheckedDocument(signed, {})) == {}, signed


def test_a_subtotal_carried_over_a_page_is_not_the_total():
    """A LaTeX invoice of the tuning part: the sum carried to page 2, then the total."""
    check = not_a_subtotal("total")
    text = "Zwischensumme 3 650,00 e\nÜbertrag\n3 650,00 e\nVerladung 100,00 e\nGesamtbetrag 4 335,00 e"
    problem = check({"total": Decimal("3650.00")}, CheckedDocument(text, {}))
    assert "'Gesamtbetrag 4 335,00 e'" in problem["total"]
    assert check({"total": Decimal("4335.00")}, CheckedDocument(text, {})) == {}
    # A subtotal that is also the total (no discount, no tax) is printed beside a total's label too.
    same = "Subtotal 120.00\nTotal due 120.00"
    assert check({"total": Decimal("120.00")}, CheckedDocument(same, {})) == {}
    # An item row's amount (a physiotherapist's invoice written for tuning), and a one-row invoice.
    rows = "Krankengymnastik (KG)   6   28,50   171,00\nWärmetherapie (Fango)   6   12,00   72,00\nGesamtbetrag   243,00 EUR"
    assert "'Gesamtbetrag   243,00 EUR'" in check({"total": Decimal("171.00")}, CheckedDocument(rows, {}))["total"]
    one_row = "Krankengymnastik (KG)   6   28,50   171,00\nGesamtbetrag   171,00 EUR"
    assert check({"total": Decimal("171.00")}, CheckedDocument(one_row, {})) == {}
    # A credit note's totals row (ferd10-COMFORT_Rechnungskorrektur, tuning) is no item row, and a
    # gross unit price is no total.
    credit = " Bruttopreis: 1,5000 € Artikelgesamtrabatt: -0,10 €\n -7,90 0,23 -7,67 -1,12 EUR -8,79"
    assert check({"total": Decimal("-8.79")}, CheckedDocument(credit, {})) == {}
