"""Storage: the record and quarantine tables, keyed by document id and updated in place."""
