"""Scoring by the SROIE rules, and the printed dates it compares."""

import datetime as dt

import pytest

from extraction_pipeline.extraction.values import parse_date
from extraction_pipeline.quality.scoring import field_correct


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
