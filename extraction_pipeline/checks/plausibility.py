"""Values that are printed in the document but cannot be the field asked for.

Grounding proves a value is on the page; it cannot tell a total from the GST summary's 70.75 on a
receipt that was paid 75.00. These checks compare a value with the rest of the document: where it is
printed, and what the other printed amounts imply. A problem is re-asked like an ungrounded value and,
when it stays, flagged on the record.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from extraction_pipeline.checks.layout import is_stop_line, line_index, lines_of, registered
from extraction_pipeline.checks.parties import ALL_LABELS, REGISTER_DETAILS, ends_in_legal_form
from extraction_pipeline.doctypes.packs import Check, CheckedDocument
from extraction_pipeline.extraction.amounts import DECIMAL, GROUPS, separator_roles
from extraction_pipeline.extraction.item_rows import rows_amounting_to
from extraction_pipeline.extraction.values import numbers_on_line, read_amount

# Fields that name the seller, and the field holding the seller's address printed below it.
_SELLER_ABOVE_ADDRESS = (("company", "address"), ("issuer", "address"))


def misplaced(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """Values found in the document, but where that field is not printed: a name below the seller's
    address is the customer's (a receipt's 'bill to'), not the seller's, unless it carries a company
    registration number (the legal entity behind a brand is often printed at the foot)."""
    problems, text = {}, doc.text
    for name_field, address_field in _SELLER_ABOVE_ADDRESS:
        name, address = doc.evidence.get(name_field), doc.evidence.get(address_field)
        if name and address and name.start is not None and address.start is not None and name.start > address.start:
            first, last = line_index(text, name.start), line_index(text, max(name.end - 1, name.start))
            if registered(lines_of(text), first, last):
                continue
            problems[name_field] = (
                f"- {name_field}: the name given is printed below the seller's address, so it is the customer; "
                "the seller's name is printed above its address, at the top."
            )
    return problems


_LONG_NUMBER = re.compile(r"\d{7,}")


def number_for_a_name(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """A seller's name holding a long number (BRN GST NO . 000417619968) is a tax, registration or
    phone line taken for the name: grounded, but not a name."""
    return {
        field: f"- {field}: the name given is a tax, registration or phone number line, not a name; "
        "give the seller's business name as printed at the top."
        for field, _ in _SELLER_ABOVE_ADDRESS
        if isinstance(record.get(field), str) and _LONG_NUMBER.search(record[field])
    }


def number_for_an_address(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """An address holding a long number (`GST REG NO. : 000936312832`, a phone line) is a tax,
    registration or phone line taken for the address, or run on into it: no address of the 626
    SROIE labels holds seven digits in a row (postcodes and lot numbers hold five or six)."""
    return {
        address: f"- {address}: the address given is or holds a tax, registration or phone number line; "
        "give the seller's street address only, as printed under its name."
        for address in {a for _, a in _SELLER_ABOVE_ADDRESS}
        if isinstance(record.get(address), str) and _LONG_NUMBER.search(record[address])
    }


# A web or e-mail address: `www.`, a scheme, an `@`, or one word with a domain's ending (`amazon.de`;
# not `Acme Co.Ltd`).
_WEB_ADDRESS = re.compile(r"^(?:https?://|www\.)|@|^\S+\.(?:[a-z]{2,3}|info|shop)$", re.I)


def not_a_name(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """A seller's name that is a field's label, printed before a colon (`Términos de pago:
    vencimiento en 15 días`), a web or e-mail address (`amazon.de`, printed large where the
    company's name is in the footer) or a company's register details (`Société anonyme au capital
    de ... - R.C.S. ...`) is not the company's name: real invoices of the tuning part had each
    answered for the issuer. The re-ask offers the names printed beside a tax number."""
    problems = {}
    for name_field, _ in _SELLER_ABOVE_ADDRESS:
        value, name = record.get(name_field), doc.evidence.get(name_field)
        if not isinstance(value, str):
            continue
        if _WEB_ADDRESS.search(value.strip()):
            what = "a web or e-mail address"
        elif name is not None and name.end is not None and re.match(r"[ \t]*:", doc.text[name.end :]):
            what = "a label printed before a colon"
        elif REGISTER_DETAILS.search(value):
            what = "the company's register details (its capital, register or office)"
        else:
            continue
        beside = [other for other in names_beside_a_tax_number(doc.text) if other != value.strip()]
        offered = f" Printed beside a tax number: {'; '.join(beside)}." if 0 < len(beside) <= 3 else ""
        problems[name_field] = (
            f"- {name_field}: the name given is {what}, not a name; give the name of the company that issued "
            f"the document, as printed at its top or beside its address, bank and tax details.{offered}"
        )
    return problems


# A tax number: its label (`USt-ID :`, `VAT No.`, `N° TVA`, `NIF`) with the number after it, or the
# number alone on its line in the shape EU VAT numbers and Spanish NIFs take (`ATU62353134`,
# `B87530432`). A column headed `TVA` or `BTW` is no tax number.
_TAX_NUMBER = re.compile(
    r"\b(?:VAT|TVA|UST-?ID\w*|USt\.?-?Nr|Steuer-?Nr|Steuernummer|NIF|CIF|BTW|GSTIN|P\.? ?IVA|UID)\b"
    r"[^\d\n]{0,25}?\b[A-Z]{0,3} ?\d[\d .]{5,}|^\s*[A-Z]{1,2}\d{8,12}\s*$",
    re.I,
)


def names_beside_a_tax_number(text: str) -> list[str]:
    """The names printed before a tax number: on its line, or heading the lines of address and
    numbers above it (`TECNATIVA` over `B87530432`; `Amazon EU S.a.r.L, 5 Rue Plaetis, ...` over
    `USt-ID : ATU62353134`; `LE FOURNISSEUR` over its street, town, e-mail, GLN and SIRET). Offered
    when the model's name was not a name, because told only what the name is not, the 1.5B model
    gave the same answer again on real invoices of the tuning part. The customer's name may be
    among them where its tax number is printed too; the model is asked to choose."""
    lines, names = text.splitlines(), {}
    for i, line in enumerate(lines):
        if not (tax := _TAX_NUMBER.search(line)):
            continue
        before = line[: tax.start()]
        beside = [before] if _SET_APART.search(before) or ends_in_legal_form(before) else []
        above = beside + lines[max(0, i - _NAME_ABOVE_TAX_NUMBER) : i][::-1]
        for candidate in above:
            phrase = re.split(r",|\t|\s{3,}|\s[-–]\s", candidate.strip(" \t:-"))[0].split(": ")[-1].strip()
            if not phrase or _address_or_number(phrase):
                continue
            if (
                phrase[0].isupper()
                and len(phrase) <= 60
                and len(phrase.split()) <= 6
                and not _label_or_register(phrase)
            ):
                names.setdefault(phrase.upper(), phrase)
            break
    return list(names.values())


# A name on a tax number's line is set apart from its label (`Acme Ltd   VAT reg ...`, `Acme Ltd, VAT
# ...`, `ACME GMBH Geschäftsführung: USt-IdNr ...`); a word joined to the label by one space is the
# label's (`Our VAT:`, `Your VAT ID`).
_SET_APART = re.compile(r"(?:[,;:|\t]|\s{2,}|\s[-–])\s*$")
# How many lines of address, contact and register numbers may stand between a name and its tax number.
_NAME_ABOVE_TAX_NUMBER = 6


def _address_or_number(phrase: str) -> bool:
    """A street or town with its number or postcode (`Via Dante 22`, `Oxford OX1 4AP`), or a contact
    or number line (`EMAIL : ...`, `SIREN / SIRET`)."""
    return bool(re.search(r"\d", phrase) or _WEB_ADDRESS.search(phrase)) or is_stop_line(phrase)


def _label_or_register(phrase: str) -> bool:
    """A party's label (`Supplier`) or a register detail (`Sarl au capital de`)."""
    return re.sub(r"\s", "", phrase).upper() in ALL_LABELS or bool(REGISTER_DETAILS.search(phrase))


# A price: digits with a separator (9.50, 59.091, 8.000,00, 25,000); a line of prices and counts only.
_PRICE = re.compile(r"\d[.,]\d")
_NUMBERS_ONLY = re.compile(r"^[\d.,\s]*(?:[xX@*]\s*[\d.,\s]*)*$")


def item_for_a_name(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """A seller's name printed with a price, on its line or on a line of numbers below it, is an
    item: till slips that print no seller start with their first item (`PAKET SUPER 59.091`, or
    `1009-Roti Kelapa` above `8.000,00 x2 16.000,00`), and a small model takes it for the name."""
    problems, text = {}, doc.text
    for name_field, _ in _SELLER_ABOVE_ADDRESS:
        name = doc.evidence.get(name_field)
        if not isinstance(record.get(name_field), str) or name is None or name.start is None:
            continue
        line_start, line_end = text.rfind("\n", 0, name.start) + 1, _end_of_line(text, name.end)
        rest = text[line_start : name.start] + " " + text[name.end : line_end]
        below = text[line_end + 1 : _end_of_line(text, line_end + 1)]
        if _PRICE.search(rest) or (_PRICE.search(below) and _NUMBERS_ONLY.match(below)):
            problems[name_field] = (
                f"- {name_field}: the name given is printed with a price, so it is an item bought, not the "
                f"seller; {name_field} is null when the receipt prints no seller's name, and the item goes in line_items."
            )
    return problems


def _end_of_line(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end == -1 else end


# An unsigned amount with 2 decimals, and not the 840.00 at the end of -7,840.00; sen alone may be
# printed without the ringgit (CHANGE RM .20), but not after a letter (NO.25).
_PRINTED_AMOUNT = re.compile(r"(?<![\d.-])(?<!\d,)(?:\d{1,3}(?:,\d{3})*|(?<![A-Z]))\.\d{2}(?!\d)", re.IGNORECASE)
# A whole amount grouped in thousands (`42,000`, `1.591.600`), money where a document's amounts have
# no cents (rupiah): `in_whole_money`.
_GROUPED_WHOLE = re.compile(r"(?<![\d.,-])\d{1,3}([.,])\d{3}(?:\1\d{3})*(?![.,]?\d)")
# CASH 50.00, AMOUNT TENDERED, PAID, Indonesian TUNAI; PAY or PAYMENT only as the label of an amount
# (not PAY PARKING TICKET).
_TENDERED = re.compile(
    r"^(?!.*(CHANGE|KEMBALI))(.*\b(CASH|TENDER(ED)?|PAID|TUNAI)\b(?!\s*(SALE|BILL|INVOICE|RECEIPT))"
    r"|\s*PAY(MENT)?\s*:?\s*(RM\s*)?[\d.])"
)
_CHANGE = re.compile(r"\b(CHANGE|KEMBALI(AN)?)\b")
_TOTAL_LINE = re.compile(r"TOTAL|AMOUNT|NETT|\bNET\b|\bDUE\b|PAYABLE|GRAND|\bROUND")
# Lines that carry "total" but not the amount paid: subtotals, tax summaries, payments, discounts, counts.
_NOT_THE_TOTAL = re.compile(
    r"SUB|GST|TAX|SST|DISC|SAV|QTY|ITEM|EXCL|SUPPLIES|CASH|CHANGE|TENDER|PAID|ACCEPT|POINT|DEPOSIT|VOUCHER|CARD"
)
# TOTAL INCL. OF GST, TOTAL (INCLUSIVE OF GST) is the total, tax included (not INCLUDED GST 0.42, the tax).
_TAX_INCLUDED = re.compile(r"\bINCL(?!UDED)[A-Z]*\.?\s*(OF\s*)?(GST|SST|TAX)")
_SUBTOTAL = re.compile(r"SUB\W?TOTAL")
_ROUNDING = re.compile(r"\bROUND")
# Rounding to the nearest 5 sen moves a total by at most 0.02; a little more covers receipts that round up.
ROUNDING_TOLERANCE = Decimal("0.05")
_ROUNDED_WITHIN_LINES = 3


def total_problem(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """A total that disagrees with the payment printed on the receipt.

    Where the receipt prints what was tendered and the change, the total is their difference, to the
    cent: a total before rounding is not what was paid. Where it prints no change and the amount
    tendered is also printed as a total, that is what was paid, and the total is no more. Otherwise
    the total is at least the largest amount on a total line (the GST summary's or a subtotal's
    smaller TOTAL is the usual wrong pick), and not the amount tendered where that is more and is
    printed on no total line (a scan whose change OCR read without its label); a total printed only
    as a subtotal is not one when a total line or a tax charge follows, nor is one followed within a
    few lines by another total line within rounding of it (TOTAL 102.39, then TOTAL 102.40) or by a
    rounding adjustment and the adjusted amount (ROUNDING ADJ -0.01, then 60.30 on a line OCR
    misread).

    Measured on the 625 SROIE training totals by `benchmarks/layout_rules.py`: 14 labels raise it: 9
    give the total before rounding where the receipt shows a rounded payment, 4 are label errors (3
    the subtotal before a coupon), 1 receipt prints its amounts a line off their labels.
    """
    total, text = record.get("total"), doc.text
    if not isinstance(total, Decimal):
        return {}
    rows = [(line.upper(), _amounts(line)) for line in text.splitlines()]
    tendered, change = payment(text)
    if tendered is not None and change is not None and change <= tendered:
        paid = tendered - change
        if paid != total:  # what the customer paid is the total after rounding, to the cent
            return {
                "total": f"- total: {total} disagrees with the payment printed on the receipt: {tendered} tendered "
                f"minus {change} change is {paid}. Give the final total the customer paid."
            }
        return {}
    on_total_lines = [(i, a) for i, (upper, amounts) in enumerate(rows) if _is_total_line(upper) for a in amounts]
    totals = [a for _, a in on_total_lines]
    at = next((i for i, a in on_total_lines if a == total), None)
    # The rounded total follows within a few lines (not the GST summary's TOTAL at the foot).
    later = [a for i, a in on_total_lines if at is not None and at < i <= at + _ROUNDED_WITHIN_LINES]
    rounded = next((a for a in later if a != total and abs(a - total) <= ROUNDING_TOLERANCE), None)
    if rounded is None and at is not None:
        rounded = _adjusted_below(rows, at, total)
    if rounded is not None:
        return {
            "total": f"- total: {total} is the total before rounding; the receipt prints {rounded} after it. "
            "Give the final total after rounding."
        }
    printed_totals = {a for upper, amounts in rows if _TOTAL_LINE.search(upper) for a in amounts}
    if tendered is not None and change is None and tendered in printed_totals:  # paid exactly, no change
        if abs(tendered - total) <= ROUNDING_TOLERANCE:
            return {}
        if total > tendered:
            return {
                "total": f"- total: {total} is more than the {tendered} paid, which is also printed as a total. "
                "Give the final total after discounts and rounding."
            }
    # The cash tendered for the total, where the change was not read (`CASH 70.30` over an unlabelled
    # `10.00` on a scanned receipt, after `TOTAL AMT 60.31`); not where a total line's amounts add up
    # to it (a GST summary's `TOTAL 105.57 6.33` for a payment of 111.90).
    if (
        tendered == total
        and totals
        and total > max(totals) + ROUNDING_TOLERANCE
        and tendered not in printed_totals
        and all(sum(amounts) != total for upper, amounts in rows if _is_total_line(upper))
    ):
        return {
            "total": f"- total: {total} is the amount tendered, more than the {max(totals)} printed on a total line. "
            "Give the final total the customer paid, after rounding."
        }
    # Lines with a total-like label that print it (the GST summary's SR @ 6% 68.87 4.13 has none).
    printed_on = [i for i, (upper, amounts) in enumerate(rows) if total in amounts and _TOTAL_LINE.search(upper)]
    subtotal_only = bool(printed_on) and all(_SUBTOTAL.search(rows[i][0]) for i in printed_on)
    if subtotal_only and (totals or _charged_after(rows, printed_on[-1])):
        return {
            "total": f"- total: {total} is printed only as a subtotal. "
            "Give the final total to pay, after discounts, tax and rounding."
        }
    if totals and total < max(totals) - ROUNDING_TOLERANCE:
        return {
            "total": f"- total: {total} is less than {max(totals)}, printed on a total line of the receipt. "
            "Give the final total to pay, not a subtotal or a tax summary."
        }
    return {}


_ADJUSTMENT = re.compile(r"(?<![\d.])\d?\.\d{2}(?!\d)")


def _adjusted_below(rows: list[tuple[str, list[Decimal]]], at: int, total: Decimal) -> Decimal | None:
    """The total after a rounding adjustment printed just below it (ROUNDING ADJ -0.01), where the
    adjusted amount is printed a few lines further down on a line of any label: OCR reads `RM 60.30`
    as `RH 60.30`, and some tills print the rounded total with no label at all."""
    for i in range(at + 1, min(at + 1 + _ROUNDED_WITHIN_LINES, len(rows))):
        upper = rows[i][0]
        if not _ROUNDING.search(upper):
            continue
        below = {a for _, amounts in rows[i + 1 : i + 1 + _ROUNDED_WITHIN_LINES] for a in amounts}
        for adjustment in map(Decimal, _ADJUSTMENT.findall(upper)):
            if not 0 < adjustment <= ROUNDING_TOLERANCE:
                continue
            for adjusted in (total - adjustment, total + adjustment):
                if adjusted in below:
                    return adjusted
    return None


def payment(text: str, whole: bool = False) -> tuple[Decimal | None, Decimal | None]:
    """The amount tendered and the change, as printed (with cents; where `whole`, in whole money too).
    Some tills print the cash received as a debit (CASH -50.00): on these lines a minus sign is not a
    discount."""
    rows = _payment_rows(text, whole)
    return _amount_after(rows, _TENDERED), _amount_after(rows, _CHANGE)


def _payment_rows(text: str, whole: bool = False) -> list[tuple[str, list[Decimal]]]:
    return [(line.upper(), _amounts(line.replace("-", " "), whole)) for line in text.splitlines()]


def paid_not_tendered_or_change(answer: dict[str, Any], text: str) -> dict[str, Any]:
    """The total given as the cash tendered or the change, where the receipt prints both and their
    difference on a total line: that difference (`TOTAL 32,000`, `CASH 42,000`, `CHANGE 10,000`,
    answered 42000; on CORD's tuning receipts the model answered the cash or the change on 4 of 100).
    A completion, not a re-ask: on rupiah receipts the total check's re-asks mended none of the wrong
    totals of CORD 400-429 and changed 2 right ones (tried 2026-12-01, docs/accuracy.md), so
    total_problem still reads amounts with cents only."""
    given, whole = read_amount(answer.get("total")), in_whole_money(text)
    tendered, change = payment(text, whole)
    if given is None or tendered is None or change is None or not 0 < change < tendered:
        return {}
    paid = tendered - change
    if given not in (tendered, change) or given == paid:
        return {}
    on_a_total_line = any(_is_total_line(line.upper()) and paid in _amounts(line, whole) for line in text.splitlines())
    return {"total": paid} if on_a_total_line else {}


def change_read_without_its_label(answer: dict[str, Any], text: str) -> dict[str, Any]:
    """The total given as the amount tendered where OCR read the change without its label: the line
    below the tendered amount holds only an amount, and tendered minus it is printed above (the
    shipped sample scan prints `RH 60.30`, `CASH..... 70.30`, `10.00`; the model answered 70.30 and
    kept it through the re-ask that said it was the amount tendered)."""
    rows = _payment_rows(text, in_whole_money(text))
    tendered = _amount_after(rows, _TENDERED)
    if tendered is None or _amount_after(rows, _CHANGE) is not None or read_amount(answer.get("total")) != tendered:
        return {}
    lines = [i for i, (upper, amounts) in enumerate(rows) if _TENDERED.search(upper) and amounts[-1:] == [tendered]]
    if not lines:
        return {}
    at = lines[-1]
    below = rows[at + 1] if at + 1 < len(rows) else ("", [])
    if len(below[1]) != 1 or re.search(r"[A-Z]", below[0]) or not 0 < below[1][0] < tendered:
        return {}
    paid = tendered - below[1][0]
    return {"total": paid} if any(paid in amounts for _, amounts in rows[:at]) else {}


def payment_note(fields: tuple[str, ...], text: str) -> str:
    """For a total that failed validation (the model copied CASH -50.00): what the printed payment
    says was paid, to quote in the re-ask beside the amounts printed."""
    tendered, change = payment(text)
    if "total" not in fields or tendered is None or change is None or change > tendered:
        return ""
    return f"\n- total: the receipt prints {tendered} tendered and {change} change, so {tendered - change} was paid."


def _amounts(line: str, whole: bool = False) -> list[Decimal]:
    """The amounts printed on `line` in order: with cents, and where `whole`, grouped whole amounts too."""
    found = [(m.start(), Decimal(m.group().replace(",", ""))) for m in _PRINTED_AMOUNT.finditer(line)]
    if whole:
        found += [(m.start(), Decimal(re.sub(r"[.,]", "", m.group()))) for m in _GROUPED_WHOLE.finditer(line)]
    return [amount for _, amount in sorted(found, key=lambda at: at[0])]


def in_whole_money(text: str) -> bool:
    """The document groups its amounts in thousands and prints no decimals (`CASH 42,000`, `TUNAI
    50.000` on an Indonesian till slip): the payment completions then read whole amounts too. On a
    receipt with cents a grouped whole number is a count or a code, not money."""
    roles = set(separator_roles(text).values())
    return GROUPS in roles and DECIMAL not in roles


def _is_total_line(upper: str) -> bool:
    return bool(_TOTAL_LINE.search(upper)) and not _NOT_THE_TOTAL.search(_TAX_INCLUDED.sub(" ", upper))


# A tax or service charge added to the bill; not the tax included in the prices (INC 6% GST 1.62).
_CHARGE = re.compile(r"^(?!.*\bINC|.*SUMMARY).*(GST|TAX|SST|SERVICE)")


def _charged_after(rows: list[tuple[str, list[Decimal]]], line: int) -> bool:
    """A tax or service charge above zero is printed below `line`: what was paid is more than that line."""
    return any(_CHARGE.search(upper) and any(amounts) for upper, amounts in rows[line + 1 :])


def _amount_after(rows: list[tuple[str, list[Decimal]]], label: re.Pattern[str]) -> Decimal | None:
    """The amount on the last line with `label`, or on the line below it when that holds only numbers.

    The last, because a receipt that prints CASH 71.00 then CASH RECEIVED 101.00 means the latter."""
    found: list[Decimal] = []
    for i, (upper, amounts) in enumerate(rows):
        if label.search(upper):
            if not amounts and i + 1 < len(rows) and not re.search(r"[A-Z]{2}", rows[i + 1][0]):
                amounts = rows[i + 1][1]
            found += amounts[-1:]
    return found[-1] if found else None


# What a credit note or a correction calls itself, and the signs a negative amount is printed with.
_CREDIT_NOTE = re.compile(
    r"CREDIT\s*NOTE|GUTSCHRIFT|STORNO|AVOIR|CREDITNOTA|NOTA\s+DE\s+CR[ÉE]DITO|NOTA\s+DI\s+CREDITO|KORREKTUR", re.I
)


def sign_as_printed(*fields: str) -> Check:
    """A negative amount in `fields` is printed with a sign somewhere (`-10,00`, `10,00-`, `(10,00)`)
    or the document is a credit note: a Cambodian provider's bill of the tuning part printed its
    VAT as `$ 0.91`, and the model answered -0.91 (grounding finds a negative amount by its
    magnitude, since documents print signs in many ways, so nothing else questioned it)."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        negative = [f for f in fields if isinstance(record.get(f), Decimal) and record[f] < 0]
        if not negative or _CREDIT_NOTE.search(doc.text):
            return {}
        printed_negative = {
            abs(n.value)
            for line in doc.text.splitlines()
            for n in numbers_on_line(line)
            if n.value < 0 or line[: n.start].rstrip().endswith("(")
        }
        return {
            f: f"- {f}: the amount given is negative, but the document prints it without a minus sign and is "
            "no credit note. Give the amount as printed."
            for f in negative
            if -record[f] not in printed_negative
        }

    return check


# A subtotal's or a carried-forward sum's label, and a grand total's, in the languages of our invoices.
_SUBTOTAL_LABEL = re.compile(
    r"SUB\W?TOTA|ZWISCHENSUMME|SOUS\W?TOTAL|ÜBERTRAG|CARRIED\s+FORWARD|SUBTOTAAL|SUBTOTALE|SALDO\s+ANTERIOR", re.I
)
_GRAND_TOTAL_LABEL = re.compile(
    r"GESAMTBETRAG|RECHNUNGSBETRAG|GESAMTSUMME|ENDBETRAG|BRUTTO(?!PREIS)|GRAND\s+TOTAL|TOTAL\s+(?:DUE|AMOUNT|TTC)|AMOUNT\s+DUE"
    r"|MONTANT\s+TTC|NET\s+À\s+PAYER|TOTAAL|TE\s+BETALEN|TOTALE\s+FATTURA|TOTAL\s+FACTURA|IMPORTE\s+TOTAL",
    re.I,
)


def not_a_subtotal(field: str) -> Check:
    """`field` (the gross total) is not an amount printed only as a subtotal, a sum carried to the
    next page or an item row's amount where a larger amount is printed beside a total's label: a
    LaTeX invoice of the tuning part carries `Zwischensumme 3 650,00` over its page break and ends
    `Gesamtbetrag 4 335,00`, and the model answered the first; on a physiotherapist's invoice
    written for tuning it answered the first row's `6 28,50 171,00` above `Gesamtbetrag 243,00`
    (a row: its quantity times its unit price is its amount, extraction/item_rows.py). An amount
    alone on its line has the label of the line above. Larger is in size: a credit note's total is
    negative."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        total = record.get(field)
        if not isinstance(total, Decimal):
            return {}
        lines = doc.text.splitlines()
        labels = [_label_of(lines, i) for i in range(len(lines))]
        values = [[n.value for n in numbers_on_line(line)] for line in lines]
        printed_on = [i for i, printed in enumerate(values) if total in printed]
        if not printed_on:
            return {}
        rows = {i for row in rows_amounting_to(total, doc.text) for i in row.lines}
        if not all(_SUBTOTAL_LABEL.search(labels[i]) or i in rows for i in printed_on):
            return {}
        grand = next(
            (
                lines[i]
                for i, label in enumerate(labels)
                if _GRAND_TOTAL_LABEL.search(label) and not _SUBTOTAL_LABEL.search(label)
                if any(abs(value) > abs(total) for value in values[i])
            ),
            None,
        )
        if grand is None:
            return {}
        return {
            field: f"- {field}: the amount given is printed only as a subtotal or an item's amount. The document "
            f"prints its total on the line {grand.strip()!r}. Give that total."
        }

    return check


def _label_of(lines: list[str], i: int) -> str:
    """Line `i`, or where it holds no word (an amount alone, `3 650,00 e`), the line above it too."""
    words = re.sub(r"[\d.,\s€$£%()+\-]|\b\w\b", "", lines[i])
    return lines[i] if words or i == 0 else f"{lines[i - 1]} {lines[i]}"
