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
from extraction_pipeline.extraction.values import letters_and_digits

# What an invoice calls itself in its title, in the languages of our invoices.
INVOICE_TITLES = "RECHNUNG|INVOICE|FACTURE|FACTUUR|FACTURA|FATTURA|FATURA|FAKTURA"
# The document's own number: its kind (Rechnung, Mietrechnung, Invoice, Beleg, Gutschrift, ...),
# perhaps a type code in brackets, and a number label (`Rechnungs-Nr.`, `Invoice #`), or the label
# first (`Numéro de facture`, Indonesian `No. Invoice`); then the number (letters, digits, - / . ,).
_OWN_NUMBER = re.compile(
    rf"(?:(?:{INVOICE_TITLES}|BELEG|GUTSCHRIFT|AVOIR|CREDIT\s*NOTE)"
    r"[^\W\d_]*[\s\-]*(?:\(\w+\)\s*)?(?:NR|NO|N°|Nº|N\.|NUMMER|NUMBER|NUMÉRO|NÚMERO|NUMERO|#)"
    r"|(?:N°|NUMÉRO|NUMERO)\s*(?:DE\s+)?(?:LA\s+)?FACTURE|\bNO\.?\s*(?:INVOICE|FAKTUR)\b"
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


# The document's kind and a number label, copied with the number (`Invoice INV/2024/05/001`).
_LABEL_WORDS = re.compile(rf"^(?:(?:{INVOICE_TITLES}|NR|NO|N°|Nº|#)\W*)+", re.IGNORECASE)


def number_without_its_label(field: str) -> Completer:
    """`field` (the document's number) without the label words the model copied with it, where what
    is left is the one number the document labels as its own: an Indonesian invoice of the tuning
    part prints `No. Invoice INV/2024/05/001`, and the model kept answering `Invoice INV/2024/05/001`
    when re-asked."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        given = answer.get(field)
        if not isinstance(given, str) or not (stripped := _LABEL_WORDS.sub("", given.strip())):
            return {}
        labelled = {letters_and_digits(number): number for number, _ in own_numbers(text)}
        if len(labelled) != 1 or stripped == given.strip() or letters_and_digits(stripped) not in labelled:
            return {}
        return {field: labelled[letters_and_digits(stripped)]}

    return complete


# A number label alone before the number (`Nº: 4000-12345678`), and the document's title alone on
# a line: a title box whose parts the text layer gives as lines of their own.
_BARE_LABEL = re.compile(r"^\s*(?:N[º°O]|NR|NO|#)\.?\s*:?\s*(?P<number>[^\W_][\w\-/.]*\w)\s*$", re.IGNORECASE)
_TITLE_ALONE = re.compile(rf"^\s*(?:{INVOICE_TITLES})\s*$", re.IGNORECASE)


def own_numbers(text: str) -> list[tuple[str, str]]:
    """Each number the document labels as its own, with its line; not one it refers to. A number
    beside a bare label counts where the title is the line above or below it (an Argentine
    invoice of the tuning part prints `Nº: 4000-12345678` over `Factura`; the model answered a
    tax number from its notes)."""
    lines = text.splitlines()
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
