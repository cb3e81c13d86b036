"""Sums a document prints must agree with: quantity x unit price = line total, the lines add up to
the net total, net + tax = gross. A model that copies one digit wrong, skips a line or reads a line
twice at a page break breaks one of them; each is re-asked and flagged like an ungrounded value. And
each line has a name: a description that is only numbers is a line read apart from its name.

Within rounding: a unit price printed with four decimals times a quantity is rounded to the cent
once per line, so a sum may be off by a cent per line.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any

from extraction_pipeline.checks.layout import line_index, lines_of
from extraction_pipeline.doctypes.packs import Check, CheckedDocument, Completer
from extraction_pipeline.extraction.item_rows import rows_amounting_to
from extraction_pipeline.extraction.values import CENT, WITH_CENTS, printed_amounts, read_amount

LINES = "line_items"


# A price may be for 10, 100 or 1,000 units (a price base quantity, `Preiseinheit`): the ZUGFeRD 2.4
# samples (tuning) print `49,29 150 Stk 19% 73,94`, and the check re-asked such a line that was right
# as printed (`300 x 49.29 is 14787.00, not 147.87`).
_PRICE_BASES = (1, 10, 100, 1000)


def line_arithmetic(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """Each line whose quantity, unit price and total are all printed: quantity x price = total,
    the price perhaps for 10, 100 or 1,000 units."""
    problems = {}
    for i, line in enumerate(record.get(LINES) or []):
        q, p, t = line.get("quantity"), line.get("unit_price"), line.get("line_total")
        if q is None or p is None or t is None:
            continue
        if all(abs(q * p / base - t) > CENT for base in _PRICE_BASES):
            problems[f"{LINES}[{i}].line_total"] = (
                f"- {LINES}[{i}] ({line['description']!r}): {q} x {p} is {(q * p).quantize(CENT)}, not {t}. "
                "Copy the line's quantity, unit price and amount as printed."
            )
    return problems


def lines_named(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
    """Each line's description has a letter: one that is only the line's numbers (`8.000,00 x2`) means
    the model took the item's name, printed on the line above, for something else."""
    problems = {}
    for i, line in enumerate(record.get(LINES) or []):
        if not re.search(r"[^\W\d_]{2}", line["description"]):  # two letters: not the x of 2x
            problems[f"{LINES}[{i}].description"] = (
                f"- {LINES}[{i}]: {line['description']!r} is the line's numbers, not a description. Where an "
                "item's name and its numbers are printed on two lines, both belong to the one item."
            )
    return problems


