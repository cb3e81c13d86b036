"""Which of the numbers a document prints is its own. An invoice's title line labels its number
(`Rechnung Nr. 471102 vom`, `Invoice # RE-20190610/507`, `Facture N° F-12`, `Invoice 103767`), and beside it a small
model finds other numbers to take: the document-type code the ZUGFeRD renderings print before
`Nr.` (`Mietrechnung (387) Nr. 9314110911/00/M/00/N`: the model answered 387, or joined the two as
`387-9314110911`), an order or customer number. Where the document labels exactly one number as its
own and the answer is not it, the answer is re-asked with that line quoted (not the wrong value,
which a small model copies back from the problem).

Numbers are compared by their letters and digits (`RE-2019/507` and `RE 2019 507` are one number).
"""

from __future__ import annotations

import re
from typing import Any

from extraction_pipeline.doctypes.packs import Check, CheckedDocument, Completer
from extraction_pipeline.extraction.values import letters_and_digits, spaced_letters_joined

# What an invoice calls itself in its title, in the languages of our invoices.
INVOICE_TITLES = "RECHNUNG|INVOICE|FACTURE|FACTUUR|FACTURA|FATTURA|FATURA|FAKTURA"
# What labels a number (`Nr.`, `N°`, `Number`, `Numéro`, Czech `č.`/`číslo`), in one place for the
# three patterns below that look for one.
_LABELS = r"NR|NO|N°|Nº|N\.|NUMMER|NUMBER|NUMÉRO|NÚMERO|NUMERO|Č\.|ČÍSLO"
# The document's own number: its kind (Rechnung, Mietrechnung, Invoice, Beleg, Gutschrift, ...),
# perhaps a type code in brackets (after up to two words of kind: `Teilrechnung Bau (875) Nr.`) or
# the Czech `daňový doklad` (tax document), and a number label (`Rechnungs-Nr.`, `Invoice #`, Czech
# `č.`), or the label first (`Numéro de facture`, Indonesian `No. Invoice`, Czech `Číslo faktury`);
# then the number (letters, digits, - / . ,).
_OWN_NUMBER = re.compile(
    rf"(?:(?:{INVOICE_TITLES}|BELEG|GUTSCHRIFT|AVOIR|CREDIT\s*NOTE)"
    r"[^\W\d_]*(?:(?:[ \t]+[^\W\d_]+){1,2}[ \t]*\(\w+\)\s*|[\s\-]*(?:\(\w+\)\s*)?)(?:DAŇOVÝ\s+DOKLAD\s*)?"
    rf"(?:{_LABELS}|#)"
    r"|(?:N°|NUMÉRO|NUMERO)\s*(?:DE\s+)?(?:LA\s+)?FACTURE|\bNO\.?\s*(?:INVOICE|FAKTUR)\b|(?:ČÍSLO|NUMER)\s+FAKTURY"
    # The title first on its line, the number right after it (`Invoice 103767`, `Invoice SAJ/2017/002`;
    # not the page count of `Rechnung 1 von 2`).
    r"|^\s*(?:RECHNUNG|INVOICE|FACTURE|FACTUUR)(?=[ \t]+(?=[\w/#-]*\d)[\w/#-]{3,}(?:[ \t]|$)))"
    r"\.?\s*:?\s*(?P<number>[^\W_][\w\-/.,]*\w|\w)",
    re.IGNORECASE,
)
# Another document's number: `Korrektur zur Rechnung Nr. 4711`, `Credit note for invoice no. 12`.
_REFERENCE_BEFORE = re.compile(
    r"(?<![^\W\d_])(ZU|ZUR|ZUM|BEZUG|BETRIFFT|REF|REFERENCE|RÉFÉRENCE|SUR|DE\s+LA|FOR|TO|ORIGINAL|URSPRÜNGLICHE?N?)"
    r"\W*$",
    re.IGNORECASE,
)


def the_documents_own_number(field: str) -> Check:
    """`field` (the document's number) is the one number the document labels as its own, where it
    labels one."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            return {}
        labelled = own_numbers(doc.text)
        if len({letters_and_digits(number) for number, _ in labelled}) != 1:
            return {}
        number, line = labelled[0]
        if letters_and_digits(value) == letters_and_digits(number):
            return {}
        return {
            field: f"- {field}: the number given is not the one the document prints as its own number. It is "
            f"printed on the line {line.strip()!r}, after the number label. Give that number exactly as printed."
        }

    return check


def number_without_its_label(field: str) -> Completer:
    """`field` (the document's number) without the words before it that the model copied with it,
    where the answer is a stretch of the line of the one number the document labels as its own,
    ending with that number, perhaps skipping the number label: an Indonesian invoice of the tuning
    part prints `No. Invoice INV/2024/05/001`, and the model kept answering `Invoice
    INV/2024/05/001` when re-asked; a US template's whole title line `LARC I N V O I C E #1` was
    answered for `1`; a type code was joined to the number (`380-123` from `Handelsrechnung (380)
    Nr. 123`, ZUGFeRD 2.4 samples)."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        given = answer.get(field)
        labelled = {letters_and_digits(number): (number, line) for number, line in own_numbers(text)}
        if not isinstance(given, str) or len(labelled) != 1:
            return {}
        number, line = next(iter(labelled.values()))
        copied, own = letters_and_digits(given), letters_and_digits(number)
        before = line[: line.find(number)]
        stretches = (letters_and_digits(before) + own, letters_and_digits(_NUMBER_LABEL.sub(" ", before)) + own)
        if copied == own or not copied.endswith(own) or not any(s.endswith(copied) for s in stretches):
            return {}
        return {field: number}

    return complete


# The label between a title and its number, which a type code joined to the number skips:
# `Handelsrechnung (380) Nr. 123` answered `380-123` (ZUGFeRD 2.4 samples, tuning).
_NUMBER_LABEL = re.compile(rf"(?<![^\W\d_])(?:{_LABELS})(?![^\W\d_])\.?|#", re.IGNORECASE)

# A number label alone before the number (`Nº: 4000-12345678`), and the document's title alone on
# a line: a title box whose parts the text layer gives as lines of their own.
_BARE_LABEL = re.compile(rf"^\s*(?:{_LABELS}|#)\.?\s*:?\s*(?P<number>[^\W_][\w\-/.]*\w)\s*$", re.IGNORECASE)
_TITLE_ALONE = re.compile(rf"^\s*(?:{INVOICE_TITLES})\s*$", re.IGNORECASE)


def own_numbers(text: str) -> list[tuple[str, str]]:
    """Each number the document labels as its own, with its line; not one it refers to. A number
    beside a bare label counts where the title is the line above or below it (an Argentine
    invoice of the tuning part prints `Nº: 4000-12345678` over `Factura`; the model answered a
    tax number from its notes). A title printed letter-spaced (`I N V O I C E #1`) is read as the word."""
    lines = spaced_letters_joined(text).splitlines()
    labelled = [
        (found.group("number"), line)
        for line in lines
        for found in _OWN_NUMBER.finditer(line)
        if any(c.isdigit() for c in found.group("number")) and not _REFERENCE_BEFORE.search(line[: found.start()])
    ]
    titled = [
        (found.group("number"), line)
        for i, line in enumerate(lines)
        if (found := _BARE_LABEL.match(line))
        and any(c.isdigit() for c in found.group("number"))
        and any(_TITLE_ALONE.match(other) for other in lines[max(0, i - 1) : i + 2])
    ]
    return labelled + titled
