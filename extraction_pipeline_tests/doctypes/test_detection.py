"""Document type detection: receipts, invoices, and everything else (quarantined, not forced)."""

import pytest

from extraction_pipeline.doctypes.detection import detect_type
from extraction_pipeline.documents.reading import read_document
from extraction_pipeline_tests.support.helpers import INVOICE, INVOICE_ANSWER, SAMPLE_INBOX, materialize
from extraction_pipeline_tests.support.scripted_llm_server import Reply


@pytest.mark.parametrize(
    "path", sorted(p for p in SAMPLE_INBOX.iterdir() if p.name != "gold.jsonl"), ids=lambda p: p.name
)
def test_the_sample_receipts_are_receipts(path):
    assert detect_type(read_document(path, SAMPLE_INBOX).text) == "receipt"


def test_a_malaysian_tax_invoice_receipt_is_a_receipt_and_a_supplier_invoice_an_invoice():
    assert detect_type("TAX INVOICE\nMEGAH RETAIL SDN BHD\nTOTAL RM 4.70\nCASH RM 5.00\nCHANGE RM 0.30") == "receipt"
    assert detect_type(INVOICE) == "invoice"


@pytest.mark.parametrize(
    "text", ["Minutes of the meeting.\nWe agreed to ship on Monday.", "Dear Sir, the rent is 1,200.00 a month."]
)
def test_anything_else_is_other(text):
    assert detect_type(text) == "other"


def test_other_documents_are_quarantined_as_unsupported_after_one_classification_call(scripted_llm, tmp_path):
    """A document no marker and no model call assigns to a type is quarantined, never forced into one."""

    def respond(request):
        if request["response_format"]["json_schema"]["name"] == "document_type":
            return Reply('{"type": "other"}')
        return Reply(INVOICE_ANSWER)

    server = scripted_llm(respond)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "letter.txt").write_text("Dear Sir, thank you for your letter of Monday.")
    (inbox / "invoice.txt").write_text(INVOICE)
    result, _ = materialize(inbox, tmp_path / "out")
    report = result.output_for_node("quality_report")
    assert report.quarantine_by_kind == {"unsupported": 1} and report.records == 1
    assert report.documents_by_type == {"invoice": 1, "other": 1}
    names = sorted(r["response_format"]["json_schema"]["name"] for r in server.requests)
    assert names == ["document_type", "invoice"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Muster GmbH\nRechnungsnummer 2024-17\nRechnungsdatum 05.03.2024\nNettobetrag 100,00\nZahlbar bis 04.04.2024", "invoice"),
        ("SARL Dupont\nFacture n° F-117\nTotal HT 100,00\nTotal TTC 120,00\nÉchéance 30/04/2024", "invoice"),
        ("Bakkerij Jansen\nFactuurnummer 17\nVervaldatum 30-04-2024\nTotaal 12,50", "invoice"),
        ("FACTURA\nNº factura: A-17\nBase imponible 491,00\nIVA 21% 103,11\nTotal factura 594,11 €", "invoice"),
        ("Lda.\nFATURA FT 2024/87\nATCUD: JFQ4R7TZ-87\nTotal ilíquido 450,00\nTotal 553,50 EUR", "invoice"),
        ("FAKTURA VAT nr FV/112/2024\nSprzedawca: Drukarnia Nowak\nRazem 400,00\nDo zapłaty: 492,00 PLN", "invoice"),
        ("Idraulica Rossi S.r.l.\nFattura n. 12\nImponibile 2.102,00\nTotale 2.564,44", "invoice"),
        ("Schreinerei AG\nRechnung 2024-1187\nTotal CHF 4'496.96\nEmpfangsschein\nZahlbar durch", "invoice"),
        # Real invoices of the tuning part (OCA/edi's tests): an Odoo invoice titled by its number, and
        # a French telecom bill, each with one generic marker and a `Total`.
        ("Description Quantity Amount\nInvoice SAJ/2017/002\nInvoice Date:\n04/01/2017\nTotal 650.00 €", "invoice"),
        ("voici votre facture du 2 novembre 2019\nMontant total 12,99\nDate de facture : 02/11/2019", "invoice"),
        # A Swiss QR bill's slip in English (OCA's l10n-switzerland tests): its `Receipt` is the slip's.
        ("QR-bill for invoice INV/2020/0005\nReceipt\nAccount / Payable to\nPayable by\nCHF 1.00\nPayment Part",
         "invoice"),
        # Invoices other projects keep (tuning): from Québec, Indonesia, Paraguay and Japan.
        ("Chat Illimités Inc.\nFacture #00042\nDate d'émission\n2024/04/15\nSous-total 9.41$\nGrand total 10.82$",
         "invoice"),
        ("INVOICE PEMBAYARAN No. Invoice INV/2024/05/001\nRINCIAN TAGIHAN\nJumlah\nSubtotal Rp 5.500.000\n"
         "Total Rp 6.105.000\nPembayaran wajib dilakukan sebelum tanggal jatuh tempo.", "invoice"),
        ("Factura electrónica\nN°: 001-001-0000021\nFecha y Hora de Emisión: 2026-03-05T11:34:25\n"
         "Condición de Venta: Contado\nTotal Operación: 1.560.000\nTotal IVA: 141.818", "invoice"),
        ("御請求書（見本）\n請求書番号: 20240210-SAMPLE\n請求先\n湯ちち株式会社\n合計 (税込) 550000 JPY", "invoice"),
        # A US template's letter-spaced title (tuning): `Total` alone had made it a receipt.
        ("LARC I N V O I C E #1\nMay 7, 2020\nPayable To Lowland Applied Research\nTotal $550.00\nPaid $0.00\n"
         "Balance Due $550.00", "invoice"),
        ("CAFETERIA S.L.\nFACTURA SIMPLIFICADA Nº T-18832\nTOTAL 9,30 €\nBase imponible 10% 8,45\nEFECTIVO 10,00",
         "receipt"),
        ("Backstube Müller\nKassenbon\nBrezel 1,20\nSUMME 1,20\nBAR 5,00\nRückgeld 3,80", "receipt"),
        ("Warung Makan Sari\nNasi Goreng 25.000\nTotal 25.000\nTunai 50.000\nKembalian 25.000", "receipt"),
        ("1 KING DEAL FISH 25000\nNET SALES 25000\nTAX 2500\nTENDERED 100000\nCHANGE 72500", "receipt"),
        # A title `Invoice 10023` counts only first on its line, not in a Malaysian receipt's `TAX INVOICE`.
        ("TAX INVOICE 10023\nINVOICE DATE 05/03/2024\nTOTAL 9.50\nCASH 10.00", "receipt"),
    ],
)  # fmt: skip
def test_markers_are_read_in_many_languages(text, expected):
    assert detect_type(text) == expected
