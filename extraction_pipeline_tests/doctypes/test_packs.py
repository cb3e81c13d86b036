"""Document types as packs: the built-in ones, a user's pack from a folder, and packs that cannot load."""

import json
import textwrap
from decimal import Decimal

import pytest

from extraction_pipeline.checks.plausibility import total_problem
from extraction_pipeline.doctypes.packs import PackError, load_pack, load_packs
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.classify import classify
from extraction_pipeline.extraction.extract import ExtractionSettings, extract_document
from extraction_pipeline.llm.client import LLMError
from extraction_pipeline.llm.prompts import load_prompt
from extraction_pipeline_tests.support.helpers import (
    DOC_TYPES,
    REPO,
    ScriptedClient,
    materialize,
    read_delta,
    write_inbox,
)
from extraction_pipeline_tests.support.scripted_llm_server import Reply, document_text

PROMPT = '''name = "{name}"
version = "1"
variables = [{variables}]
system = "Answer with the JSON object of the fields asked for."
user = """Text:
${{document_text}}"""
'''
FEE_SCHEMA = """
from pydantic import BaseModel, Field
from extraction_pipeline.doctypes.schemas import Amount, NonEmpty, PrintedDate

class BankFee(BaseModel):
    bank: NonEmpty = Field(description="the bank that charged the fee")
    date: PrintedDate
    fee: Amount
"""
FEE_CHECKS = """
from decimal import Decimal

def plausible_fee(record, document):
    if record["fee"] > Decimal(100):
        return {"fee": f"- fee: {record['fee']} is more than any fee printed; give the fee, not the balance."}
    return {}

CHECKS = [plausible_fee]
"""
FEE_LETTER = "NORDBANK AG\nStatement date 05.03.2024\nAccount fee 12.50\nBalance 4,210.00\n"


def write_pack(root, name, schema=FEE_SCHEMA, checks=None, variables='"document_text"'):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "schema.py").write_text(textwrap.dedent(schema))
    (folder / "prompt.toml").write_text(PROMPT.format(name=name, variables=variables))
    if checks is not None:
        (folder / "checks.py").write_text(textwrap.dedent(checks))
    return folder


def test_the_built_in_types_are_packs_in_prompts():
    assert set(DOC_TYPES) == {"invoice", "receipt", "transaction"}
    assert all(t.folder == REPO / "prompts" / name for name, t in DOC_TYPES.items())
    # The till's payment rules are the receipt's alone; an invoice's total is not checked against cash.
    assert total_problem in DOC_TYPES["receipt"].checks and total_problem not in DOC_TYPES["invoice"].checks
    assert DOC_TYPES["transaction"].checks == () and DOC_TYPES["transaction"].completer is None


def test_a_user_pack_from_a_folder_runs_through_the_graph_with_its_own_check(scripted_llm, tmp_path):
    """No package code changes: a folder of packs, an inbox subfolder named like the type, and the
    pack's own check re-asks a wrong answer as the built-in checks do."""
    types_dir = tmp_path / "my_types"
    write_pack(types_dir, "bank_fee", checks=FEE_CHECKS)
    answers = iter(['{"bank": "NORDBANK AG", "date": "05.03.2024", "fee": 4210.00}',
                    '{"bank": "NORDBANK AG", "date": "05.03.2024", "fee": 12.50}'])  # fmt: skip
    server = scripted_llm(lambda request: Reply(next(answers)))
    inbox = write_inbox(tmp_path / "inbox", {"bank_fee/march.txt": FEE_LETTER})

    result, metadata = materialize(inbox, tmp_path / "out", document_types_dir=str(types_dir))

    assert result.success
    first, reask = server.requests
    assert first["response_format"]["json_schema"]["name"] == "bank_fee"
    assert set(first["response_format"]["json_schema"]["schema"]["properties"]) == {"bank", "date", "fee"}
    assert "is more than any fee printed; give the fee" in json.dumps(reask["messages"])
    records = read_delta(tmp_path / "out" / "records")
    (row,) = records.itertuples()
    assert (row.document_type, row.bank, Decimal(str(row.fee)), str(row.date)) == (
        "bank_fee", "NORDBANK AG", Decimal("12.5"), "2024-03-05",
    )  # fmt: skip
    assert metadata["llm_extractions"]["document_types.decided_by.folder"].value == 1


