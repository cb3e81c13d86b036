"""Extraction and its checks: one document through the model with parsing, validation, grounding and re-asks; many at once."""
