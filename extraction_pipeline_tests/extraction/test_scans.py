"""Documents read with OCR through extraction and the asset graph: each value's evidence says page
and box, a value on an unsure line is flagged, the page images go to a model that reads images when
asked, and the run's metadata counts OCR pages and seconds."""

import base64
import dataclasses
import io
import json
import shutil

from PIL import Image

from extraction_pipeline.documents.ocr import OcrLine, OcrPage
from extraction_pipeline.documents.reading import Document, joined
from extraction_pipeline_tests.support.helpers import SAMPLE_INBOX, answer, extract_scripted, materialize, read_delta
from extraction_pipeline_tests.support.scripted_llm_server import Reply

SCAN = SAMPLE_INBOX / "X00016469619.jpg"
SCAN_ANSWER = json.dumps(
    {"company": "INDAH GIFT & HOME DECO", "date": "19/10/2018", "address": "27,JALAN DEDAP 13,", "total": 60.30}
)


def scanned(lines: list[tuple[str, float]]) -> Document:
    """A document as OCR would give it: one line per (text, confidence), 30 px apart on page 1."""
    page = OcrPage(
        1,
        tuple(OcrLine(text, 1, (10, 30 * i, 300, 30 * i + 25), conf) for i, (text, conf) in enumerate(lines)),
        0.5,
        0,
        0.0,
    )
    text, located = joined([page])
    return Document("scan1", "/inbox/scan.jpg", "image", 1000, text, located, (page,))


def test_evidence_gives_page_and_box_and_an_unsure_line_flags_its_value():
    doc = scanned([("SHOP S SDN BHD", 0.99), ("1 JALAN S", 0.97), ("25/12/2018 10:00", 0.95), ("TOTAL RM 9.50", 0.42)])
    outcome, _ = extract_scripted([answer("S")], doc)
    assert outcome.status == "valid"
    assert set(outcome.low_confidence) == {"total", "currency"}  # RM is printed on the same unsure line
    total = outcome.evidence["total"]
    assert (total.page, total.box, total.ocr_confidence) == (1, (10, 90, 300, 115), 0.42)
    assert outcome.evidence["company"].box == (10, 0, 300, 25)


def test_a_value_on_a_line_whose_legal_form_was_read_back_keeps_the_engines_reading_in_its_evidence():
    doc = scanned([("SHOP S SDN BHD", 0.99), ("1 JALAN S", 0.97), ("25/12/2018 10:00", 0.95), ("TOTAL RM 9.50", 0.97)])
    name = doc.ocr_lines[0]
    lines = (
        dataclasses.replace(name, line=dataclasses.replace(name.line, engine_text="SHOP S SON 8HD")),
        *doc.ocr_lines[1:],
    )
    outcome, _ = extract_scripted([answer("S")], dataclasses.replace(doc, ocr_lines=lines))
    assert outcome.evidence["company"].ocr_engine_text == "SHOP S SON 8HD"
    assert outcome.evidence["total"].ocr_engine_text is None


def test_one_unsure_character_flags_its_value_though_its_line_reads_well():
    doc = scanned([("SHOP S SDN BHD", 0.99), ("1 JALAN S", 0.97), ("25/12/2018 10:00", 0.95), ("TOTAL RM 9.50", 0.97)])
    total = doc.ocr_lines[3]
    unsure_digit = tuple(0.3 if ch == "5" else 0.99 for ch in total.line.text)
    lines = (
        *doc.ocr_lines[:3],
        dataclasses.replace(total, line=dataclasses.replace(total.line, char_confidences=unsure_digit)),
    )
    outcome, _ = extract_scripted([answer("S")], dataclasses.replace(doc, ocr_lines=lines))
    assert outcome.low_confidence == ["total"] and outcome.evidence["total"].ocr_confidence == 0.3


def test_the_confidence_flag_follows_its_setting():
    doc = scanned([("SHOP S SDN BHD", 0.99), ("1 JALAN S", 0.97), ("25/12/2018 10:00", 0.95), ("TOTAL RM 9.50", 0.42)])
    outcome, _ = extract_scripted([answer("S")], doc, ocr_min_confidence=0.4)
    assert outcome.low_confidence == []


def test_a_scan_in_the_inbox_becomes_a_record_with_its_place_on_the_image(scripted_llm, tmp_path):
    scripted_llm(lambda request: Reply(SCAN_ANSWER))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SCAN, inbox)
    result, metadata = materialize(inbox, tmp_path / "out")
    assert result.success
    raw = metadata["raw_documents"]
    assert raw["ocr.pages"].value == 1 and raw["ocr.documents"].value == 1
    assert 0 < raw["ocr.seconds"].value < 60 and raw["ocr.mean_confidence"].value > 0.9
    assert metadata["quality_report"]["ocr.pages"].value == 1
    records = read_delta(tmp_path / "out" / "records")
    evidence = json.loads(records.evidence[0])
    assert float(records.total[0]) == 60.30 and evidence["total"]["page"] == 1
    left, top, right, bottom = evidence["total"]["box"]
    assert 0 <= left < right <= 439 and 0 <= top < bottom <= 1004  # on the scan, which is 439 x 1004 px
    assert "Scans and photos (OCR)" in (tmp_path / "out" / "quality_report.md").read_text()


def test_page_images_go_with_the_text_to_a_model_that_reads_images(scripted_llm, tmp_path):
    server = scripted_llm(lambda request: Reply(SCAN_ANSWER), model="gpt-4o")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SCAN, inbox)
    result, _ = materialize(inbox, tmp_path / "out", send_page_images=True)
    assert result.success
    user = next(m for m in server.requests[0]["messages"] if m["role"] == "user")
    text, image = user["content"]
    assert text["type"] == "text" and "INDAH GIFT" in text["text"]
    assert image["type"] == "image_url"
    prefix, data = image["image_url"]["url"].split(",", 1)
    assert prefix == "data:image/jpeg;base64"
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (439, 1004)


def test_without_the_switch_only_text_is_sent(scripted_llm, tmp_path):
    server = scripted_llm(lambda request: Reply(SCAN_ANSWER))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SCAN, inbox)
    materialize(inbox, tmp_path / "out")
    assert all(isinstance(m["content"], str) for r in server.requests for m in r.get("messages", []))


def test_a_scan_replaced_since_it_was_read_is_quarantined_not_sent_with_other_pixels(tmp_path):
    path = tmp_path / "scan.jpg"
    shutil.copy(SCAN, path)
    doc = scanned([("SHOP S SDN BHD", 0.99)])
    doc = Document("0" * 16, str(path), "image", doc.size_bytes, doc.text, doc.ocr_lines, doc.ocr_pages)
    outcome, client = extract_scripted([answer("S")], doc, send_page_images=True)
    assert outcome.status == "quarantined" and outcome.error_kind == "unreadable"
    assert "changed since it was read" in outcome.reason and client.calls == []


def test_a_rescan_that_takes_a_near_copys_answer_still_says_where_its_values_are(scripted_llm, tmp_path):
    server = scripted_llm(lambda request: Reply(SCAN_ANSWER))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SCAN, inbox / "scan.jpg")
    Image.open(SCAN).save(inbox / "rescan.png")  # other bytes, the same pixels
    result, _ = materialize(inbox, tmp_path / "out", reuse_near_duplicates=True, max_concurrency=1)
    assert result.success
    records = read_delta(tmp_path / "out" / "records")
    asked = [r for r in server.requests if "messages" in r]
    assert len(records) == 2 and len(asked) == 1 and records.reused_from.notna().sum() == 1
    assert all(json.loads(e)["total"]["page"] == 1 for e in records.evidence)