STATEMENT_SCHEMA = """
from pydantic import BaseModel
from extraction_pipeline.doctypes.schemas import NonEmpty, PrintedDate, SignedAmount

class Movement(BaseModel):
    date: PrintedDate
    description: NonEmpty
    amount: SignedAmount

class Statement(BaseModel):
    movements: list[Movement]
"""
STATEMENT = """Sparkasse Musterstadt   Kontoauszug 3/2026
Alter Kontostand am 28.02.2026                 1.254,30 EUR
02.03.2026 Lastschrift Stadtwerke Strom       84,00
03.03.2026 Kartenzahlung REWE                 62,17
05.03.2026 Gehalt Muster GmbH                           3.120,55
07.03.2026 Dauerauftrag Miete                950,00
11.03.2026 Kartenzahlung Tankstelle           71,40
Neuer Kontostand am 31.03.2026                 3.206,98 EUR
"""


def test_a_user_pack_can_check_that_its_list_holds_every_row_of_the_table(tmp_path):
    """`checks.lists.rows_left_out`: the rows shaped like the answer's rows (a date, one amount)
    whose amount is in no item are quoted in a re-ask; the balances, another shape, are not rows."""
    checks = (
        'from extraction_pipeline.checks.lists import rows_left_out\nCHECKS = [rows_left_out("movements", "amount")]\n'
    )
    pack = load_pack(write_pack(tmp_path / "types", "statement", schema=STATEMENT_SCHEMA, checks=checks))
    rows = [("02.03.2026", "Lastschrift Stadtwerke Strom", -84.00), ("03.03.2026", "Kartenzahlung REWE", -62.17),
            ("05.03.2026", "Gehalt Muster GmbH", 3120.55), ("07.03.2026", "Dauerauftrag Miete", -950.00),
            ("11.03.2026", "Kartenzahlung Tankstelle", -71.40)]  # fmt: skip

    def answer(kept):
        return json.dumps({"movements": [{"date": d, "description": t, "amount": a} for d, t, a in kept]})

    client = ScriptedClient([answer(rows[:1] + rows[2:4]), answer(rows)])  # the first skips two rows
    doc = Document("s1", "/inbox/statement/s1.txt", "text", len(STATEMENT), STATEMENT)
    outcome = extract_document(doc, client, pack, load_prompt("reask"), ExtractionSettings())
    reask = json.dumps(client.calls[1], ensure_ascii=False)
    assert (
        "the rows '03.03.2026 Kartenzahlung REWE 62,17', '11.03.2026 Kartenzahlung Tankstelle 71,40' are in no item"
        in reask
    )
    assert "Kontostand" not in reask.split("are in no item")[0].rsplit("movements:", 1)[-1]
    assert outcome.status == "valid" and outcome.ungrounded == [] and len(outcome.record["movements"]) == 5


def test_the_transaction_pack_keeps_money_going_out_negative():
    line = "05/03/2024  CARD PAYMENT TO TESCO STORES 3297  -23.45 GBP"
    client = ScriptedClient(['{"date": "05/03/2024", "amount": -23.45, "concept": "CARD PAYMENT TO TESCO STORES 3297", '
                             '"currency": "GBP"}'])  # fmt: skip
    doc = Document("t1", "/inbox/transaction/t1.txt", "text", len(line), line)
    outcome = extract_document(doc, client, DOC_TYPES["transaction"], load_prompt("reask"), ExtractionSettings())
    assert outcome.status == "valid" and outcome.ungrounded == []
    assert outcome.record["amount"] == Decimal("-23.45") and str(outcome.record["date"]) == "2024-03-05"


def test_a_pack_may_nest_models_beside_its_one_top_level_model(tmp_path):
    nested = """
    from pydantic import BaseModel
    class Line(BaseModel):
        description: str
    class Order(BaseModel):
        number: str
        lines: list[Line]
    """
    pack = load_pack(write_pack(tmp_path, "order", schema=nested))
    assert pack.model.__name__ == "Order" and pack.fields == ["number", "lines"]


BROKEN = [
    ("no model", "x = 1\n", None, "needs exactly one top-level pydantic BaseModel subclass, found none"),
    (
        "two models",
        "from pydantic import BaseModel\nclass A(BaseModel):\n    a: str\nclass B(BaseModel):\n    b: str\n",
        None,
        "found A, B",
    ),
    ("syntax error", "class (:\n", None, "SyntaxError"),
    ("checks not functions", FEE_SCHEMA, "CHECKS = ['fee']\n", "CHECKS must be a list of functions"),
]


