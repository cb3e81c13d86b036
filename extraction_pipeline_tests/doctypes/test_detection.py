"""Document type detection: receipts, invoices, and everything else (quarantined, not forced)."""

import pytest

from extraction_pipeline.doctypes.detection import detect_type
from extraction_pipeline.documents.reading import read_document
from extraction_pipeline_tests.support.helpers import INVOICE, SAMPLE_INBOX, materialize
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


def test_other_documents_are_quarantined_as_unsupported_without_an_llm_call(scripted_llm, tmp_path):
    server = scripted_llm(lambda req: Reply('{"issuer": "ACME Industrial GmbH", "invoice_number": "INV-2024-117", '
                                            '"date": "2024-03-05", "total": 1250.00, "currency": "EUR"}'))  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "letter.txt").write_text("Dear Sir, thank you for your letter of Monday.")
    (inbox / "invoice.txt").write_text(INVOICE)
    result, _ = materialize(inbox, tmp_path / "out")
    report = result.output_for_node("quality_report")
    assert report.quarantine_by_kind == {"unsupported": 1} and report.records == 1
    assert report.documents_by_type == {"invoice": 1, "other": 1}
    assert len(server.requests) == 1 and "invoice" in server.requests[0]["messages"][0]["content"]
