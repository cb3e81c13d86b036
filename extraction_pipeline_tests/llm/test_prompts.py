"""Prompts are code: pinned renderings, loud failures on variables, versions and hashes recorded."""

import pytest

from extraction_pipeline.llm.prompts import PromptError, load_prompt
from extraction_pipeline_tests.support.helpers import INVOICE_TYPE, RECEIPT

RECEIPT_SYSTEM = """You read the OCR text of a shop receipt and answer with one JSON object with these fields:
- line_items: every item bought, in the order printed, each {"description", "quantity", "unit_price", "line_total"}: the item's name as printed; how many (printed as 2, 2x, x2 or 2 X; null if not printed); the price of one unit (null if not printed); the line's amount. An item's name and its numbers may be on two lines. A line under an item that adds an option to it (+Hot, *EXTRA CHEESE*) is part of that item. Stop at the first subtotal or total line: subtotal, tax, service, discount, total, payment and change lines are never items.
- company: the seller's business name from the top of the receipt, usually the line with SDN BHD, S/B, ENTERPRISE, TRADING, HARDWARE, RESTORAN or similar. Skip a person's name printed above it. Leave out registration numbers such as (519537-X) and branch or mall names in brackets. null when no seller's name is printed (a receipt that starts with its items).
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
MILO 3IN1
2 x 3.00 6.00
1 ROTI GARDENIA 6.52
TOTAL RM 12.52
ROUNDING ADJ -0.02
TOTAL ROUNDED RM 12.50
CASH RM 20.00
CHANGE RM 7.50
Answer:
{"line_items": [{"description": "MILO 3IN1", "quantity": 2, "unit_price": 3.00, "line_total": 6.00}, {"description": "ROTI GARDENIA", "quantity": 1, "unit_price": null, "line_total": 6.52}], "company": "KEDAI RUNCIT MAJU SDN BHD", "date": "05/03/2018", "address": "NO. 5, JALAN BUNGA 3, TAMAN MELATI, 53100 KUALA LUMPUR", "total": 12.50, "currency": "RM"}

Example receipt:
2 ES TEH MANIS 10.000
NASI GORENG AYAM
1 x 25.000 25.000
+Telur
Subtotal 35.000
PB1 10% 3.500
Total 38.500
Cash 50.000
Kembali 11.500
Answer:
{"line_items": [{"description": "ES TEH MANIS", "quantity": 2, "unit_price": null, "line_total": 10000}, {"description": "NASI GORENG AYAM", "quantity": 1, "unit_price": 25000, "line_total": 25000}], "company": null, "date": null, "address": null, "total": 38500, "currency": null}"""


def test_receipt_prompt_renders_exactly_this_for_a_fixed_input():
    prompt = RECEIPT.prompt
    assert prompt.version == "6"
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
    assert load_prompt("reask").render(error="- total: Field required", fields="only these fields: total") == [
        {
            "role": "user",
            "content": "An answer to this was rejected:\n- total: Field required\n"
            "Answer again with one corrected JSON object only, with only these fields: total, copying values from the "
            "document.",
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


def test_a_placeholder_in_format_braces_is_named_with_the_spelling_that_works(tmp_path):
    """`{document_text}` (str.format's, Jinja's single braces) is plain text to string.Template."""
    (tmp_path / "braces.toml").write_text(
        'name = "b"\nversion = "1"\nvariables = ["document_text"]\nuser = "{document_text}"\n'
    )
    with pytest.raises(
        PromptError, match=r"uses \[\] \(a placeholder is written \$\{document_text\}, not \{document_text\}\)"
    ):
        load_prompt("braces", tmp_path)


def test_the_hash_changes_with_any_edit_and_is_part_of_the_reference(tmp_path):
    (tmp_path / "p.toml").write_text('name = "p"\nversion = "3"\nvariables = []\nuser = "hello"\n')
    first = load_prompt("p", tmp_path)
    (tmp_path / "p.toml").write_text('name = "p"\nversion = "3"\nvariables = []\nuser = "hello!"\n')
    second = load_prompt("p", tmp_path)
    assert first.sha256 != second.sha256
    assert first.ref == f"p@v3#{first.sha256[:12]}"