@pytest.mark.parametrize("schema, checks, message", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_malformed_pack_fails_at_load_naming_the_file(tmp_path, schema, checks, message):
    folder = write_pack(tmp_path, "broken", schema=schema, checks=checks)
    with pytest.raises(PackError, match=message) as failure:
        load_packs(tmp_path)
    assert str(folder) in str(failure.value)


def test_a_prompt_whose_variables_do_not_match_fails_at_load(tmp_path):
    """A template with other variables could not be given the document: caught before any call."""
    folder = write_pack(tmp_path, "fee", variables='"document_text", "language"')
    with pytest.raises(PackError, match=r"prompt.toml: declared variables") as failure:
        load_pack(folder)
    assert str(folder / "prompt.toml") in str(failure.value)
    (folder / "prompt.toml").write_text(PROMPT.format(name="fee", variables='"text"').replace("document_text", "text"))
    with pytest.raises(PackError, match=r"variables must be \['document_text'\]"):
        load_pack(folder)


def test_a_missing_prompt_or_schema_is_named(tmp_path):
    folder = write_pack(tmp_path, "fee")
    (folder / "schema.py").unlink()
    with pytest.raises(PackError, match="schema.py: missing"):
        load_pack(folder)
    with pytest.raises(PackError, match="does not exist"):
        load_packs(tmp_path / "nowhere")


def test_a_user_pack_named_like_a_built_in_replaces_it(tmp_path):
    write_pack(tmp_path, "receipt")
    packs = load_packs(REPO / "prompts", tmp_path)
    assert packs["receipt"].folder == tmp_path / "receipt" and packs["receipt"].checks == ()
    assert packs["invoice"].folder == REPO / "prompts" / "invoice"


def test_a_run_configured_with_an_unknown_type_fails_before_any_call(scripted_llm, tmp_path):
    server = scripted_llm(lambda request: Reply("{}"))
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": FEE_LETTER})
    with pytest.raises(Exception, match="document_type 'bank_fee' is not a known type"):
        materialize(inbox, tmp_path / "out", document_type="bank_fee")
    assert server.requests == []


def test_a_document_without_markers_is_classified_by_one_cheap_call(scripted_llm, tmp_path):
    """Markers know receipts and invoices; a user's type is named by a call restricted to the known
    types, recorded and priced with the document's calls."""
    types_dir = tmp_path / "my_types"
    write_pack(types_dir, "bank_fee")

    def respond(request):
        if request["response_format"]["json_schema"]["name"] == "document_type":
            return Reply('{"type": "bank_fee"}' if "NORDBANK" in document_text(request) else '{"type": "other"}')
        return Reply('{"bank": "NORDBANK AG", "date": "05.03.2024", "fee": 12.50}')

    server = scripted_llm(respond)
    inbox = write_inbox(tmp_path / "inbox", {"march.txt": FEE_LETTER, "minutes.txt": "Minutes of the 2024 meeting"})
    _, metadata = materialize(inbox, tmp_path / "out", document_types_dir=str(types_dir))

    classify_requests = [r for r in server.requests if r["response_format"]["json_schema"]["name"] == "document_type"]
    assert len(classify_requests) == 2
    assert set(classify_requests[0]["response_format"]["json_schema"]["schema"]["properties"]["type"]["enum"]) == {
        "bank_fee", "invoice", "receipt", "transaction", "other",
    }  # fmt: skip
    records = read_delta(tmp_path / "out" / "records")
    assert records.document_type.tolist() == ["bank_fee"] and records.attempts.tolist() == [2]
    (unsupported,) = read_delta(tmp_path / "out" / "quarantine").itertuples()
    assert unsupported.error_kind == "unsupported" and "the model named none" in unsupported.reason
    assert metadata["llm_extractions"]["document_types.decided_by.llm"].value == 2


def test_the_classification_answer_is_read_like_any_answer_and_never_outside_the_list():
    doc = Document("t", "/inbox/t.txt", "text", 10, "05/03/2024 CARD PAYMENT -23.45")
    names, prompt = list(DOC_TYPES), load_prompt("classify")
    assert classify(doc, ScriptedClient(['```json\n{"type": "transaction"}\n```']), prompt, names)[0] == "transaction"
    assert classify(doc, ScriptedClient(['{"type": "payslip"}']), prompt, names)[0] == "other"
    named, call = classify(doc, ScriptedClient([LLMError("timeout", "no answer in 300 s")]), prompt, names)
    assert named == "other" and call.error_kind == "timeout"
