"""The document's own date among the dates an invoice prints (checks/dates.py)."""

import datetime as dt

from extraction_pipeline.checks.dates import labelled_dates, the_documents_own_date
from extraction_pipeline.doctypes.packs import CheckedDocument

# The layout of mustang-RE-20170509_505 (tuning part), where the model answered the service date.
MUSTANG = """2017-05-09
Kundennummer:2
Rechnung # RE-20170509/505 von 09.05.2017
Leistungsdatum 07.05.2017
Bitte überweisen Sie bis zum 30.05.2017."""

check = the_documents_own_date("date")


def _problem(date: dt.date, text: str = MUSTANG) -> str | None:
    return check({"date": date}, CheckedDocument(text, {})).get("date")


def test_a_date_printed_only_as_another_date_is_a_problem_that_quotes_the_documents_own():
    problem = _problem(dt.date(2017, 5, 7))
    assert problem is not None and "'Rechnung # RE-20170509/505 von 09.05.2017'" in problem
    assert "2017-05-07" not in problem and "07.05" not in problem  # not the rejected date, which gets copied
    assert _problem(dt.date(2017, 5, 30)) is not None  # the due date (bis zum)
    assert _problem(dt.date(2017, 5, 9)) is None


def test_without_a_labelled_own_date_or_a_label_of_another_date_there_is_no_opinion():
    assert _problem(dt.date(2017, 5, 7), "Leistungsdatum 07.05.2017\nFällig am 30.05.2017") is None
    # Service and invoice date the same day: printed beside its own label too.
    assert _problem(dt.date(2013, 3, 5), "Rechnungsdatum 05.03.2013\nLeistungsdatum 05.03.2013") is None
    assert _problem(dt.date(2017, 5, 7), "Datum: 09.05.2017\nBerlin, 07.05.2017") is None


def test_an_unlabelled_copy_does_not_save_a_date_printed_as_another():
    # The layout of a car-hire invoice: the service date printed again at the car's handover.
    hire = "Mietrechnung (387) Nr. 9314110911/00/M/00/N vom 01.10.2018\nLiefer- und Leistungsdatum: 29.09.2018\nÜbergabe am 29.09.2018/ 10:35"
    problem = _problem(dt.date(2018, 9, 29), hire)
    assert problem is not None and "vom 01.10.2018'" in problem


def test_labels_are_read_across_split_words_and_languages():
    kinds = {(d, k) for d, k, _ in labelled_dates("Rech nungs datum : 2024-03-05\nDate d'échéance : 2024-04-04")}
    assert (dt.date(2024, 3, 5), "own") in kinds and (dt.date(2024, 4, 4), "other") in kinds
    assert {k for _, k, _ in labelled_dates("Facture N° F-12 du 05/03/2024")} == {"own"}


def test_the_bounds_of_a_period_are_other_dates():
    """i2d-QualityHosting (tuning part) prints each line's service period without a label; the model
    answered its first day."""
    hosting = "Rechnungsdatum 7. Mai 2014\n01.05.14-31.05.14\nDienst: OUDJQ_office"
    problem = _problem(dt.date(2014, 5, 1), hosting)
    assert problem is not None and "'Rechnungsdatum 7. Mai 2014'" in problem
    assert _problem(dt.date(2014, 5, 31), hosting) is not None
    assert _problem(dt.date(2014, 5, 7), hosting) is None
    assert [kind for _, kind, _ in labelled_dates("du 13.7.2015 au 31.7.2015, payé le 14.7.2015")] == [
        "other",
        "other",
        "",
    ]
    assert [kind for _, kind, _ in labelled_dates("13.05.2014 12,00 31.05.2014")] == ["", ""]  # not a period


def test_spanish_and_italian_labels():
    """An Argentine AFIP invoice of the tuning part: the model answered the expiry of its
    authorisation code (`Fecha Vto. CAE`) for the invoice's `Fecha:`."""
    afip = "C.A.E. Nº 61123022925855 Fecha Vto. CAE:20/03/2011\nFecha: 27/03/2011\nTotal: 122,00"
    problem = _problem(dt.date(2011, 3, 20), afip)
    assert problem is not None and "'Fecha: 27/03/2011'" in problem
    kinds = {kind for _, kind, _ in labelled_dates("Fattura n. 12/2024 del 03/03/2024\nScadenza 02/04/2024")}
    assert kinds == {"own", "other"}
