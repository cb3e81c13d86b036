"""Scoring by the SROIE rules, and the printed dates it compares."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from extraction_pipeline.extraction.values import parse_date
from extraction_pipeline.quality.scoring import accuracy, field_correct, load_gold


@pytest.mark.parametrize(
    ("printed", "iso"),
    [("25/12/2018", "2018-12-25"), ("12-01-19", "2019-01-12"), ("10 MAR 2018", "2018-03-10"), ("2018-03-10", "2018-03-10"),
     ("DATE: 02.01.2018 8:13 PM", "2018-01-02"), ("2018/03/10", "2018-03-10"), ("12/28/2017", "2017-12-28"),
     ("20180304", "2018-03-04")],
)  # fmt: skip
def test_printed_dates_are_read_day_first(printed, iso):
    assert parse_date(printed) == dt.date.fromisoformat(iso)


@pytest.mark.parametrize(
    ("field", "predicted", "gold", "correct"),
    [
        ("date", dt.date(2019, 1, 12), "12-01-19", True),
        ("date", dt.date(2019, 12, 1), "12-01-19", False),
        ("total", "60.30", "RM60.30", True),
        ("total", 60.31, "60.30", False),
        ("total", "9", "9.00", True),
        ("company", "Book Ta.K (Taman Daya) Sdn Bhd", "BOOK TA .K (TAMAN DAYA) SDN BHD", True),
        ("address", "NO.53, JALAN SAGU 18", "NO.53 JALAN SAGU 18.", True),
        ("company", "TAN WOON YANN", "BOOK TA .K (TAMAN DAYA) SDN BHD", False),
    ],
)
def test_fields_are_compared_after_fair_normalisation(field, predicted, gold, correct):
    assert field_correct(field, predicted, gold) is correct


@pytest.mark.parametrize("text", ["120180304", "2018030", "20181304", "TEL 20180304"])
def test_eight_digits_are_a_date_only_as_a_whole_value(text):
    assert parse_date(text) is None


def test_invoice_and_cord_gold_are_scored_under_the_packs_names_with_line_items(tmp_path):
    gold_file = tmp_path / "gold.jsonl"
    zugferd = {
        "seller_name": "Lieferant GmbH",
        "invoice_date": "2013-03-05",
        "total_amount": "529.87",
        "line_items": [
            {
                "description": "GTIN: 4012345001235\nTrennblätter A4",
                "quantity": "20.0000",
                "unit_price_net": "9.9000",
                "line_total": "198.00",
            },
            {"description": "Joghurt Banane", "quantity": "50.0000", "line_total": "275.00"},
        ],
    }
    cord = {"menu": [{"nm": "Nasi Campur Bali", "cnt": "x 1", "price": "75,000"}, {"nm": "Ice Tea", "cnt": "x 2", "price": "36,000"},
                     {"nm": "EDAMAME", "cnt": "0.512X", "price": "11,520"}],
            "total": {"total_price": "1.591.600"}}  # fmt: skip
    gold_file.write_text(
        json.dumps({"id": "inv", "fields": zugferd}) + "\n" + json.dumps({"id": "cord", "fields": cord})
    )
    gold = load_gold(gold_file)
    assert gold["inv"]["issuer"] == "Lieferant GmbH" and gold["inv"]["date"] == "2013-03-05"
    assert gold["cord"] == {"total": "1.591.600", "line_items": [
        {"description": "Nasi Campur Bali", "quantity": "x 1", "unit_price": None, "line_total": "75,000"},
        {"description": "Ice Tea", "quantity": "x 2", "unit_price": None, "line_total": "36,000"},
        {"description": "EDAMAME", "quantity": "0.512X", "unit_price": None, "line_total": "11,520"}]}  # fmt: skip
    invoice = {"issuer": "LIEFERANT GMBH", "date": dt.date(2013, 3, 5), "total": Decimal("529.87"), "line_items": [
        {"description": "Trennblätter A4", "quantity": Decimal(20), "line_total": Decimal("198.00")},
        {"description": "Joghurt Banane", "quantity": Decimal(5), "line_total": Decimal("275")},
        {"description": "Versandkosten", "quantity": None, "line_total": Decimal("4.90")}]}  # fmt: skip
    receipt = {
        "total": Decimal(1591600),
        "line_items": [
            {"description": "Nasi Campur Bali", "quantity": 1, "line_total": 75000},
            {"description": "Edamame", "quantity": Decimal("0.512"), "line_total": 11520},  # a weight: 0.512X
        ],
    }
    scores = accuracy(
        [("/x/inv.pdf", invoice), ("/x/cord.txt", receipt)], gold, ["issuer", "date", "total", "line_items"]
    )
    per_field = scores["per_field"]
    assert per_field["issuer"] == per_field["date"] == per_field["total"] == 1.0
    assert (per_field["line_items.precision"], per_field["line_items.recall"]) == (4 / 5, 4 / 5)
    assert per_field["line_items.quantity_right"] == 3 / 4 and per_field["line_items.amount_right"] == 1.0
    assert scores["labelled"]["line_items"] == 5
