"""OCR engines compared on scanned receipts: seconds per page, peak memory, and how much of what a
person transcribed (and of the labelled fields) the OCR text holds. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/ocr_engines.py SROIE --first 1 --count 40 [--engines rapidocr tesseract]

SROIE is a folder with images/<id>.jpg, docs/<id>.txt (the human transcription) and gold.jsonl;
receipts are taken in the order of their ids, from rank `--first`. Each engine runs in a process of
its own, so the peak memory printed is that engine's (models, ONNX Runtime or Tesseract included).

- rapidocr: the engine the pipeline uses (extraction_pipeline/documents/ocr.py).
- tesseract: Tesseract 5 from Debian (`apt-get install tesseract-ocr`), its TSV words fed through the
  same line assembly, so only the engine differs. Pass `--tesseract-psm` to try other page modes.

"text similarity" is difflib's ratio between the OCR text and the transcription, upper-cased with
runs of whitespace made one space. "field in text" is the share of labelled values (company,
address and date as letters and digits, total as a printed amount) that occur in the OCR text:
what the model could at best copy from it. "amounts in text" is the share of the amounts with two
decimals in the transcription (each occurrence counted) that the OCR text prints the same: a
dropped decimal point costs little similarity but is a wrong number.

`--rapidocr-param KEY=JSON` overrides one of RapidOcr.PARAMS for the run, to try a setting
(`--rapidocr-param 'Rec.rec_img_shape=[3, 48, 320]'` is RapidOCR's own recognition width).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import multiprocessing
import re
import resource
import statistics
import subprocess
import time
from pathlib import Path

from PIL import Image

from extraction_pipeline.documents.images import ImageLimits, page_images
from extraction_pipeline.documents.ocr import RapidOcr, TextBox, read_page
from extraction_pipeline.extraction.values import letters_and_digits
from extraction_pipeline.quality.scoring import load_gold


class Tesseract:
    """Tesseract 5 through its command line (TSV output: one row per word with box and confidence)."""

    name = "tesseract"

    def __init__(self, psm: int = 3) -> None:
        self.psm = psm

    def read(self, image: Image.Image) -> list[TextBox]:
        import io

        png = io.BytesIO()
        image.save(png, format="PNG")
        tsv = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", str(self.psm), "-l", "eng", "tsv"],
            input=png.getvalue(), capture_output=True, check=True,
        ).stdout.decode()  # fmt: skip
        boxes = []
        for row in tsv.splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) < 12 or not cols[11].strip() or float(cols[10]) < 0:
                continue
            left, top, width, height = (float(c) for c in cols[6:10])
            corners = ((left, top), (left + width, top), (left + width, top + height), (left, top + height))
            boxes.append(TextBox(cols[11], corners, float(cols[10]) / 100))
        return boxes


def _normal(text: str) -> str:
    return " ".join(text.upper().split())


def _field_found(field: str, value: str, text: str) -> bool:
    if not value.strip():
        return False
    if field == "total":
        amount = re.sub(r"[^\d.,]", "", value)
        return bool(amount) and amount in text
    return letters_and_digits(value) in letters_and_digits(text)


_AMOUNT = re.compile(r"\d+\.\d\d")


def _amounts_found(text: str, truth: str) -> tuple[int, int]:
    """(amounts of the transcription the OCR text also holds, amounts in the transcription)."""
    wanted = collections.Counter(_AMOUNT.findall(truth))
    return sum((wanted & collections.Counter(_AMOUNT.findall(text))).values()), sum(wanted.values())


def _run_engine(name: str, psm: int, params: dict, paths: list[str], gold: dict, docs: str, queue) -> None:
    if name == "rapidocr":
        RapidOcr.PARAMS = {**RapidOcr.PARAMS, **params}  # this process only: it runs one engine
    engine = Tesseract(psm) if name == "tesseract" else RapidOcr()
    engine.read(Image.new("RGB", (200, 60), "white"))  # load the models before the clock starts
    seconds, similarity, found, confidence, amounts = [], [], [], [], []
    for path in map(Path, paths):
        pages = page_images(path, path.read_bytes(), ImageLimits(), max_pages=1)
        page = read_page(pages[0].image, 1, pages[0].scale, engine)
        seconds.append(page.seconds)
        truth = (Path(docs) / f"{path.stem}.txt").read_text(encoding="utf-8")
        similarity.append(difflib.SequenceMatcher(None, _normal(page.text), _normal(truth), autojunk=False).ratio())
        confidence.extend(line.confidence for line in page.lines)
        amounts.append(_amounts_found(page.text, truth))
        for field, value in gold[path.stem].items():
            if str(value or "").strip():
                found.append((field, _field_found(field, str(value), page.text)))
    queue.put(
        {
            "engine": name if name != "tesseract" else f"tesseract (psm {psm})",
            "params": params if name == "rapidocr" else {},
            "pages": len(paths),
            "s_per_page_p50": statistics.median(seconds),
            "s_per_page_p95": statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0],
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "text_similarity": statistics.fmean(similarity),
            "line_confidence_p10": statistics.quantiles(confidence, n=10)[0],
            "amounts_in_text": sum(a for a, _ in amounts) / max(sum(n for _, n in amounts), 1),
            **{
                f"in_text.{field}": statistics.fmean(ok for f, ok in found if f == field)
                for field in ("company", "address", "date", "total")
            },
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sroie", type=Path)
    parser.add_argument("--first", type=int, default=1, help="rank of the first receipt (1 = first by id)")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--engines", nargs="+", default=["rapidocr", "tesseract"])
    parser.add_argument("--tesseract-psm", type=int, default=3)
    parser.add_argument("--rapidocr-param", action="append", default=[], metavar="KEY=JSON")
    args = parser.parse_args()
    params = {key: json.loads(value) for key, value in (p.split("=", 1) for p in args.rapidocr_param)}
    gold = load_gold(args.sroie / "gold.jsonl")
    ranked = sorted(p.stem for p in (args.sroie / "docs").glob("*.txt"))
    chosen = ranked[args.first - 1 : args.first - 1 + args.count]
    paths = [str(args.sroie / "images" / f"{i}.jpg") for i in chosen if (args.sroie / "images" / f"{i}.jpg").exists()]
    print(f"{len(paths)} receipt images, ranks {args.first}-{args.first + args.count - 1}")
    context = multiprocessing.get_context("spawn")
    for name in args.engines:
        queue = context.Queue()
        started = time.perf_counter()
        worker = context.Process(
            target=_run_engine, args=(name, args.tesseract_psm, params, paths, gold, str(args.sroie / "docs"), queue)
        )
        worker.start()
        result = queue.get()
        worker.join()
        result["wall_s"] = time.perf_counter() - started
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))


if __name__ == "__main__":
    main()
