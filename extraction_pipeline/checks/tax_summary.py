"""The totals an invoice's tax summary proves. European invoices print a line per tax rate: its
rate, the net amount taxed at it and the tax (`USt. 7% 275,00 19,25` / `USt. 19% 198,00 37,62`);
the nets add up to the printed net total and net + taxes to the printed gross. Hotels and shops
print each rate's gross instead and no net total (`MwSt. 7 % netto 241,12 MwSt. 16,88 brutto
258,00`); there the grosses must add up to the printed one. Where tax lines print no base, the
net is printed on the line above them and net + taxes below (two taxes on one base, as Indian
invoices print CGST and SGST, whose sum is printed nowhere). Where those sums hold, the three
totals are known from arithmetic, not from the model's reading. A small model asked
for the totals of a two-rate invoice answers one rate's tax, or one rate's whole line (net, tax
and gross of the 19% part), or the rate itself for the tax; the re-asks quote the sums and it
answers the same again (docs/accuracy.md). So a total the model took from the summary's lines,
one printed nowhere, or a net or tax of three that do not add up, is replaced by what the summary
proves (`totals_from_tax_summary`, the invoice pack's completer); a total the model found
elsewhere is otherwise left to the checks.

A line counts as a rate's line when it prints a rate (0 < r <= 30, `7%`, `19,0`) and two amounts
with cents, a base and after it its tax at that rate (to the cent). An exempt or zero-rated part
prints its rate as a whole 0 (`0 %`, `59,50 0 0,00`; a `0,00` alone is more often an empty column)
and no tax; since its base is then its gross, such a summary needs its net printed off its lines
too, or any line printing an amount beside a 0 would prove itself. Lines of one summary are
consecutive; where several consecutive runs add up (each rate's line alone is also a net + tax =
gross that is printed), the longest run wins, and a tie between runs that disagree proves nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from extraction_pipeline.doctypes.packs import Completer
from extraction_pipeline.extraction.values import CENT, PrintedNumber, numbers_on_line, printed_amounts, read_amount

_MAX_RATE = Decimal(30)  # the highest standard VAT rate in Europe is 27%
_MAX_RUN = 5  # rates on one invoice; also bounds the search over each line's candidate pairs


@dataclass(frozen=True)
class TaxSummary:
    net: Decimal
    tax: Decimal
    gross: Decimal
    numbers: frozenset[Decimal]  # every number printed on the summary's lines, as magnitudes


def tax_summary(text: str) -> TaxSummary | None:
    """The net, tax and gross totals the document's tax summary proves, or None where it has none
    (or two that disagree)."""
    lines = text.splitlines()
    numbers = [numbers_on_line(line) for line in lines]
    printed = {abs(n.value) for found in numbers for n in found}
    pairs = [_rate_pairs(found, line) for found, line in zip(numbers, lines)]
    for length in range(_MAX_RUN, 0, -1):
        found = {
            summary
            for start in range(len(lines) - length + 1)
            if all(pairs[start : start + length])
            for summary in _sums(pairs[start : start + length], numbers[start : start + length], printed)
            if summary.tax or _printed_off(summary.net, numbers, range(start, start + length))
        }
        if len({(s.net, s.tax, s.gross) for s in found}) == 1:  # runs in several places that agree
            first = next(iter(found))
            return replace(first, numbers=frozenset().union(*(s.numbers for s in found)))
        if found:
            return None
    return _taxes_on_a_printed_net(numbers)


def _taxes_on_a_printed_net(numbers: list[list[PrintedNumber]]) -> TaxSummary | None:
    """Tax lines that print a rate and its tax but not the base: the net printed on the line above
    them (lines without a number skipped), each tax the rate's part of it, and net + taxes printed
    on one of the two lines below
    (`Taxable Value 1,25,000.00` / `CGST @ 9% 11,250.00` / `SGST @ 9% 11,250.00` / `Grand Total
    1,47,500.00`: two taxes on one base, whose sum is printed nowhere). A tax has the net's sign: a
    discount taken as a rate's part (`Rabatt 10% -5,00`) is no tax. Rates printed with no tax
    (`Moms 12% 0,00` under `Moms 25% 225,00`, a Swedish template of the tuning part) belong to the
    run; lines that print no amount with cents (a delivery date's line between) are passed over."""
    rows = [found for found in numbers if any(n.with_cents for n in found)]
    summaries = set()
    for i, row in enumerate(rows):
        for net in (n.value for n in row if n.with_cents and n.value):
            taxes: list[PrintedNumber] = []
            for below in rows[i + 1 : i + 1 + _MAX_RUN]:
                tax = _tax_of(net, below) or _no_tax(below)
                if tax is None:
                    break
                taxes.append(tax)
            gross = net + sum(t.value for t in taxes)
            after = rows[i + 1 + len(taxes) : i + 3 + len(taxes)]
            if any(t.value for t in taxes) and any(
                abs(n.value - gross) <= CENT * len(taxes) for line in after for n in line
            ):
                on_lines = frozenset(abs(n.value) for line in rows[i + 1 : i + 1 + len(taxes)] for n in line)
                summaries.add(TaxSummary(net, gross - net, gross, on_lines))
    return summaries.pop() if len({(s.net, s.tax, s.gross) for s in summaries}) == 1 else None


def _tax_of(net: Decimal, line: list[PrintedNumber]) -> PrintedNumber | None:
    """The amount on `line` that is a rate printed on it times `net`, with the net's sign."""
    rates = _rates(line)
    return next(
        (
            n
            for n in line
            if n.with_cents
            and (n.value > 0) == (net > 0)
            and abs(n.value) < abs(net)
            and _taxed_at(abs(net), abs(n.value), rates - {abs(n.value)})
        ),
        None,
    )


def _no_tax(line: list[PrintedNumber]) -> PrintedNumber | None:
    """The zero with cents of a line that prints a rate and nothing taxed at it (`Moms 12% 0,00`)."""
    zeros = [n for n in line if n.with_cents and not n.value]
    return zeros[0] if zeros and len(line) == 2 and _rates(line) else None


def totals_from_tax_summary(net_field: str, tax_field: str, gross_field: str) -> Completer:
    """Each of the three totals the model gave as another number of the tax summary's lines (one
    rate's net, tax or gross, the rate, the gross for the net), as an amount printed nowhere, or not
    at all, replaced by the summary's; and where the three given do not add up (net + tax is not
    the gross), the net and tax where they differ from the summary's. A gross given as the
    summary's net or tax is replaced; another gross printed elsewhere stays: it is printed once and
    prominently, and may rightly hold more than the summary (costs passed on without tax)."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        summary = tax_summary(text)
        if summary is None:
            return {}
        printed = {r for _, _, readings in printed_amounts(text) for r in readings}
        given = {f: read_amount(answer.get(f)) for f in (net_field, tax_field, gross_field)}
        net, tax, gross = given.values()
        # A credit note the document prints unsigned, answered with negative totals as the prompt
        # asks: the gross says so where given (a negative tax alone is a discount taken for it).
        answered = [gross] if gross else [v for v in given.values() if v is not None]
        sign = -1 if summary.gross > 0 and answered and all(v < 0 for v in answered) else 1
        broken = net is not None and tax is not None and gross is not None and abs(net + tax - gross) > CENT
        # The summary's net or tax for the gross (where they differ from it) cannot be the gross.
        not_gross = {abs(summary.net), abs(summary.tax)} - {abs(summary.gross)}
        mended = {}
        for field, right in ((net_field, summary.net), (tax_field, summary.tax), (gross_field, summary.gross)):
            value = given[field]
            if value is not None and abs(value) == abs(right):
                continue
            taken_wrongly = value is None or abs(value) in summary.numbers or abs(value) not in printed
            taken_wrongly = taken_wrongly or (field == gross_field and abs(value) in not_gross)
            if taken_wrongly or (broken and field != gross_field):
                mended[field] = sign * right
        return mended

    return complete


def _rate_pairs(numbers: list[PrintedNumber], line: str) -> list[tuple[Decimal, Decimal]]:
    """(base, tax) pairs of the line: two amounts with cents, the tax after the base and equal to it
    times a rate printed on the line. A rate of 0 is a whole `0` printed as a word (`0 %`, `59,50 0
    0,00`), not the `00` of a time (`(00:29:24)` on a French telephone bill of the tuning part made
    a call's duration of 20,00 minutes a zero-rated base)."""
    rates = _rates(numbers)
    if any(_whole_zero(n, line) for n in numbers):
        rates.add(Decimal(0))
    amounts = [n.value for n in numbers if n.with_cents]
    return [
        (base, tax)
        for i, base in enumerate(amounts)
        for tax in amounts[i + 1 :]
        if base and abs(tax) < abs(base) and _taxed_at(base, tax, rates)
    ]


def _whole_zero(number: PrintedNumber, line: str) -> bool:
    """`number` is a `0` printed alone, not beside a colon as a time's part."""
    before, after = line[number.start - 1 : number.start], line[number.end : number.end + 1]
    return line[number.start : number.end] == "0" and ":" not in before + after


def _rates(numbers: list[PrintedNumber]) -> set[Decimal]:
    """The numbers on a line that can be a VAT rate (0 < r <= 30)."""
    return {abs(n.value) for n in numbers if 0 < abs(n.value) <= _MAX_RATE}


def _taxed_at(base: Decimal, tax: Decimal, rates: set[Decimal]) -> bool:
    """`tax` is `base` times one of `rates`, to the cent."""
    return any(abs(base * rate / 100 - tax) <= CENT for rate in rates)


def _sums(
    pairs: list[list[tuple[Decimal, Decimal]]], numbers: list[list[PrintedNumber]], printed: set[Decimal]
) -> list[TaxSummary]:
    """The summaries a run of rate lines proves: one pair from each line, whose bases add up to a
    printed net (or each line prints its base + tax, as summaries of documents that print no net
    total do) and whose net + taxes is a printed gross (within a cent per line)."""
    on_lines = frozenset(abs(n.value) for found in numbers for n in found)
    slack = CENT * len(pairs)
    found = []
    for choice in itertools.islice(itertools.product(*pairs), 1000):
        net, tax = sum(b for b, _ in choice), sum(t for _, t in choice)
        net_printed = _near(abs(net), printed, slack)
        if net_printed is None and all(_prints_gross(pair, line) for pair, line in zip(choice, numbers, strict=True)):
            net_printed = abs(net)  # a hotel's or shop's summary: each rate's gross, no net total
        gross_printed = _near(abs(net + tax), printed, slack)
        if net_printed is not None and gross_printed is not None:
            sign = -1 if net < 0 else 1
            tax = (1 if tax >= 0 else -1) * (_near(abs(tax), printed, slack) or abs(tax))  # as printed, where it is
            found.append(TaxSummary(sign * net_printed, tax, sign * gross_printed, on_lines))
    return found


def _prints_gross(pair: tuple[Decimal, Decimal], line: list[PrintedNumber]) -> bool:
    """The line prints its base + tax; not said of a part without tax, whose base is its gross."""
    base, tax = pair
    return bool(tax) and any(abs(n.value - (base + tax)) <= CENT for n in line)


def _printed_off(amount: Decimal, numbers: list[list[PrintedNumber]], run: range) -> bool:
    return any(abs(n.value) == abs(amount) for i, found in enumerate(numbers) if i not in run for n in found)


def _near(value: Decimal, printed: set[Decimal], slack: Decimal) -> Decimal | None:
    """The printed amount within `slack` of `value` (the printed one, so rounding follows the document)."""
    if value in printed:
        return value
    return next((p for p in sorted(printed) if abs(p - value) <= slack), None)
