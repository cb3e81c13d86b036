"""Which document type a document gets: as configured, by its inbox folder, or by printed markers.

A run configured with one type gives every document that type. Otherwise a document in an inbox
subfolder named like a type (`inbox/transaction/...`) gets that type, and the rest are told apart by
a deterministic vote of printed markers, not an LLM call: it is free, instant, and its errors are
reproducible. A receipt records a payment that happened (cash, change, a rounded total); an invoice
asks for one (invoice number, bill-to, due date, amount due). Many Malaysian receipts are headed
"TAX INVOICE", so that phrase alone decides nothing; a Spanish or Portuguese till slip is a
`factura simplificada` (a simplified invoice), which counts for a receipt. A document with neither
kind of marker, or no amount at all, is "other": forcing it into a schema would only produce a
confident wrong record.
"""

from __future__ import annotations

import re
from collections.abc import Container

from extraction_pipeline.doctypes.packs import AUTO, OTHER
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.values import spaced_letters_joined

# How a document's type was decided, as counted in the run's metadata.
BY_CONFIG, BY_FOLDER, BY_MARKERS, BY_LLM = "config", "folder", "markers", "llm"
# Printed words of a payment made (a till's receipt) and of a payment asked for (an invoice), in
# English, German, French, Dutch, Spanish, Italian and Malay/Indonesian; an invoice's also in
# Portuguese, Polish, Czech, the Nordic languages, Japanese and the Swiss QR bill's four. Each distinct word
# is a vote. `Invoice` first on a line before a number is an invoice's title (`Invoice SAJ/2017/002`,
# as Odoo prints it); a Malaysian receipt's `TAX INVOICE` is not one.
_RECEIPT = re.compile(
    r"\b(CASH|CHANGE|RECEIPT|ROUNDING|SUBTOTAL|SUB TOTAL|QTY|CASHIER|THANK YOU|TOTAL|GST|VISA|MASTERCARD|TENDER"
    r"|QUITTUNG|KASSENBON|KASSENZETTEL|BAR|RÜCKGELD|WECHSELGELD|GEGEBEN|KASSE"
    r"|TICKET|REÇU|ESPÈCES|RENDU|MONNAIE|CAISSE"
    r"|KASSABON|CONTANT|WISSELGELD"
    r"|RECIBO|EFECTIVO|CAMBIO|SCONTRINO|CONTANTI|RESTO|FACTURA SIMPLIFICADA|FATURA SIMPLIFICADA|TICKET DE CAISSE"
    r"|DOCUMENTO COMMERCIALE"
    r"|STRUK|TUNAI|KEMBALIAN|KASIR|BAYAR|JUMLAH|DEBIT|ITEMS?)\b",
    re.IGNORECASE,
)
_INVOICE = re.compile(
    r"(INVOICE[ \t]*(NO|NUMBER|#|DATE)|^INVOICE(?=[ \t]+[A-Z]*[/#-]?[A-Z0-9/-]*\d)"
    r"|BILL(ED)?[ \t]+TO|SHIP[ \t]+TO|SOLD[ \t]+TO|DUE[ \t]+DATE|PAYMENT[ \t]+TERMS"
    r"|AMOUNT[ \t]+DUE|BALANCE[ \t]+DUE|IBAN|PURCHASE[ \t]+ORDER|P\.?O\.?[ \t]+NUMBER|REMIT|NET[ \t]+\d+[ \t]+DAYS"
    r"|CREDIT[ \t]+NOTE|VAT[ \t]+(NO|NUMBER|REG)"
    r"|RECHNUNGS?[ \t-]*(NUMMER|NR|DATUM|EMPFÄNGER|BETRAG|SUMME)|GUTSCHRIFT|ZAHLBAR|ZAHLUNGSZIEL|FÄLLIG"
    r"|UST\.?[ \t-]*ID|STEUER[ \t-]*(NUMMER|NR)|LEISTUNGSDATUM|LIEFERDATUM|NETTOBETRAG|BRUTTOBETRAG|BANKVERBINDUNG"
    r"|EMPFANGSSCHEIN|ZAHLTEIL|MWST[ \t.-]*NR|PAYMENT[ \t]+PART|ACCEPTANCE[ \t]+POINT|PAYABLE[ \t]+BY"
    r"|SECTION[ \t]+PAIEMENT|POINT[ \t]+DE[ \t]+DÉPÔT|PAYABLE[ \t]+PAR|SEZIONE[ \t]+PAGAMENTO|PAGABILE[ \t]+DA"
    r"|FACTURE|(?:DATE|N°|NUMÉRO)[ \t]+DE[ \t]+FACTURE|DATE[ \t]+D'ÉCHÉANCE|ÉCHÉANCE|AVOIR|TOTAL[ \t]+HT"
    r"|TOTAL[ \t]+TTC|NET[ \t]+À[ \t]+PAYER|SIRET"
    r"|FACTUUR|VERVALDATUM|BTW[ \t-]*(NR|NUMMER)"
    r"|FACTURA(?![ \t]+SIMPLIFICADA)|VENCIMIENTO|BASE[ \t]+IMPONIBLE|FORMA[ \t]+DE[ \t]+PAGO"
    r"|FECHA[ \t]+(?:Y[ \t]+HORA[ \t]+)?DE[ \t]+EMISI[ÓO]N|CONDICI[ÓO]N[ \t]+DE[ \t]+VENTA"
    r"|FATTURA|PARTITA[ \t]+IVA|SCADENZA|IMPONIBILE|\bCEDENTE|CESSIONARIO"
    r"|FATURA(?![ \t]+SIMPLIFICADA)|VENCIMENTO|ATCUD|TOTAL[ \t]+ILÍQUIDO"
    r"|FAKTURA|SPRZEDAWCA|NABYWCA|DO[ \t]+ZAPŁATY|TERMIN[ \t]+PŁATNOŚCI|DATUM[ \t]+SPLATNOSTI|DODAVATEL|ODBĚRATEL"
    r"|FÖRFALLODATUM|FORFALDSDATO|FORFALLSDATO|ERÄPÄIVÄ|\bLASKU"
    r"|DATE[ \t]+D['’]ÉMISSION|NO\.?[ \t]*INVOICE|JATUH[ \t]+TEMPO|TAGIHAN|\bFAKTUR\b"
    r"|請求書|請求先|請求金額|支払期限|振込先)",
    re.IGNORECASE | re.MULTILINE,
)
# An amount: two decimals, thousands grouped without decimals (1.591.600), or plain (25000: rupiah).
_AMOUNT = re.compile(r"\d+[.,]\d{2}\b|\d{1,3}(?:[.,]\d{3})+\b|\b\d{3,}\b")


def detect_type(text: str) -> str:
    if not _AMOUNT.search(text):
        return OTHER
    text = spaced_letters_joined(text)  # a US template's title `I N V O I C E #1`
    receipt = len({m.group(1).upper() for m in _RECEIPT.finditer(text)})
    invoice = len({re.sub(r"\s+", " ", m.group(1).upper()) for m in _INVOICE.finditer(text)})
    if invoice >= 2 and invoice >= receipt - 2:
        return "invoice"
    if receipt >= 1:
        return "receipt"
    return "invoice" if invoice >= 1 else OTHER


def decide_type(doc: Document, requested: str, known: Container[str]) -> tuple[str, str]:
    """The document's type and how it was decided. A marker vote for a type the run does not know
    (a user replaced the packs) is `other`, never a crash; a document left `other` by the markers
    gets a classification call (extraction/classify.py) before it is quarantined."""
    if requested != AUTO:
        return requested, BY_CONFIG
    if doc.inbox_folder in known:
        return doc.inbox_folder, BY_FOLDER
    detected = detect_type(doc.text)
    return (detected if detected in known else OTHER), BY_MARKERS
