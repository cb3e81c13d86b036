"""Document types: the pydantic model of each, and which type a document is."""
