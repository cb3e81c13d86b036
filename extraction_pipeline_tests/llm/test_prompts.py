"""Prompts are code: pinned renderings, loud failures on variables, versions and hashes recorded."""

import pytest

from extraction_pipeline.llm.prompts import PromptError, load_prompt
from extraction_pipeline_tests.support.helpers import INVOICE_TYPE, RECEIPT

RECEIPT_SYSTEM = """You read the OCR text of a shop receipt and answer with one JSON object with these fields:
- company: the seller's business name from the top of the receipt, usually the line with SDN BHD, S/B, ENTERPRISE, TRADING, HARDWARE, RESTORAN or similar. Skip a person's name printed above it. Leave out registration numbers such as (519537-X) and branch or mall names in brackets. null when no seller's name is printed.
- date: the date of purchase exactly as printed (e.g. 25/12/2018 or 12-01-19), without the time; null when none is printed.
- address: the seller's address as printed below the company name, its lines joined with spaces, from the street number (NO., LOT) to the postcode, town and state. Leave out registration, phone, fax and GST numbers. null when no address is printed.
- total: the final amount to pay, including tax and after rounding (TOTAL ROUNDED, or the amount after a ROUNDING line), as a plain number copied digit for digit. Never CASH, CHANGE, a subtotal or the total before rounding.
- currency: the currency as printed (e.g. RM), or null.
Copy every value from the receipt; never invent or correct one.

Example receipt:
TAN AH KOW
KEDAI RUNCIT MAJU SDN BHD
(123456-A)
NO. 5, JALAN BUNGA 3,
TAMAN MELATI, 53100 KUALA LUMPUR
TEL: 03-4100 1234
(TESCO MELATI)
DATE: 05/03/2018 10:21 AM
TOTAL RM 12.52
ROUNDING ADJ -0.02
TOTAL ROUNDED RM 12.50
CASH RM 20.00
CHANGE RM 7.50
Answer:
{"company": "KEDAI RUNCIT MAJU SDN BHD", "date": "05/03/2018", "address": "NO. 5, JALAN BUNGA 3, TAMAN MELATI, 53100 KUALA LUMPUR", "total": 12.50, "currency": "RM"}"""


def test_receipt_prompt_renders_exactly_this_for_a_fixed_input():
    prompt = RECEIPT.prompt
    assert prompt.version == "5"
    assert prompt.render(document_text="SHOP SDN BHD\nTOTAL 9.00") == [
        {"role": "system", "content": RECEIPT_SYSTEM},
        {"role": "user", "content": "Receipt text:\nSHOP SDN BHD\nTOTAL 9.00"},
    ]


def test_invoice_prompt_puts_fixed_instructions_first_and_the_document_last():
    messages = INVOICE_TYPE.prompt.render(document_text="INVOICE 7")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "${" not in messages[0]["content"]
    assert messages[1]["content"] == "Invoice text:\nINVOICE 7"


def test_reask_prompt_quotes_the_error():
    assert load_prompt("reask").render(error="- total: Field required") == [
        {
            "role": "user",
            "content": "Your answer was rejected:\n- total: Field required\n"
            "Answer again with one corrected JSON object only, with every field, copying values from the document.",
        }
    ]


def test_document_text_with_dollar_signs_is_inserted_verbatim():
    messages = RECEIPT.prompt.render(document_text="TOTAL $9.00 ${document_text}")
    assert messages[1]["content"].endswith("TOTAL $9.00 ${document_text}")


def test_missing_or_unknown_variables_fail_loudly():
    prompt = RECEIPT.prompt
    with pytest.raises(PromptError, match="missing variables \\['document_text'\\]"):
        prompt.render()
    with pytest.raises(PromptError, match="unknown variables \\['extra'\\]"):
        prompt.render(document_text="x", extra="y")


def test_a_template_whose_placeholders_differ_from_its_declared_variables_fails_at_load(tmp_path):
    (tmp_path / "bad.toml").write_text('name = "bad"\nversion = "1"\nvariables = ["a"]\nuser = "${a} ${b}"\n')
    with pytest.raises(PromptError, match="declared variables \\['a'\\] but the text uses \\['a', 'b'\\]"):
        load_prompt("bad", tmp_path)


def test_the_hash_changes_with_any_edit_and_is_part_of_the_reference(tmp_path):
    (tmp_path / "p.toml").write_text('name = "p"\nversion = "3"\nvariables = []\nuser = "hello"\n')
    first = load_prompt("p", tmp_path)
    (tmp_path / "p.toml").write_text('name = "p"\nversion = "3"\nvariables = []\nuser = "hello!"\n')
    second = load_prompt("p", tmp_path)
    assert first.sha256 != second.sha256
    assert first.ref == f"p@v3#{first.sha256[:12]}"
