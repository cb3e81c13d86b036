"""The re-ask loop: what is re-asked, what is not, and that every attempt's usage is kept."""

import json
from decimal import Decimal

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.llm.client import LLMError
from extraction_pipeline.quality.metrics import dropped_values, taken_from_document
from extraction_pipeline_tests.support.helpers import RECEIPT, extract_scripted

GOOD = '{"company": "SHOP SDN BHD", "date": "25/12/2018", "address": "1 JALAN", "total": 9.00, "currency": null}'
DOC = Document("abc123", "/inbox/r.txt", "text", 40, "SHOP SDN BHD\n1 JALAN\n25/12/2018\nTOTAL 9.00")


def run(script, doc=DOC, **settings):
    return extract_scripted(script, doc, **settings)


def test_valid_first_answer_is_one_call_with_its_provenance():
    outcome, client = run([GOOD])
    assert outcome.status == "valid" and outcome.record["total"] == 9
    (call,) = outcome.calls
    assert (call.attempt, call.model, call.finish_reason) == (1, "gpt-4o-mini", "stop")
    assert call.prompt_version == RECEIPT.prompt.version
    assert call.prompt == RECEIPT.prompt.ref and call.raw_output == GOOD
    assert call.cost_usd == 0.0001 and not call.cached


def test_an_answer_that_is_not_json_is_reasked_with_the_error_quoted_after_the_models_own_answer():
    bad = "The receipt is from SHOP SDN BHD."
    outcome, client = run([bad, GOOD])
    assert outcome.status == "valid" and len(outcome.calls) == 2
    second = client.calls[1]
    assert second[:2] == client.calls[0]  # same prefix: a prompt cache still applies
    assert second[2] == {"role": "assistant", "content": bad}
    assert "no JSON object" in second[3]["content"] and second[3]["content"].endswith(
        "with every field, copying values from the document."
    )
    assert client.schemas[1] == client.schemas[0]
    assert outcome.calls[0].error_kind == "parse_error" and outcome.calls[1].error_kind is None


def test_a_reask_asks_only_for_the_fields_in_question_without_the_answer_and_keeps_the_rest():
    """Shown its answer, a small model copies it; asked for the wrong field alone, after the first
    request, it reads that afresh. A field the re-ask was not asked about cannot change."""
    bad_date = GOOD.replace("25/12/2018", "31/02/2018")
    outcome, client = run([bad_date, '{"date": "25/12/2018", "company": "OTHER SDN BHD"}'])
    assert outcome.status == "valid" and outcome.ungrounded == [] and len(outcome.calls) == 2
    assert (str(outcome.record["date"]), outcome.record["company"]) == ("2018-12-25", "SHOP SDN BHD")
    assert outcome.calls[0].error_kind == "validation_error" and outcome.calls[1].error_kind is None
    first, second = client.calls
    assert second[:2] == first and len(second) == 3  # the first request, then the problem: no answer
    assert "date" in second[2]["content"] and second[2]["content"].endswith(
        "with only these fields: date, copying values from the document."
    )
    whole, reask = client.schemas
    assert list(whole["properties"]) == RECEIPT.fields and whole["required"] == RECEIPT.fields
    assert list(reask["properties"]) == ["date"] and reask["required"] == ["date"]
    assert reask["additionalProperties"] is False


def test_each_reask_about_some_fields_corrects_the_answer_made_so_far():
    missing_total = '{"company": "SHOP SDN BHD", "date": "25/12/2018", "address": "1 JALAN"}'
    outcome, client = run([missing_total, '{"total": 9.01}', '{"total": 9.00}'])
    assert outcome.status == "valid" and outcome.record["total"] == 9 and outcome.record["company"] == "SHOP SDN BHD"
    assert [len(messages) for messages in client.calls] == [2, 3, 3]
    assert "total: Field required" in client.calls[1][2]["content"]
    assert "total: the amount given does not appear in the document" in client.calls[2][2]["content"]


def test_still_invalid_after_the_last_reask_is_quarantined_with_the_reason_and_last_output():
    outcome, _ = run(["no json", "```json\n{}\n```", "still no json"], max_reasks=2)
    assert outcome.status == "quarantined" and outcome.error_kind == "parse_error"
    assert "after 3 attempts" in outcome.reason
    assert outcome.last_raw_output == "still no json"
    assert outcome.tokens == 3 * 550


def test_truncated_answer_is_not_reasked():
    outcome, client = run([('{"company": "SHOP', "length"), GOOD])
    assert len(client.calls) == 1
    assert outcome.status == "quarantined" and outcome.error_kind == "truncated"


LOOP = '{"company": "SHOP SDN BHD", "items": [' + '{"d": "KW 36", "n": 0.01}, ' * 40


def test_an_answer_cut_off_in_a_repetition_loop_is_reasked_without_the_loop():
    outcome, client = run([(LOOP, "length"), GOOD])
    assert outcome.status == "valid" and len(client.calls) == 2
    assert outcome.calls[0].error_kind == "repetition" and outcome.calls[0].raw_output == LOOP
    kept, reask = client.calls[1][-2:]
    assert kept == {"role": "assistant", "content": LOOP[: LOOP.index("}, ") + 3] + " ..."}
    assert "repeated the same text over and over" in reask["content"]


