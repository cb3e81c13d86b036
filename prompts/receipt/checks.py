"""The receipt's rules, written from errors on SROIE training receipts 1-300 and cord-receipts 300-309
(docs/accuracy.md): the seller's name and address completed from the lines around the model's
answer; a name that is a customer's, a registration number, a label, a web address or register
details (the invoice pack's rule: it never fired on the SROIE labels or answers) or an item with
its price; an address that holds a registration or phone number line; a total that disagrees with
the payment printed. A line's quantity x unit price must be its amount and its description more
than numbers; the lines need not add up to the total (tax, service charges and discounts sit
between them). A total given as the cash tendered, where OCR read the change below it without its
label, is the tendered amount minus that change; one given as the cash or the change, where their
difference is printed on a total line, is that difference. The check that a list holds every row
of its table (checks/lists.py) is not one of them: a till prints each item's count and price on a
line of its own, modifiers and codes between items, and on the tuning receipts every row it quoted
was an item's (3 false alarms, 2 on complete gold lists, and no row left out found, over 100
answers and 310 gold lists)."""

from typing import Any

from extraction_pipeline.checks.arithmetic import line_arithmetic, lines_named
from extraction_pipeline.checks.layout import complete as names_completed
from extraction_pipeline.checks.plausibility import (
    change_read_without_its_label,
    item_for_a_name,
    misplaced,
    not_a_name,
    number_for_a_name,
    number_for_an_address,
    paid_not_tendered_or_change,
    payment_note,
    total_problem,
)

CHECKS = [
    number_for_a_name,
    number_for_an_address,
    not_a_name,
    item_for_a_name,
    misplaced,
    total_problem,
    line_arithmetic,
    lines_named,
]
reask_note = payment_note


def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        **names_completed(answer, text),
        **change_read_without_its_label(answer, text),
        **paid_not_tendered_or_change(answer, text),
    }


__all__ = ["CHECKS", "complete", "reask_note"]
