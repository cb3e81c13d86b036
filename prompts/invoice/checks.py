"""An invoice's seller is printed above its address like a shop's: the same name rules as receipts.
The payment rules are a till's (cash tendered, change) and do not apply."""

from extraction_pipeline.checks.layout import complete
from extraction_pipeline.checks.plausibility import misplaced, number_for_a_name

CHECKS = [number_for_a_name, misplaced]

__all__ = ["CHECKS", "complete"]
