"""Checks that document-type packs can use: rules about printed documents (where a seller's name and
address are printed, what a receipt's payment says about its total). The core calls none of them; a
pack's `checks.py` picks the ones that fit its documents."""
