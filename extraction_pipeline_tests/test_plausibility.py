"""Values that are in the document but cannot be the field asked for."""

import pytest

from extraction_pipeline.grounding import ground, misplaced
from extraction_pipeline.parsing import ValidationFailure, parse_answer
from extraction_pipeline.schemas import Receipt

TEXT = "PERNIAGAAN ZHENG HUI\nNO.59 JALAN PERMAS 9/5\n81760 JOHOR BAHRU\nTAX INVOICE\nGOGIANT ENGINEERING (M) SDN BHD\nTOTAL 9.00"


def test_a_name_printed_below_the_sellers_address_is_the_customer():
    record = {"company": "GOGIANT ENGINEERING (M) SDN BHD", "address": "NO.59 JALAN PERMAS 9/5 81760 JOHOR BAHRU"}
    problems = misplaced(record, ground(record, TEXT))
    assert list(problems) == ["company"] and "below the seller's address" in problems["company"]
    seller = {**record, "company": "PERNIAGAAN ZHENG HUI"}
    assert misplaced(seller, ground(seller, TEXT)) == {}


@pytest.mark.parametrize("name", ["SDN BHD", "Sdn. Bhd.", "(M) SDN BHD"])
def test_a_company_that_is_only_a_legal_form_is_invalid(name):
    answer = f'{{"company": "{name}", "date": "01/01/2018", "address": "X", "total": 1, "currency": null}}'
    with pytest.raises(ValidationFailure, match="only a legal form"):
        parse_answer(answer, Receipt)
