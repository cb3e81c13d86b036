"""Which schema a document gets: receipt, invoice, or other (quarantined as unsupported).

A deterministic vote of printed markers, not an LLM call: it is free, instant, and its errors are
reproducible. A receipt records a payment that happened (cash, change, a rounded total); an invoice
asks for one (invoice number, bill-to, due date, amount due). Many Malaysian receipts are headed
"TAX INVOICE", so that phrase alone decides nothing. A document with neither kind of marker, or no
amount at all, is "other": forcing it into a schema would only produce a confident wrong record.
"""

from __future__ import annotations

import re

OTHER = "other"
_RECEIPT = re.compile(
    r"\b(CASH|CHANGE|RECEIPT|ROUNDING|SUBTOTAL|SUB TOTAL|QTY|CASHIER|THANK YOU|TOTAL|GST|VISA|MASTERCARD|TENDER)\b",
    re.IGNORECASE,
)
_INVOICE = re.compile(
    r"(INVOICE[ \t]*(NO|NUMBER|#|DATE)|BILL(ED)?[ \t]+TO|DUE[ \t]+DATE|PAYMENT[ \t]+TERMS|AMOUNT[ \t]+DUE|"
    r"BALANCE[ \t]+DUE|IBAN|PURCHASE[ \t]+ORDER|P\.?O\.?[ \t]+NUMBER|REMIT|NET[ \t]+\d+[ \t]+DAYS)",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\d+[.,]\d{2}\b")


def detect_type(text: str) -> str:
    if not _AMOUNT.search(text):
        return OTHER
    receipt = len({m.group(1).upper() for m in _RECEIPT.finditer(text)})
    invoice = len({re.sub(r"\s+", " ", m.group(1).upper()) for m in _INVOICE.finditer(text)})
    if invoice >= 2 and invoice >= receipt - 2:
        return "invoice"
    if receipt >= 1:
        return "receipt"
    return "invoice" if invoice >= 1 else OTHER
