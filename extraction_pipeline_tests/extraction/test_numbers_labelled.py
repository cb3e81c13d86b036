"""The document's own number among the numbers an invoice prints (checks/numbers.py)."""

from extraction_pipeline.checks.numbers import number_without_its_label, own_numbers, the_documents_own_number
from extraction_pipeline.doctypes.packs import CheckedDocument

# The title line of the ZUGFeRD 2.2 renderings (as on the car-hire invoice of the extra tuning set,
# where the model answered the type code 387).
HIRE = """Beispiel-Rechnungen für ZUGFeRD 2.2, (c) FeRD 2022
Mietrechnung (387) Nr. 9314110911/00/M/00/N vom 01.10.2018
Bestellung: B123456789
Käufer/Leistungsempfänger
Nummer: 9314110911"""

check = the_documents_own_number("invoice_number")


def _problem(number: str, text: str = HIRE) -> str | None:
    return check({"invoice_number": number}, CheckedDocument(text, {})).get("invoice_number")


def test_a_number_that_is_not_the_one_labelled_is_a_problem_that_quotes_its_line():
    quoted = "'Mietrechnung (387) Nr. 9314110911/00/M/00/N vom 01.10.2018'"
    for wrong in ("387", "387-9314110911/00/M/00/N", "B123456789", "9314110911"):
        problem = _problem(wrong)
        assert problem is not None and quoted in problem
        assert wrong not in problem.replace(quoted, "")  # the wrong value is not quoted on its own
    assert _problem("9314110911/00/M/00/N") is None
    assert _problem("9314110911 00 M 00 N") is None  # compared by letters and digits


def test_without_one_labelled_number_there_is_no_opinion():
    assert _problem("4711", "Rechnung\nDatum 05.03.2024\nKunden-Nr. 009420") is None
    assert _problem("4711", "Rechnung Nr. 4711\nInvoice No. 4712") is None  # two: which is not known
    # A number the document refers to is not its own (a correction, a credit note).
    assert _problem("G-17", "Gutschrift G-17\nKorrektur zur Rechnung Nr. 4711 vom 01.03.2024") is None
    assert _problem("CN-3", "Credit note CN-3\nCredit for invoice no. 12") is None


def test_labels_in_several_languages_and_spellings():
    numbers = {
        number
        for number, _ in own_numbers(
            "Rechnungs-Nr.: 2024/17\nInvoice # RE-20190610/507 issued at 2019-06-10\nNuméro de facture : F-12\n"
            "Beleg-Nr : R87654321012345\nInvoice Number: INV-77"
        )
    }
    assert numbers == {"2024/17", "RE-20190610/507", "F-12", "R87654321012345", "INV-77"}


def test_a_title_first_on_its_line_labels_the_number_after_it():
    """Business Central's `Invoice 103767` (a Mustang test invoice of the tuning part: the model
    answered `Invoice 103767`); a page count after the title is no number."""
    assert own_numbers("Invoice 103767\nFebruary 17, 2026") == [("103767", "Invoice 103767")]
    assert own_numbers("FACTURE F-2024-12 du 3 mars") == [("F-2024-12", "FACTURE F-2024-12 du 3 mars")]
    assert own_numbers("Rechnung 1 von 2\nInvoice Date 12.03.2024\nTotal Invoice 12.00") == []
    assert _problem("Invoice 103767", "Invoice 103767\nSubtotal 573.00") is not None


def test_spanish_italian_and_polish_titles():
    numbers = {
        number
        for number, _ in own_numbers("Factura Nº 4000-12345678\nFattura n. 12/2024 del 3 marzo\nFaktura nr 7/2024")
    }
    assert numbers == {"4000-12345678", "12/2024", "7/2024"}
    assert own_numbers("Período Facturado 27/03/2011 27/03/2011") == []


def test_czech_titles_and_labels():
    """A Czech supplier invoice of the tuning part: the model answered the delivery note's number."""
    text = "Faktura - daňový doklad č.FV5040011231\nDodací list: DL2504017914\nČíslo faktury: 7"
    assert [number for number, _ in own_numbers(text)] == ["FV5040011231", "7"]
    assert own_numbers("Bankovní spojení: 86-4765880247/0100\nč.ú. 123") == []


