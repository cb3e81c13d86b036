"""Names and addresses the model cut short are completed from the lines printed around them.

The receipts below are shaped like SROIE receipts where the local model stopped at a line break
(the misses that `benchmarks/layout_rules.py` counts).
"""

import pytest

from extraction_pipeline.checks.layout import address_span, complete, lines_of, name_span, strip_registration
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.quality.metrics import taken_from_document
from extraction_pipeline.storage.tables import records_frame
from extraction_pipeline_tests.support.helpers import extract_scripted as run

POPULAR = """POPULAR BOOK
CO. (M) SDN BHD
(COMPANY NO. 113825-W)
(GST REG NO. 001492992000)
NO 8, JALAN 7/118B, DESA TUN RAZAK
56000 KUALA LUMPUR, MALAYSIA
TEL: 03-41424540/20
07/01/18 14:41\tSLIP NO,: 7010385084
TOTAL RM 25.90"""


def test_a_name_broken_before_its_legal_form_is_joined():
    assert complete({"company": "CO. (M) SDN BHD"}, POPULAR) == {"company": "POPULAR BOOK CO. (M) SDN BHD"}
    assert complete({"company": "POPULAR BOOK"}, POPULAR) == {"company": "POPULAR BOOK CO. (M) SDN BHD"}


def test_a_bare_legal_form_that_would_be_quarantined_becomes_a_valid_record():
    doc = Document("p1", "/inbox/popular.txt", "text", len(POPULAR), POPULAR)
    answer = '{"company": "CO. (M) SDN BHD", "date": "07/01/18", "address": "NO 8, JALAN 7/118B, DESA TUN RAZAK, 56000 KUALA LUMPUR, MALAYSIA", "total": 25.90, "currency": "RM"}'
    outcome, client = run([answer], doc)
    assert outcome.status == "valid" and len(client.calls) == 1
    assert outcome.record["company"] == "POPULAR BOOK CO. (M) SDN BHD"
    assert outcome.model_values == {"company": "CO. (M) SDN BHD"}
    assert outcome.evidence["company"].status == "normalised"  # the two printed lines, joined by a space
    assert taken_from_document([outcome]) == {"company": 1}
    row = records_frame([outcome], ["company", "total"]).iloc[0]
    assert row["company"] == "POPULAR BOOK CO. (M) SDN BHD" and '"company": "CO. (M) SDN BHD"' in row["model_values"]


def test_switched_off_the_model_answer_is_validated_as_given():
    doc = Document("p1", "/inbox/popular.txt", "text", len(POPULAR), POPULAR)
    answer = '{"company": "CO. (M) SDN BHD", "date": "07/01/18", "address": "NO 8", "total": 25.90, "currency": "RM"}'
    outcome, client = run([answer] * 3, doc, complete_from_layout=False)
    assert "only a legal form" in client.calls[1][-1]["content"]  # re-asked, not joined to the line above
    # Still invalid after the re-asks: the optional name is dropped, not completed, and flagged.
    assert outcome.status == "valid" and outcome.record["company"] is None and outcome.ungrounded[0] == "company"
    assert outcome.model_values == {"company": "CO. (M) SDN BHD"}


def test_a_line_that_names_only_the_kind_of_business_continues_the_name_above():
    text = "LIAN CHI PU TIAN VEGETARIAN\nRESTAURANT SDN BHD\n(1095514-X)\n54,JALAN SS23/11.\nTAMAN SEA,47400"
    assert complete({"company": "RESTAURANT SDN BHD"}, text) == {
        "company": "LIAN CHI PU TIAN VEGETARIAN RESTAURANT SDN BHD"
    }
    # Two letters before the legal form are an OCR slip for CO., not a name.
    slip = POPULAR.replace("CO. (M)", "CP. (M)")
    assert complete({"company": "CP. (M) SDN BHD"}, slip) == {"company": "POPULAR BOOK CP. (M) SDN BHD"}
    # A line with a name of its own is not the tail of the line above (a person's name, here).
    swc = "TAN WOON YANN\nSWC ENTERPRISE SDN BHD\n(1227012-P)\nNO 5, JALAN"
    assert complete({"company": "SWC ENTERPRISE SDN BHD"}, swc) == {}


def test_a_registration_number_closes_a_name_printed_over_two_lines():
    text = "RESTAURANT JIAWEI\nJIAWEI HOUSE\n002693074-K\n13, JLN TASIK UTAMA 8\n57000 KL"
    assert complete({"company": "RESTAURANT JIAWEI"}, text) == {"company": "RESTAURANT JIAWEI JIAWEI HOUSE"}
    # Without the registration number right below, the second line may be anything: it is left out.
    assert complete({"company": "RESTAURANT JIAWEI"}, text.replace("002693074-K\n", "")) == {}


