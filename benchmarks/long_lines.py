"""Seconds per document for documents with one very long line whose answer copies part of it.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/long_lines.py [--lengths 10000 100000 1000000]

Every text algorithm that runs on document or answer text (parsing, validation, grounding, the
wrong-place checks, layout completion) must stay linear or bounded: a hostile or broken file must
not hold a worker for minutes. The model is a stub that answers at once, so the time is ours.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import time

from extraction_pipeline.doctypes.packs import document_types
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.extract import ExtractionSettings, extract_document
from extraction_pipeline.llm.client import Completion
from extraction_pipeline.llm.prompts import load_prompt
from extraction_pipeline.settings import Settings


class CopyingModel:
    """Answers with a company and an address copied out of the long line (a stub, not a model)."""

    model = "stub"

    def __init__(self, answer: str):
        self.answer = answer

    def complete(self, messages, schema_name, schema):
        return Completion(self.answer, "stop", self.model, 100, 0, 50, 0.0, "json_schema", cost_usd=0.0)


def document(length: int) -> tuple[Document, str]:
    rng = random.Random(length)
    words = ["".join(rng.choices(string.ascii_uppercase, k=rng.randint(2, 9))) for _ in range(length // 6 + 1)]
    line = " ".join(words)[:length]
    text = f"SHOP SDN BHD\n{line}\n25/12/2018\nTOTAL RM 9.50\n"
    middle = len(line) // 2
    answer = {
        "company": line[middle : middle + max(length // 10, 20)],
        "date": "25/12/2018",
        "address": line[: max(length // 2, 30)],
        "total": 9.5,
        "currency": "RM",
    }
    return Document("bench", f"/inbox/long-{length}.txt", "text", len(text), text), json.dumps(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    receipt, reask = document_types(Settings.load().prompts_dir)["receipt"], load_prompt("reask")
    for length in args.lengths:
        doc, answer = document(length)
        started = time.perf_counter()
        outcome = extract_document(
            doc, CopyingModel(answer), receipt, reask, ExtractionSettings(document_type="receipt")
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"line of {length:>9,} characters: {seconds:7.2f} s per document, {len(outcome.calls)} calls, "
              f"{outcome.status} ({outcome.error_kind or 'ok'}), peak RSS {peak_mb:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
