"""Structured data out of documents with LLMs: a plain-Python core with a thin Dagster shell."""
