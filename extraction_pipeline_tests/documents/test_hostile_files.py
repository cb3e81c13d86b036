"""Files nobody should put in an inbox, made by the test: each is rejected with a reason naming it,
reading never blocks or runs away, and the good documents beside them are read as usual."""

import os
import threading
import time

import pytest

from extraction_pipeline.documents.inbox_watch import settled_files
from extraction_pipeline.documents.reading import ReadLimits, RejectedFile, read_document, read_selected, scan_inbox
from extraction_pipeline_tests.support.helpers import receipt_text, write_inbox
from extraction_pipeline_tests.support.pdf_builder import page_bomb_pdf


def finishes(work, timeout_s: float = 10.0):
    """Run `work` in a thread; fail (instead of hanging the suite) when it does not return in time."""
    result = {}

    def run():
        try:
            result["value"] = work()
        except Exception as exc:  # noqa: BLE001 - raised again in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"{work} still running after {timeout_s} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_a_fifo_and_a_link_to_dev_zero_are_rejected_without_blocking(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"good.txt": receipt_text("G")})
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "zero.txt").symlink_to("/dev/zero")
    documents, rejections = finishes(lambda: scan_inbox(inbox))
    assert [d.source_path for d in documents] == [str(inbox / "good.txt")]
    reasons = {r.source_path.rsplit("/", 1)[-1]: r.reason for r in rejections}
    assert "not a regular file" in reasons["pipe.txt"] and "pipe.txt" in reasons["pipe.txt"]
    assert "outside the inbox" in reasons["zero.txt"]
    # The sensor refuses what the run refuses, and does not block on the FIFO either.
    settled = finishes(lambda: settled_files(inbox, time.time() + 60, settle_s=5))
    assert [f.relative_path for f in settled] == ["good.txt"]


def test_a_symlink_loop_is_one_rejected_file_not_a_failed_run(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"good.txt": receipt_text("G")})
    (inbox / "a.txt").symlink_to(inbox / "b.txt")
    (inbox / "b.txt").symlink_to(inbox / "a.txt")
    documents, rejections = scan_inbox(inbox)
    assert len(documents) == 1
    assert sorted((r.source_path.rsplit("/", 1)[-1], "symlink loop" in r.reason) for r in rejections) == [
        ("a.txt", True),
        ("b.txt", True),
    ]


def test_a_file_swapped_for_a_link_to_outside_while_read_never_yields_the_outside_content(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {})
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET SHOP\nTOTAL 1.00\n")
    target, staged, link = inbox / "swap.txt", inbox / ".staged", inbox / ".link"
    target.write_text(receipt_text("S"))
    stop = time.monotonic() + 1.5

    def swap():
        while time.monotonic() < stop:  # bounded: the race runs for 1.5 s
            staged.write_text(receipt_text("S"))
            os.replace(staged, target)
            link.unlink(missing_ok=True)
            link.symlink_to(outside)
            os.replace(link, target)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    reads, leaked = 0, 0
    while swapper.is_alive():
        try:
            leaked += "SECRET" in read_document(target, inbox).text
            reads += 1
        except RejectedFile:
            reads += 1
    assert reads > 50 and leaked == 0


def test_a_pdf_of_2000_pages_sharing_one_huge_stream_is_rejected_at_once(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"bomb.pdf": page_bomb_pdf(pages=2000)})
    with pytest.raises(RejectedFile, match=r"bomb.pdf: 2000 pages, over the limit of 500"):
        finishes(lambda: read_document(inbox / "bomb.pdf", inbox), timeout_s=30)


def test_a_pdf_under_the_page_limit_stops_at_the_text_or_time_limit(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"bomb.pdf": page_bomb_pdf(pages=50, decoded_bytes=200_000)})
    with pytest.raises(RejectedFile, match=r"bomb.pdf: over 300000 characters of text \(at page 3 of 50\)"):
        read_document(inbox / "bomb.pdf", inbox, ReadLimits(max_text_chars=300_000))
    with pytest.raises(RejectedFile, match=r"bomb.pdf: reading its text took over 0.5 s"):
        read_document(inbox / "bomb.pdf", inbox, ReadLimits(max_seconds=0.5))


def test_the_text_limit_holds_for_every_format(tmp_path):
    inbox = write_inbox(
        tmp_path / "inbox", {"long.txt": "TOTAL 9.50\n" * 1000, "long.html": "<p>TOTAL 9.50</p>" * 1000}
    )
    for name in ("long.txt", "long.html"):
        with pytest.raises(RejectedFile, match=rf"{name}: over 5000 characters of text"):
            read_document(inbox / name, inbox, ReadLimits(max_text_chars=5000))


def test_files_named_for_a_rerun_get_the_same_checks(tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"good.txt": receipt_text("G")})
    (inbox / "a.txt").symlink_to(inbox / "b.txt")
    (inbox / "b.txt").symlink_to(inbox / "a.txt")
    (tmp_path / "secret.txt").write_text("SECRET\n")
    documents, rejections = read_selected(inbox, ["good.txt", "a.txt", str(tmp_path / "secret.txt"), "../secret.txt"])
    assert [d.source_path for d in documents] == [str(inbox / "good.txt")]
    reasons = [r.reason for r in rejections]
    assert "symlink loop" in reasons[0] and all("leads outside the inbox" in r for r in reasons[1:])
