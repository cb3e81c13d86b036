"""Parsing and validating LLM answers: every shape small models produce, and never a crash."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction_pipeline.extraction.parsing import (
    OutputError,
    ParseError,
    ValidationFailure,
    cut_inside_list,
    extract_json_object,
    pairs_before_the_cut,
    parse_answer,
    repetition_loop,
)
from extraction_pipeline_tests.support.helpers import INVOICE_TYPE, RECEIPT

Receipt = RECEIPT.model
Invoice = INVOICE_TYPE.model

GOOD = '{"company": "SHOP SDN BHD", "date": "25/12/2018", "address": "1 JALAN", "total": 60.30, "currency": "RM"}'


@pytest.mark.parametrize(
    "answer",
    [
        GOOD,
        f"```json\n{GOOD}\n```",
        f"```\n{GOOD}\n```",
        f"Here is the extracted data:\n```json\n{GOOD}\n```\nLet me know if you need more.",
        f"Sure! {GOOD} Hope this helps.",
        f"{{not json}} then {GOOD}",
    ],
)
def test_the_json_object_is_found_in_fences_and_prose(answer):
    record = parse_answer(answer, Receipt)
    assert record.company == "SHOP SDN BHD"
    assert record.date == dt.date(2018, 12, 25)
    assert record.total == Decimal("60.30")


def test_amounts_keep_their_printed_digits():
    assert extract_json_object('{"total": 60.30}')["total"] == Decimal("60.30")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [("", "parse_error"), ("   ", "parse_error"), ("no json here", "parse_error"), ("[1, 2]", "parse_error")],
)
def test_answers_without_an_object_are_parse_errors(answer, kind):
    with pytest.raises(ParseError) as err:
        parse_answer(answer, Receipt)
    assert err.value.kind == kind


def test_validation_errors_name_each_field_and_what_was_wrong():
    answer = json.dumps({"company": "", "date": "yesterday", "total": "abc", "colour": "red"})
    with pytest.raises(ValidationFailure) as err:
        parse_answer(answer, Receipt)
    message = str(err.value)
    for expected in (
        "company",
        "date: Value error, not a date",
        "address: Field required",
        "total",
        "colour: Extra inputs",
    ):
        assert expected in message


def test_a_total_with_more_than_two_decimals_is_invalid():
    with pytest.raises(ValidationFailure, match="total"):
        parse_answer(GOOD.replace("60.30", "60.305"), Receipt)


def test_invoice_needs_currency_and_an_iso_date():
    ok = {"issuer": "ACME GmbH", "invoice_number": "INV-7", "date": "2024-03-05", "total": 1250, "currency": "EUR"}
    assert parse_answer(json.dumps(ok), Invoice).date == dt.date(2024, 3, 5)
    with pytest.raises(ValidationFailure, match="currency"):
        parse_answer(json.dumps({**ok, "currency": None}), Invoice)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Kč", "CZK"),
        ("zł", "PLN"),
        ("€", "EUR"),
        ("Fr.", "CHF"),
        ("TL", "TRY"),
        ("eur", "EUR"),
        ("$", "$"),
        ("kr", "kr"),
        ("¥", "¥"),
    ],
)
def test_an_invoice_currency_given_as_a_sign_of_one_currency_becomes_its_code(given, code):
    """A dollar, crown or yen sign names several currencies: kept as given, where grounding can flag it."""
    ok = {"issuer": "ACME GmbH", "invoice_number": "INV-7", "date": "2024-03-05", "total": 1250}
    assert parse_answer(json.dumps({**ok, "currency": given}), Invoice).currency == code


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_record_or_a_typed_error(text):
    try:
        assert isinstance(parse_answer(text, Receipt), Receipt)
    except OutputError as err:
        assert err.kind in ("parse_error", "validation_error")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_gives_a_record_or_a_typed_error(value):
    try:
        assert isinstance(parse_answer(json.dumps(value), Receipt), Receipt)
    except OutputError as err:
        assert err.kind in ("parse_error", "validation_error")


def test_deeply_nested_input_is_a_parse_error_not_a_crash():
    with pytest.raises(ParseError):
        parse_answer("{" * 5000 + "[" * 5000, Receipt)


def test_a_loop_is_told_from_an_answer_that_is_merely_long():
    """Where the loop starts and the piece it repeats, whatever the cut: lines of a real invoice
    answer that differ are no loop, nor is a short repeat."""
    head = '{"issuer": "Muster GmbH", "line_items": [{"description": "Wirkarbeit HT", "line_total": 0.0520}, '
    piece = '{"description": "Liefer-Datum: KW 36/2013", "line_total": 0.0100}, '
    looped = head + piece * 7 + piece[:23]
    start, unit = repetition_loop(looped)
    assert unit == len(piece) and looped[start : start + unit] in piece * 2  # the piece, from where it first repeats
    assert looped[start : len(head)] == "0}, "  # the head's last line ends as the piece does
    distinct = head + "".join(f'{{"description": "Artikel {n}", "line_total": {n}.00}}, ' for n in range(60))
    assert repetition_loop(distinct) is None
    assert repetition_loop(head + "0" * 20) is None and repetition_loop(head + "0" * 120) == (len(head), 1)


@pytest.mark.parametrize(
    ("cut", "inside"),
    [('{"issuer": "Muster GmbH", "line_items": [{"description": "Artikel 01", "quantity": 1}, {"descr', True),
     ('{"issuer": "Muster GmbH", "line_items": [', True),
     ('{"issuer": "Muster GmbH", "line_items": [{"description": "Kabel [3 m]", "line_total": 1', True),
     ('{"line_items": [{"description": "A"}], "total": 9', False),  # the list closed: cut after it
     ('{"issuer": "Muster [GmbH', False),  # a bracket inside a value opens nothing
     ('{"company": "SHOP', False),
     ('{"notes": [{"text": "a', False)],  # a list, but not a table of rows of this type
)  # fmt: skip
def test_an_answer_cut_off_inside_its_rows_is_told_from_one_cut_anywhere_else(cut, inside):
    assert cut_inside_list(cut, ["line_items"]) is inside


def test_the_values_a_cut_off_answer_completed_are_read_and_no_others():
    cut = '{"issuer": "A, B [GmbH]", "net_total": 12.50 , "line_items": [{"description": "X"}], "total": 1234'
    assert pairs_before_the_cut(cut) == {
        "issuer": "A, B [GmbH]",
        "net_total": Decimal("12.50"),
        "line_items": [{"description": "X"}],
    }
    assert pairs_before_the_cut('Here: {"total": 9, "date": "1.2.') == {"total": 9}
    assert pairs_before_the_cut('{"issuer": "Mus') == {} and pairs_before_the_cut("no json") == {}
