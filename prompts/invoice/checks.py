"""An invoice's seller is printed above its address like a shop's: the same name rules as receipts;
where the invoice labels its parties (`Verkäufer:`, `Käufer:`), the seller is the name under the
seller's label, and its date is not one printed beside another date's label (Leistungsdatum, due
date) when the invoice labels its own. Its lines hold every row of its item table, and its sums
must agree (lines, net, tax, gross). The till's payment rules (cash tendered, change) do not apply, nor does the receipts' completion of a name
from its line: an invoice's letterhead prints name, street and town on one line (`Bei Spiel GmbH ●
Ecke 12 ● 12345 Stadt`), and that completion took all of it on the tuning part. A seller's name
given as part of a line under the seller's label is completed from that block instead, and the
customer's name, where both parties are labelled, becomes the seller's; without a label, only a
name that lost its first words is completed; a name run on into its address is cut back. On a
self-billed invoice the seller is the supplier, not the customer who wrote it, and no label
(`Términos de pago:`), web address (`amazon.de`) or register line (`Société anonyme au capital de
...`) is a name: the names printed above a tax number are offered instead. Its number is the one
its title line labels (`Rechnung (380) Nr. 471102`, `Invoice 103767`), not a type code or an order
number beside it, and without the words before it copied with it (`Invoice INV/2024/05/001`). A
negative total needs a sign printed with it or a credit note; the gross is no subtotal or sum
carried over a page where a total's label prints more. Totals the model took from the wrong
line of the tax summary (one rate's, or the rate itself) are replaced by those the summary's sums
prove, and a total printed nowhere (or a net or tax given as the gross itself) by the printed
amount the other two make. A currency given as a sign of one currency (`Kč`) is its ISO code."""

from typing import Any

from extraction_pipeline.checks.arithmetic import line_arithmetic, lines_add_up_to, net_plus_tax, totals_that_add_up
from extraction_pipeline.checks.dates import the_documents_own_date
from extraction_pipeline.checks.lists import rows_left_out
from extraction_pipeline.checks.numbers import number_without_its_label, the_documents_own_number
from extraction_pipeline.checks.parties import named_as_seller, seller_completed
from extraction_pipeline.checks.plausibility import (
    misplaced,
    not_a_name,
    not_a_subtotal,
    number_for_a_name,
    sign_as_printed,
)
from extraction_pipeline.checks.tax_summary import totals_from_tax_summary

CHECKS = [
    number_for_a_name,
    not_a_name,
    misplaced,
    named_as_seller("issuer"),
    the_documents_own_date("date"),
    the_documents_own_number("invoice_number"),
    line_arithmetic,
    rows_left_out("line_items", "line_total", priced_rows=True),
    lines_add_up_to("net_total"),
    net_plus_tax("net_total", "tax_total", "total"),
    sign_as_printed("net_total", "tax_total", "total"),
    not_a_subtotal("total"),
]

_seller = seller_completed("issuer")
_number = number_without_its_label("invoice_number")
_totals = totals_from_tax_summary("net_total", "tax_total", "total")
_sums = totals_that_add_up("net_total", "tax_total", "total")


def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
    totals = _totals(answer, text)
    # Totals the tax summary's sums proved stand; the printed-amount completion fills in the others.
    sums = {f: v for f, v in _sums({**answer, **totals}, text).items() if f not in totals}
    return {**_seller(answer, text), **_number(answer, text), **totals, **sums}


__all__ = ["CHECKS", "complete"]
