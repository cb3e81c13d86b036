"""The receipt's rules, written from errors on SROIE training receipts 1-300 (docs/accuracy.md): the
seller's name and address completed from the lines around the model's answer, a name that is a
customer's or a registration number, and a total that disagrees with the payment printed."""

from extraction_pipeline.checks.layout import complete
from extraction_pipeline.checks.plausibility import misplaced, number_for_a_name, payment_note, total_problem

CHECKS = [number_for_a_name, misplaced, total_problem]
reask_note = payment_note

__all__ = ["CHECKS", "complete", "reask_note"]