def test_a_verbatim_copy_is_found_before_letters_scattered_over_another_line():
    text = "FACE TO FACE NOODLE HOUSE\nFTOF NOODLE HOUSE\n(002049088-U)\nNO.25, JALAN METRO PERDANA BARAT 2,"
    assert complete({"company": "FTOF NOODLE HOUSE"}, text) == {}


def test_an_open_bracket_continues_the_name_on_the_next_lines():
    text = (
        "AIK HUAT HARDWARE\nENTERPRISE (SETIA\nALAM) SDN BHD\n822737-X\nNO. 17-G, JALAN SETIA INDAH\nTEL: 012 - 6651783"
    )
    span = name_span("AIK HUAT HARDWARE", lines_of(text))
    assert span.value == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"


def test_a_brand_on_top_gives_way_to_the_registered_name_below_it():
    text = "NANDO'S,\nPERI-PERI CHICKEN\nNANDO'S CHICKENLAND MALAYSIA\nSDN BHD\nNANDO'S 1 MONT KIARA\nUNIT G-13, GROUND FLOOR, NO.1\nJLN KIARA, MONT KIARA\n50480 KUALA LUMPUR\nTEL: 1300-88-6555"
    assert name_span("NANDO'S", lines_of(text)).value == "NANDO'S CHICKENLAND MALAYSIA SDN BHD"
    registered = "MORGANFIELD'S R\nHORNG OF SDCKY BONES\nTIME LESS KITCHENETTE SDN BHD\nCOMPANY NO : 1174703-K"
    assert name_span("MORGANFIELD'S R", lines_of(registered)).value == "TIME LESS KITCHENETTE SDN BHD"


def test_a_brand_with_a_mall_after_an_at_sign_is_a_name_line():
    # '@ 1 UTAMA' is where the shop is, and 'BR' in a logo is no business-registration label.
    nyonya = (
        "NYONYA COLORS @ 1 UTAMA\nLITTLE CRAVINGS SDN BHD (562007-D)\nHQ: 7, JLN SS21/34, 47400 PJ\nTEL-03 77282288"
    )
    assert complete({"company": "NYONYA COLORS"}, nyonya) == {"company": "LITTLE CRAVINGS SDN BHD"}
    baskin = "BASKIN BR ROBBINS\nDESA PARK CITY\nGOLDEN SCOOP SDN BHD (169609-A)\nA--16-1, TOWER A, NORTHPOINT"
    assert complete({"company": "BASKIN BR ROBBINS"}, baskin) == {"company": "GOLDEN SCOOP SDN BHD"}
    assert complete({"company": "SHOP"}, "SHOP\nBR NO.: 0195932-X\nSHOP SDN BHD") == {}


def test_a_person_named_above_the_shop_is_not_made_part_of_its_name():
    text = "TAN WOON YANN\nMR D.I.Y. (M) SDN BHD\n(CO. REG : 860671-D)\nLOT 1851-A & 1851-B, JALAN KPB 6,"
    assert complete({"company": "MR D.I.Y. (M) SDN BHD"}, text) == {}


def test_a_name_is_the_whole_printed_line_without_its_registration_number():
    lines = lines_of("YHM AEON TEBRAU CITY\nS117, SECOND FLOOR,\nAEON TEBRAU CITY,")
    assert name_span("AEON TEBRAU CITY", lines).value == "YHM AEON TEBRAU CITY"
    assert strip_registration("AEON CO. (M) BHD (126926-H)") == "AEON CO. (M) BHD"
    assert strip_registration("99 SPEED MART S/B (519537-X)") == "99 SPEED MART S/B"
    assert strip_registration("(TONYMOLY SHOP (95874))") == "TONYMOLY SHOP"


def test_an_address_gets_its_first_and_last_lines_and_stops_at_the_phone_line():
    text = "YHM AEON TEBRAU CITY\nS117, SECOND FLOOR,\nAEON TEBRAU CITY,\n1, JALAN DESA TEBRAU,\nTAMAN DESA TEBRAU,\n81100 JOHOR BAHRU, JOHOR.\n002105827328\n* TAX INVOICE *"
    lines = lines_of(text)
    span = address_span("1, JALAN DESA TEBRAU, TAMAN DESA TEBRAU", lines, name_span("YHM AEON TEBRAU CITY", lines))
    assert span.value == (
        "S117, SECOND FLOOR, AEON TEBRAU CITY, 1, JALAN DESA TEBRAU, TAMAN DESA TEBRAU 81100 JOHOR BAHRU, JOHOR."
    )
    store = "99 SPEED MART S/B (519537-X)\nLOT P.T. 2811, JALAN ANGSA,\nTAMAN BERKELEY\n41150 KLANG, SELANGOR\n1076-IJOK\nGST ID. NO : 000181747712"
    assert address_span("LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY", lines_of(store)).value == (
        "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR 1076-IJOK"
    )
    # European receipts label their tax and register numbers otherwise (receipts written for tuning).
    for tax_line in ("SIRET 123 456 789 00012", "VAT No. GB 123 4567 89", "USt-IdNr. DE298112233", "P.IVA 01234560377"):
        shop = f"CARREFOUR CITY\n12 RUE DE LA REPUBLIQUE\n69002 LYON\n{tax_line}\nTICKET DE CAISSE"
        assert complete({"address": "12 RUE DE LA REPUBLIQUE, 69002 LYON"}, shop) == {}


