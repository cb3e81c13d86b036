"""A document longer than one request is extracted in parts and merged, never cut."""

import json
from decimal import Decimal

from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.parts import completed_before_the_cut, is_table_header, merge, split
from extraction_pipeline_tests.support.helpers import DOC_TYPES, extract_scripted

ITEMS = [(f"Artikel {n:02d}", n, Decimal(n) * 10) for n in range(1, 7)]
LONG_INVOICE = "\n".join(
    ["Muster GmbH, Hauptstr. 1, 10115 Berlin", "Rechnung Nr. R-99 vom 05.03.2024", "Pos Beschreibung Menge Betrag"]
    + [f"{n} {name} {n} {total},00" for name, n, total in ITEMS]
    + ["Nettobetrag 210,00", "USt. 19% 39,90", "Gesamtbetrag EUR 249,90"]
)


def line(n):
    name, qty, total = ITEMS[n - 1]
    return {"description": name, "quantity": qty, "unit_price": None, "line_total": float(total)}


def part_answers(total):
    """What the model answers for each of LONG_INVOICE's three parts of 130 characters."""
    return [
        {"issuer": "Muster GmbH", "invoice_number": "R-99", "date": "05.03.2024", "line_items": [line(1)]},
        {"line_items": [line(2), line(3), line(4), line(5)]},
        {"line_items": [line(6)], "net_total": 210.0, "tax_total": 39.9, "total": total, "currency": "EUR"},
    ]


def test_parts_hold_every_line_once_and_repeat_the_table_header():
    parts = split(LONG_INVOICE, 130)
    assert len(parts) == 3 and all(len(p) <= 130 for p in parts)
    assert all(p.startswith("Pos Beschreibung Menge Betrag\n") for p in parts[1:])
    without_repeats = [parts[0]] + [p.removeprefix("Pos Beschreibung Menge Betrag\n") for p in parts[1:]]
    assert "\n".join(without_repeats) == LONG_INVOICE
    assert is_table_header("Pos Beschreibung Menge Betrag") and not is_table_header("1 Artikel 01 1 10,00")