def lines_add_up_to(total_field: str) -> Check:
    """The line totals add up to `total_field` (a net total) when every line prints its total, or to
    a sum the document prints besides the lines: with discounts or charges on the whole invoice, the
    lines add up to a printed subtotal (Positionssumme, Total lines) and not to the net. A table of
    groups lists each group's sum as a line of its own, which the net counts once: those lines are
    left out where that makes the sum agree (`_group_sums`)."""

    def lines_add_up(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        lines, total = record.get(LINES) or [], record.get(total_field)
        if not lines or total is None or any(line.get("line_total") is None for line in lines):
            return {}
        amounts = [line["line_total"] for line in lines]
        added = sum(amounts)
        if abs(added - total) <= CENT * len(lines):
            return {}
        if abs(added - sum(amounts[i] for i in _group_sums(amounts)) - total) <= CENT * len(lines):
            return {}
        as_a_line = sum(line["line_total"] == added for line in lines)
        if _times_printed(abs(added), doc.text) > as_a_line:
            return {}
        return {
            LINES: f"- {LINES}: the {len(lines)} lines add up to {added}, but {total_field} is {total}. Give every "
            "line of the item table once (also those after a page break)."
        }

    return lines_add_up


def _group_sums(amounts: list[Decimal]) -> set[int]:
    """The lines whose amount (not 0) is the sum of two or more lines right before it (a subtotal)
    or right after it (a bundle's or a construction stage's value over its parts): the ZUGFeRD 2.4
    samples of sub-invoice lines (tuning) list `Subtotal hardware 1.050,00` after its two printers,
    and their complete gold lists add up to twice the net."""
    upto = list(itertools.accumulate(amounts, initial=Decimal(0)))  # upto[k]: the sum of the first k
    return {
        i
        for i, amount in enumerate(amounts)
        if amount
        and (
            any(upto[i] - upto[j] == amount for j in range(i - 1))
            or any(upto[k] - upto[i + 1] == amount for k in range(i + 3, len(amounts) + 1))
        )
    }


def net_plus_tax(net_field: str, tax_field: str, gross_field: str) -> Check:
    """`net_field` + `tax_field` = `gross_field`, where all three are given. The gross total is printed
    once and prominently, so the problem is the net's where gross - tax is printed and gross - net is
    not (the model took the lines' sum before discounts and charges, or a line), and otherwise the
    tax's (an invoice with several tax rates prints several tax amounts, and one of them is the
    usual wrong answer). The net's problem does not repeat the net given: shown it, the model gave
    it back (a Dutch invoice written for tuning, `Subtotaal 226,00` answered with its first line's
    102,00 twice)."""

    def adds_up(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        net, tax, gross = record.get(net_field), record.get(tax_field), record.get(gross_field)
        if net is None or tax is None or gross is None or abs(net + tax - gross) <= CENT:
            return {}
        if _times_printed(abs(gross - tax), doc.text) and not _times_printed(abs(gross - net), doc.text):
            return {  # the net is the one that disagrees: usually the lines' sum before discounts and charges
                net_field: f"- {net_field}: the total before tax after discounts and charges is printed on the line "
                f"{_line_printing(abs(gross - tax), doc.text)!r} ({gross_field} {gross} - {tax_field} {tax} = "
                f"{gross - tax}); not a line's amount nor the sum of the lines."
            }
        return {
            tax_field: f"- {tax_field}: {net_field} {net} + {tax_field} {tax} is {net + tax}, not the "
            f"{gross_field} {gross}. Where several tax rates are printed, {tax_field} is the sum of their tax "
            f"amounts; otherwise give the totals as printed."
        }

    return adds_up


def totals_that_add_up(net_field: str, tax_field: str, gross_field: str) -> Completer:
    """Of the three totals, one given as an amount printed nowhere where the other two are printed
    and what they make (net + tax, gross - tax, gross - net) is printed too: that amount. On a Swiss
    invoice written for tuning the model gave 4506.96 for the gross where 4'160.00 + 336.96 =
    4'496.96 is printed, and answered 4506.96 again to the re-asks that worked the sum out. Where
    all three are printed but the net or the tax is the gross itself (the model read the gross
    twice: `Bruttosumme 235,62` for the net of a ZUGFeRD 2.2 sample that prints `Rechnungssumme
    ohne USt. 198,00` above it, kept through the re-asks), that one, likewise; and a net of 0 beside
    a tax (a Turkish e-invoice of the tuning part, its totals part answering `0` for the net). One
    of the three left out where the other two are given and what they make is printed: that amount
    (a Swedish invoice of the tuning part prints `Without VAT VAT EUR TO PAY` over `1900 0 1900`,
    and the model left the tax out). Two of the three printed nowhere, whether their sum holds or
    not: the one pair of printed amounts that makes the sum with the third (`_printed_pair`)."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        net, tax, gross = (read_amount(answer.get(f)) for f in (net_field, tax_field, gross_field))
        if [net, tax, gross].count(None) == 1:
            n, t, g = (Decimal(0) if v is None else v for v in (net, tax, gross))
            made = ((net_field, net, g - t), (tax_field, tax, g - n), (gross_field, gross, n + t))
            field, right = next((f, right) for f, given, right in made if given is None)
            one_sign = len({v > 0 for v in (n, t, g, right) if v != 0}) <= 1  # a credit note's are all negative
            return {field: right} if one_sign and _printed_besides_rows(right, text) else {}
        if net is None or tax is None or gross is None:
            return {}
        made = {net_field: (net, gross - tax), tax_field: (tax, gross - net), gross_field: (gross, net + tax)}
        unprinted = [f for f, (given, _) in made.items() if not _times_printed(abs(given), text)]
        if len(unprinted) == 2:
            return _printed_pair((net_field, tax_field, gross_field), (net, tax, gross), unprinted, text)
        if abs(net + tax - gross) <= CENT:
            return {}
        if not unprinted and (net == gross) != (tax == gross):
            unprinted = [net_field if net == gross else tax_field]
        if not unprinted and net == 0 and tax != 0:  # no tax is charged on nothing: a net of 0 is none
            unprinted = [net_field]
        if len(unprinted) != 1:
            return {}
        field = unprinted[0]
        right = made[field][1]
        return {field: right} if _printed_besides_rows(right, text) else {}

    return complete


# The highest VAT rate in Europe is 27 %: a tax over 30 % of the net is not the tax of that net.
_MAX_TAX_SHARE = Decimal("0.3")


def _printed_pair(
    fields: tuple[str, str, str], given: tuple[Decimal, Decimal, Decimal], unprinted: list[str], text: str
) -> dict[str, Any]:
    """Two of the three totals given as amounts printed nowhere, the third printed: the one pair of
    printed amounts that makes net + tax = gross with it, where there is one and none is 0 (a paid
    invoice prints `Offener Betrag 0,00`, which is no tax). With the invoice v6 prompt (tried, not
    kept) the model read `Rechnungssumme ohne USt. 198,00` / `Steuerbetrag 37,62` / `Bruttosumme
    235,62` on two ZUGFeRD 2.2 samples of the tuning part as 23562, 37.62 and 23599.62 (a sum that
    holds), kept through the re-asks. Printed amounts are read without their sign, so each pair is
    given the printed total's: a credit note's totals are all negative."""
    known = next(i for i, field in enumerate(fields) if field not in unprinted)
    amounts = {a for _, _, readings in printed_amounts(text) for a in readings if a != 0}
    found = set()
    for a in (a.copy_sign(given[known]) for a in amounts):
        n, t, g = (
            (given[0], a, given[0] + a) if known == 0 else (a, given[1], a + given[1]) if known == 1 else (a, given[2] - a, given[2])
        )  # fmt: skip
        if 0 in (n, t, g) or abs(t) > abs(n) * _MAX_TAX_SHARE or len({v > 0 for v in (n, t, g)}) != 1:
            continue
        # Printed at all first (a set lookup), then printed besides the rows (a pass over the text).
        if {abs(n), abs(t), abs(g)} <= amounts and all(_printed_besides_rows(abs(v), text) for v in (n, t, g)):
            found.add((n, t, g))
    if len(found) != 1:
        return {}
    return {field: value for field, value in zip(fields, found.pop()) if field in unprinted}


def _printed_besides_rows(amount: Decimal, text: str) -> bool:
    """Whether `amount` is printed other than as the amount of an item row (a quantity times a unit
    price): a total is not an item's amount. On a two-row invoice written for tuning, the gross less
    the one row the model gave for the net was the other row's amount, and that became a tax the
    invoice does not charge."""
    return _times_printed(abs(amount), text) > len(rows_amounting_to(abs(amount), text))


def _line_printing(amount: Decimal, text: str) -> str:
    """The first line of `text` that prints `amount`, its runs of spaces made one: a small model
    re-asked with the sum worked out copied another number of the problem; with the line quoted, the
    amount on it."""
    start = next((start for start, _, readings in printed_amounts(text) if amount in readings), None)
    return str(amount) if start is None else lines_of(text)[line_index(text, start)]


def _times_printed(amount: Decimal, text: str) -> int:
    """How often `amount` is printed in `text` as an amount, in any notation: where the document
    prints amounts with cents, a number without them (a tax rate of 19, a page or house number) is
    not one. Four wrong lines that added up to 19.00 passed as a printed subtotal that way."""
    found = [(readings, bool(WITH_CENTS.search(text[start:end]))) for start, end, readings in printed_amounts(text)]
    with_cents = any(cents for _, cents in found)
    return sum(amount in readings and (cents or not with_cents) for readings, cents in found)