def test_a_registration_or_phone_line_copied_into_the_address_is_dropped():
    text = "RESTAURANT JIAWEI\nJIAWEI HOUSE\n002693074-K\n13, JLN TASIK UTAMA 8\nMEDAN NIAGA DAMAI SG BESI\n57000 KL\nINVOICE"
    answer = {"address": "JIAWEI HOUSE, 002693074-K, 13, JLN TASIK UTAMA 8, MEDAN NIAGA DAMAI SG BESI, 57000 KL"}
    assert complete(answer, text) == {"address": "13, JLN TASIK UTAMA 8 MEDAN NIAGA DAMAI SG BESI 57000 KL"}


def test_the_models_reading_of_the_lines_it_copied_is_kept():
    # The OCR says TAMPOL; the model read TAMPOI (right, per the label). Only the missing line is added.
    text = "SANYU STATIONERY SHOP\n12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN\nTAMPOL,81200 JOHOR BAHRU,JOHOR\nJOHOR DARUL TAKZIM\nTEL: 07-2356 123"
    answer = {"address": "12, JALAN TAMPOI 7/4,KAWASAN PERINDUSTRIAN TAMPOI,81200 JOHOR BAHRU,JOHOR"}
    assert complete(answer, text) == {"address": answer["address"] + " JOHOR DARUL TAKZIM"}


def test_a_customer_named_below_the_address_is_replaced_by_the_seller_on_top():
    text = "PERNIAGAAN ZHENG HUI\nJM0325955-V\nNO.59 JALAN PERMAS 9/5\nBANDAR BARU PERMAS JAYA\n81760 JOHOR BAHRU\nTEL : 07-386 7524\nSIMPLIFIED TAX INVOICE\nGOGIANT ENGINEERING (M) SDN BHD\nTOTAL 9.00"
    answer = {
        "company": "GOGIANT ENGINEERING (M) SDN BHD",
        "address": "NO.59 JALAN PERMAS 9/5 BANDAR BARU PERMAS JAYA 81760 JOHOR BAHRU",
    }
    assert complete(answer, text) == {"company": "PERNIAGAAN ZHENG HUI"}


@pytest.mark.parametrize(
    "answer",
    [
        {"company": "Acme Trading Ltd", "address": "1 Main Street, Springfield"},  # not in the document at all
        {
            "company": "POPULAR BOOK CO. (M) SDN BHD",
            "address": "NO 8, JALAN 7/118B, DESA TUN RAZAK 56000 KUALA LUMPUR, MALAYSIA",
        },
        {"company": None, "address": 12},  # not text: left to validation
        {},
    ],
)
def test_answers_that_are_complete_or_not_in_the_document_are_left_alone(answer):
    assert complete(answer, POPULAR) == {}


def test_a_registered_company_below_the_address_is_kept():
    text = "TAX INVOICE\nBHPETROL PERMAS JAYA 2\nLOT PTD 101051\nJALAN PERMAS 10/10\n81750 MASAI, JOHOR\nESJAY FUEL ENTERPRISE\nCO. REG. NO: 001011128-T"
    answer = {"company": "ESJAY FUEL ENTERPRISE", "address": "LOT PTD 101051 JALAN PERMAS 10/10 81750 MASAI, JOHOR"}
    assert complete(answer, text) == {}


def test_the_part_of_a_line_the_model_left_out_is_added():
    text = "NANDO'S CHICKENLAND MALAYSIA SDN BHD\nUNIT G-13, GROUND FLOOR, NO.1\nJLN KIARA, MONT KIARA\n50480 KUALA LUMPUR\nTEL: 1300-88-6555"
    answer = {"address": "NO. 1, JLN KIARA, MONT KIARA, 50480 KUALA LUMPUR"}
    assert complete(answer, text) == {
        "address": "UNIT G-13, GROUND FLOOR, NO. 1, JLN KIARA, MONT KIARA, 50480 KUALA LUMPUR"
    }


def test_a_value_or_line_longer_than_any_printed_name_is_left_alone():
    """Comparing them would cost time quadratic in their length (benchmarks/long_lines.py)."""
    long_line = " ".join(f"WORD{i}" for i in range(20_000))
    text = f"SHOP SDN BHD\n{long_line}\n25/12/2018\nTOTAL 9.50"
    assert complete({"company": long_line[1000:3000], "address": long_line[:5000]}, text) == {}
    assert complete({"company": "SHOP", "address": "1 JALAN"}, f"SHOP\nSDN BHD\n{long_line}") == {
        "company": "SHOP SDN BHD"
    }