def test_a_line_longer_than_a_part_is_cut_into_pieces_not_dropped():
    assert split("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_a_long_invoice_is_extracted_in_parts_and_merged():
    """Header values come from the part that prints them, lines from every part; the merged record
    is checked like any other."""
    answers = part_answers(total=249.9)
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, client = extract_scripted(
        [json.dumps(a) for a in answers], doc, doc_type=DOC_TYPES["invoice"], max_part_chars=130
    )
    assert outcome.status == "valid" and outcome.parts == 3 and len(client.calls) == 3
    assert [item["description"] for item in outcome.record["line_items"]] == [name for name, _, _ in ITEMS]
    assert outcome.record["total"] == Decimal("249.90") and outcome.record["invoice_number"] == "R-99"
    assert outcome.ungrounded == []  # the lines add up to the net total: nothing missing or doubled
    assert "Artikel 03" not in client.calls[0][-1]["content"] and "Artikel 03" in client.calls[1][-1]["content"]


def test_totals_a_part_of_rows_made_up_give_way_to_those_another_part_prints():
    """The first part, a fragment of rows, answered a row's amount for the net and gross totals (it
    is printed there, so grounding cannot tell); merged first-given, the record would keep them. The
    merge with the totals part's values first passes the sums checks and is kept, with no re-ask."""
    first, middle, last = part_answers(total=249.9)
    first.update(net_total=10.0, total=10.0)
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, client = extract_scripted(
        [json.dumps(a) for a in (first, middle, last)], doc, doc_type=DOC_TYPES["invoice"], max_part_chars=130
    )
    assert outcome.status == "valid" and len(client.calls) == 3 and outcome.ungrounded == []
    assert (outcome.record["net_total"], outcome.record["total"]) == (Decimal("210.00"), Decimal("249.90"))
    assert outcome.record["invoice_number"] == "R-99"  # the first part's, which no other part gave


def test_a_value_the_checks_doubt_in_another_part_is_not_taken_with_its_totals():
    """The totals part also names a total's line as the issuer: its totals are taken, the first
    part's issuer stays (the checks flag the other)."""
    first, middle, last = part_answers(total=249.9)
    first.update(net_total=10.0, total=10.0)
    last["issuer"] = "Gesamtbetrag EUR 249,90"
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, client = extract_scripted(
        [json.dumps(a) for a in (first, middle, last)], doc, doc_type=DOC_TYPES["invoice"], max_part_chars=130
    )
    assert outcome.status == "valid" and len(client.calls) == 3 and outcome.ungrounded == []
    assert (outcome.record["issuer"], outcome.record["total"]) == ("Muster GmbH", Decimal("249.90"))


def test_a_row_read_again_at_a_seam_is_kept_once():
    parts = [{"total": None, "line_items": [line(1), line(2)]}, {"total": 9, "line_items": [line(2), line(3)]}]
    assert merge(parts, ["line_items"]) == {"total": 9, "line_items": [line(1), line(2), line(3)]}


def test_a_part_that_fails_quarantines_the_document_naming_the_part():
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, _ = extract_scripted(
        ['{"issuer": "Muster GmbH"}', ("{", "length")], doc, doc_type=DOC_TYPES["invoice"], max_part_chars=130
    )
    assert outcome.status == "quarantined" and outcome.error_kind == "truncated"
    assert outcome.reason.startswith("part 2 of 3: the answer hit the output token limit")


CUT_IN_ROWS = (
    '{"issuer": "Muster GmbH", "invoice_number": "R-99", "total": 249.9, "net_total": 21.00001,'
    ' "line_items": [{"description": "Artikel 01", "quantity": 1, "line_to'
)


def test_an_answer_cut_off_inside_its_rows_is_asked_again_in_parts_of_half_the_text():
    """A document that fits one request but whose rows do not fit one answer: parts of half its
    length (here three, the table header repeated), merged as a long document's are. The values the
    whole answer completed before its cut stand ahead of the parts' (the model had read the whole
    page for them), unless invalid (the net total with five decimals); the cut-off call stays on
    the record for its usage."""
    first, middle, last = part_answers(total=249.9)
    middle["line_items"] += last.pop("line_items")  # half the text holds rows 2 to 6
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    script = [(CUT_IN_ROWS, "length"), *(json.dumps(a) for a in (first, middle, last))]
    outcome, client = extract_scripted(script, doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and outcome.parts == 3 and len(client.calls) == 4
    assert [c.error_kind for c in outcome.calls] == ["truncated", None, None, None]
    assert [item["description"] for item in outcome.record["line_items"]] == [name for name, _, _ in ITEMS]
    assert outcome.ungrounded == [] and outcome.record["total"] == Decimal("249.90")
    assert outcome.record["net_total"] == Decimal("210.00")  # from the last part
    assert "Artikel 06" not in client.calls[1][-1]["content"] and "Artikel 06" in client.calls[2][-1]["content"]


def test_a_value_flagged_in_the_merged_record_of_a_halved_document_is_asked_of_the_whole_page():
    """The whole answer named a company the page does not print; merged from parts, the record is
    asked about the issuer alone, on the whole document (a short answer fits), and the answer that
    leaves nothing flagged is kept."""
    first, middle, last = part_answers(total=249.9)
    middle["line_items"] += last.pop("line_items")
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    cut = CUT_IN_ROWS.replace("Muster GmbH", "Kunde AG")
    script = [(cut, "length"), *(json.dumps(a) for a in (first, middle, last)), '{"issuer": "Muster GmbH"}']
    outcome, client = extract_scripted(script, doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "valid" and outcome.record["issuer"] == "Muster GmbH" and outcome.ungrounded == []
    assert len(client.calls) == 5 and list(client.schemas[-1]["properties"]) == ["issuer"]
    assert "Artikel 01" in client.calls[-1][1]["content"] and "Artikel 06" in client.calls[-1][1]["content"]
    assert "issuer" in client.calls[-1][-1]["content"]
    spent, client = extract_scripted(script, doc, doc_type=DOC_TYPES["invoice"], token_budget_per_document=2000)
    assert len(client.calls) == 4 and spent.record["issuer"] == "Kunde AG" and spent.ungrounded == ["issuer"]


def test_the_values_a_cut_off_answer_completed_stand_ahead_of_the_parts_where_valid():
    given = completed_before_the_cut(CUT_IN_ROWS, DOC_TYPES["invoice"], LONG_INVOICE)
    assert given == {"issuer": "Muster GmbH", "invoice_number": "R-99", "total": Decimal("249.9")}
    merged = merge([given, {"total": 259.9, "net_total": 210, "line_items": [line(1)]}], ["line_items"])
    assert (merged["total"], merged["net_total"], merged["line_items"]) == (Decimal("249.9"), 210, [line(1)])


def test_a_part_cut_off_inside_its_rows_again_is_halved_again_up_to_a_limit():
    """A model whose every answer runs over: three halvings, then the document is quarantined as
    cut off, naming the part, after four calls (not one per line)."""
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, client = extract_scripted([(CUT_IN_ROWS, "length")] * 10, doc, doc_type=DOC_TYPES["invoice"])
    assert outcome.status == "quarantined" and outcome.error_kind == "truncated" and len(client.calls) == 4
    assert outcome.reason.startswith("part 1 of") and "output token limit" in outcome.reason
    assert len(client.calls[3][-1]["content"]) < len(client.calls[1][-1]["content"]) < len(LONG_INVOICE)


def test_a_total_not_printed_quarantines_a_strict_run_naming_the_part_and_the_value():
    answers = part_answers(total=259.9)
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    outcome, _ = extract_scripted(
        [json.dumps(a) for a in answers] + [json.dumps(answers[-1])] * 2,  # the last part re-asked twice
        doc,
        doc_type=DOC_TYPES["invoice"],
        max_part_chars=130,
        quarantine_ungrounded=("total",),
    )
    assert outcome.status == "quarantined" and outcome.error_kind == "ungrounded"
    assert outcome.reason.startswith("part 3 of 3: still invalid after 3 attempts")
    assert "configured to quarantine: total (given: 259.9)" in outcome.reason


def test_the_merged_record_is_examined_with_the_run_s_settings():
    """Grounding turned off is off for a long document too: the merged record goes through the same
    examination as a whole document's answer."""
    first = json.dumps({"issuer": "Acme AG", "invoice_number": "R-99", "date": "05.03.2024", "currency": "EUR"})
    rest = ["{}", '{"total": 249.9}']
    doc = Document("long", "/inbox/long.pdf", "pdf", len(LONG_INVOICE), LONG_INVOICE)
    settings = {"doc_type": DOC_TYPES["invoice"], "max_part_chars": 130}
    grounded, _ = extract_scripted([first] * 3 + rest, doc, **settings)  # the first part re-asked twice
    ungrounded, _ = extract_scripted([first, *rest], doc, **settings, grounding=False)
    assert "issuer" in grounded.ungrounded and grounded.evidence["issuer"].status == "missing"
    assert ungrounded.status == "valid" and "issuer" not in ungrounded.ungrounded and ungrounded.evidence == {}
