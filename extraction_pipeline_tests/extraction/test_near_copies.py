"""A long text value copied with a slip is put back as printed; anything less sure is left alone."""

import json
from decimal import Decimal

from extraction_pipeline.documents.ocr import OcrLine
from extraction_pipeline.documents.reading import Document, LocatedLine
from extraction_pipeline.extraction.near_copies import near_copies
from extraction_pipeline_tests.support.helpers import extract_scripted

# SROIE X51006414429 (tuning): the model answered `TAMPIO` for the printed `TAMPOI`, eight times.
RECEIPT = """UNIHAKKA INTERNATIONAL SDN BHD
02 APR 2018 18:31
(867388-U)
12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN
TAMPOI,81200 JOHOR BAHRU,JOHOR
TAXINVOICE
TOTAL AMOUNT: $8.20
CASH\t$8.20"""
SLIPPED = "12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN, TAMPIO, 81200 JOHOR BAHRU, JOHOR"
PRINTED = "12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN TAMPOI,81200 JOHOR BAHRU,JOHOR"


def test_a_swapped_or_dropped_letter_is_put_back_as_printed_with_its_lines_joined():
    assert near_copies({"address": SLIPPED}, RECEIPT) == {"address": PRINTED}
    assert near_copies({"company": "UNIHAKA INTERNATIONAL SDN BHD"}, RECEIPT) == {
        "company": "UNIHAKKA INTERNATIONAL SDN BHD"
    }
    # A letter added at the end: the stretch ends where a word does, not in the date below.
    assert near_copies({"company": "UNIHAKKA INTERNATIONAL SDN BHDX"}, RECEIPT) == {
        "company": "UNIHAKKA INTERNATIONAL SDN BHD"
    }


def test_values_printed_short_far_off_or_in_two_places_differently_are_left_alone():
    assert near_copies({"address": PRINTED, "total": Decimal("8.20")}, RECEIPT) == {}  # printed as given
    seller = "SOME VERY LONG SELLER NAME GMBH AND CO KG"
    far = "SOME VERY LONG SELLER NAME GMBH AND CO KX\n" + "LINE 12345 ITEM\n" * 20000 + seller
    assert near_copies({"issuer": seller}, far) == {}  # printed as given, past the part searched for slips
    assert near_copies({"company": "UNIHAKA SDN BHD"}, RECEIPT) == {}  # under 25 letters: may be another name
    assert near_copies({"address": SLIPPED.replace("81200", "81700")}, RECEIPT) == {}  # three edits for 63
    twice = RECEIPT + "\nBRANCH: 12, JALAN TAMPAI 7/4,KAWASAN PERINDUSTRIAN TAMPOI,81200 JOHOR BAHRU,JOHOR"
    assert near_copies({"address": SLIPPED.replace("TAMPOI 7", "TAMPUI 7")}, twice) == {}  # which one?


def test_the_record_holds_the_printed_value_and_the_model_s_is_kept():
    answer = {"company": "UNIHAKKA INTERNATIONAL SDN BHD", "date": "02 APR 2018", "address": SLIPPED,
              "total": 8.20, "currency": None, "line_items": []}  # fmt: skip
    outcome, client = extract_scripted([json.dumps(answer)], Document("u", "/inbox/u.txt", "text", 1, RECEIPT))
    assert outcome.record["address"] == PRINTED and "address" not in outcome.ungrounded
    assert outcome.model_values["address"] == SLIPPED and len(client.calls) == 1  # no re-ask about it


def test_text_read_with_ocr_is_not_what_a_value_is_moved_to():
    """The recogniser misreads letters (`PHARHACY`); a model that gives the word right is not undone."""
    line = OcrLine(RECEIPT, 1, (0, 0, 100, 100), 0.9)
    scan = Document("s", "/inbox/s.jpg", "image", 1, RECEIPT, ocr_lines=(LocatedLine(0, len(RECEIPT), line),))
    answer = {"company": "UNIHAKKA INTERNATIONAL SDN BHD", "date": "02 APR 2018", "address": SLIPPED,
              "total": 8.20, "currency": None, "line_items": []}  # fmt: skip
    outcome, _ = extract_scripted([json.dumps(answer)] * 3, scan, max_reasks=1)
    assert outcome.record["address"] == SLIPPED and "address" in outcome.ungrounded