def test_a_bare_label_counts_beside_the_title_alone_on_its_line():
    """pyafipws's AFIP invoice (tuning) prints its title box as lines of their own."""
    afip = "CUIT xx-xxxxxxxx-x\nNº: 4000-12345678\nFactura\nDocNro 30000000007"
    assert own_numbers(afip) == [("4000-12345678", "Nº: 4000-12345678")]
    assert _problem("30000000007", afip) is not None
    assert own_numbers("Nº: 4000-12345678\nFactura de Prueba") == []  # no title alone
    assert own_numbers("No. Description\nInvoice") == []
    # The same labels as beside the title: a word, an abbreviation, another language.
    for label in ("Number:", "N.", "Numéro", "Číslo"):
        assert own_numbers(f"Invoice\n{label} 2024-117") == [("2024-117", f"{label} 2024-117")]


def test_the_label_before_the_word_invoice():
    """An Indonesian school's invoice (tuning) prints `No. Invoice INV/2024/05/001`; the model
    answered with the word `Invoice` in the number."""
    line = "INVOICE PEMBAYARAN No. Invoice INV/2024/05/001"
    assert own_numbers(line) == [("INV/2024/05/001", line)]
    assert _problem("Invoice INV/2024/05/001", line) is not None


def test_label_words_copied_with_the_number_are_dropped():
    complete = number_without_its_label("invoice_number")
    line = "INVOICE PEMBAYARAN No. Invoice INV/2024/05/001"
    assert complete({"invoice_number": "Invoice INV/2024/05/001"}, line) == {"invoice_number": "INV/2024/05/001"}
    assert complete({"invoice_number": "INV/2024/05/001"}, line) == {}
    # Only where what is left is the number the document labels as its own.
    assert complete({"invoice_number": "Invoice 4711"}, line) == {}
    assert complete({"invoice_number": "Invoice 4711"}, "Invoice\nTotal 12.00") == {}


def test_a_letter_spaced_title_line_copied_whole_gives_its_number():
    """A US template (tuning) titled `LARC I N V O I C E #1`: the model answered the whole line."""
    complete = number_without_its_label("invoice_number")
    text = "LARC I N V O I C E #1\nMay 7, 2020\nTotal $550.00"
    assert own_numbers(text) == [("1", "LARC INVOICE #1")]
    assert complete({"invoice_number": "LARC I N V O I C E #1"}, text) == {"invoice_number": "1"}
    assert complete({"invoice_number": "LARC 7"}, text) == {}  # not a stretch of the line ending with it


def test_a_number_may_hold_commas():
    """A German Word template of the tuning part numbers its invoices `00,00,0001`."""
    assert own_numbers("Rechnungsnummer:\xa000,00,0001") == [("00,00,0001", "Rechnungsnummer:\xa000,00,0001")]
    assert own_numbers("Rechnung Nr. 4711, vom 3.5.2024") == [("4711", "Rechnung Nr. 4711, vom 3.5.2024")]


def test_words_of_kind_before_a_type_code():
    """The ZUGFeRD 2.4 samples (tuning) title construction invoices `Teilrechnung Bau (875) Nr.`; with
    no number found, the model answered the rendering's input file name `..._wdis.xml`."""
    line = "Teilrechnung Bau (875) Nr. 210111 vom 30.05.2025"
    assert own_numbers(f"XML-Eingabedatei: Bau_wdis.xml\n{line}") == [("210111", line)]
    assert _problem("Bau_wdis.xml", line) is not None
    # Words after the title without a type code are no kind: a customer's number is not the invoice's.
    assert own_numbers("Rechnung an Kunde Nr. 55") == []


def test_a_type_code_joined_to_the_number_is_dropped():
    """`Handelsrechnung (380) Nr. 123` was answered `380-123` three times (ZUGFeRD 2.4, tuning)."""
    complete = number_without_its_label("invoice_number")
    line = "Handelsrechnung (380) Nr. 123 vom 03.06.2025"
    assert complete({"invoice_number": "380-123"}, line) == {"invoice_number": "123"}
    assert complete({"invoice_number": "Nr. 123"}, line) == {"invoice_number": "123"}
    spanish = "Factura (380) Número 123"  # every label of the title's pattern is skipped
    assert complete({"invoice_number": "380-123"}, spanish) == {"invoice_number": "123"}
    assert complete({"invoice_number": "0380-123"}, line) == {}  # 0380 is printed nowhere
    assert complete({"invoice_number": "123"}, line) == {}