def test_a_loop_still_there_after_the_reasks_is_quarantined_as_one():
    outcome, client = run([(LOOP, "length")] * 3)
    assert len(client.calls) == 3 and outcome.status == "quarantined" and outcome.error_kind == "repetition"
    assert outcome.last_raw_output == LOOP


def test_content_filter_is_quarantined_without_reask():
    outcome, client = run([("", "content_filter")])
    assert len(client.calls) == 1 and outcome.error_kind == "content_filter"


def test_llm_fault_quarantines_with_its_kind():
    outcome, _ = run([LLMError("rate_limited", "still rate-limited (HTTP 429) after retries")])
    assert outcome.status == "quarantined" and outcome.error_kind == "rate_limited"
    assert outcome.calls[0].error == "still rate-limited (HTTP 429) after retries"


def test_no_reask_once_the_token_budget_is_spent():
    outcome, client = run(["no json", GOOD], token_budget_per_document=500)
    assert len(client.calls) == 1
    assert outcome.status == "quarantined" and "budget of 500 tokens per document" in outcome.reason


def test_no_reask_once_the_cost_budget_is_spent():
    outcome, client = run(["no json", GOOD], cost_budget_per_document_usd=0.0001)
    assert len(client.calls) == 1 and "0.0001 USD per document" in outcome.reason


MADE_UP_DATE = GOOD.replace('"25/12/2018"', '"32.728"')  # a date made from an amount, as a 1.5B model does


def test_an_optional_value_still_invalid_after_the_reasks_is_dropped_to_null_and_flagged():
    outcome, client = run([MADE_UP_DATE] * 3)
    assert len(client.calls) == 3 and "not a date" in client.calls[1][-1]["content"]
    assert outcome.status == "valid" and outcome.record["date"] is None and outcome.record["total"] == 9
    assert outcome.ungrounded == ["date"] and outcome.model_values == {"date": "32.728"}
    assert "- date: still invalid after the re-asks, set to null" in outcome.flag_reasons
    assert dropped_values([outcome]) == {"date": 1} and taken_from_document([outcome]) == {}


def test_an_invalid_value_is_dropped_only_on_the_last_attempt_and_only_when_optional():
    outcome, client = run([MADE_UP_DATE, GOOD])
    assert outcome.status == "valid" and outcome.record["date"] is not None and outcome.ungrounded == []
    required = GOOD.replace("9.00", '"nine"')
    outcome, _ = run([required] * 3)
    assert outcome.status == "quarantined" and outcome.error_kind == "validation_error"
    assert "total" in outcome.reason and outcome.last_raw_output == required


def test_of_a_list_only_the_entries_still_invalid_are_dropped():
    lines = '[{"description": "MILO", "quantity": 2, "unit_price": 3.00, "line_total": 6.00}, ' \
        '{"description": "ROTI", "quantity": "a few", "unit_price": null, "line_total": 3.00}]'  # fmt: skip
    answer = GOOD[:-1] + ', "line_items": ' + lines + "}"
    doc = Document("abc124", "/inbox/r.txt", "text", 60, DOC.text + "\n2 MILO 3.00 6.00\nROTI 3.00")
    outcome, client = run([answer] * 3, doc=doc)
    assert len(client.calls) == 3 and "line_items.1.quantity" in client.calls[1][-1]["content"]
    assert outcome.status == "valid" and outcome.record["total"] == 9
    assert [line["description"] for line in outcome.record["line_items"]] == ["MILO"]
    assert outcome.ungrounded == ["line_items"] and len(outcome.model_values["line_items"]) == 2
    assert dropped_values([outcome]) == {"line_items": 1} and taken_from_document([outcome]) == {}


def test_an_entry_still_invalid_takes_the_numbers_of_the_one_till_row_its_name_starts():
    """CORD 102 (tuning): quantity 27272 and amount 54.544 for `1 Nutella Cheese 27,272`, three times."""
    text = "1 Nutella Cheese 27,272\nSubTotal: 27,272\nPB1: 2,727\nTotal: 29,999\nCash: 50,000"
    answer = json.dumps({"company": None, "date": None, "address": None, "total": 29999, "currency": None,
                         "line_items": [{"description": "Nutella Cheese", "quantity": 27272, "unit_price": None,
                                         "line_total": 54.544}]})  # fmt: skip
    outcome, _ = run([answer] * 3, doc=Document("n", "/inbox/n.txt", "text", len(text), text))
    assert outcome.status == "valid" and [(x["description"], x["quantity"], x["line_total"]) for x in
                                          outcome.record["line_items"]] == [("Nutella Cheese", 1, 27272)]  # fmt: skip
    assert outcome.ungrounded == ["line_items"] and outcome.model_values["line_items"][0]["line_total"] == Decimal(
        "54.544"
    )
    assert "read from their printed rows or left out" in outcome.flag_reasons


def test_a_dropped_field_configured_strict_is_quarantined_instead():
    outcome, _ = run([MADE_UP_DATE] * 3, quarantine_ungrounded=("date",))
    assert outcome.status == "quarantined" and outcome.error_kind == "ungrounded"
    assert "32.728" in outcome.reason


def test_an_invalid_optional_value_is_dropped_too_when_the_budget_stops_the_reasks():
    outcome, client = run([MADE_UP_DATE, GOOD], token_budget_per_document=500)
    assert len(client.calls) == 1 and outcome.status == "valid"
    assert outcome.record["date"] is None and outcome.ungrounded == ["date"]
