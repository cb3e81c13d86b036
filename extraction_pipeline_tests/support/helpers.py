"""What many tests share: documents whose values are known, the answers that match them, a scripted
client for the core, and one call that materializes the asset graph. Test doubles say so."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd
from deltalake import DeltaTable

from extraction_pipeline.definitions import defs
from extraction_pipeline.defs.assets import (
    evaluation,
    llm_extractions,
    quality_report,
    raw_documents,
    validated_records,
)
from extraction_pipeline.defs.resources import LLMResource, OutputStorage, QualityThresholds
from extraction_pipeline.doctypes.packs import document_types
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.extract import ExtractionSettings, extract_document
from extraction_pipeline.llm.client import Completion
from extraction_pipeline.llm.prompts import load_prompt
from extraction_pipeline_tests.support.scripted_llm_server import Reply, document_text

REPO = Path(__file__).resolve().parents[2]
SAMPLE_INBOX = REPO / "data" / "inbox"
# The built-in document types, as a run loads them.
DOC_TYPES = document_types(REPO / "prompts")
RECEIPT, INVOICE_TYPE = DOC_TYPES["receipt"], DOC_TYPES["invoice"]
DEFS = defs()
ASSETS = [raw_documents, llm_extractions, validated_records, quality_report, evaluation]
RECEIPTS_IN_INBOX = 3  # the receipts_inbox fixture
ANSWER = {"company": "SHOP {n} SDN BHD", "date": "25/12/2018", "address": "1 JALAN {n}", "total": 9.5, "currency": "RM"}
INVOICE = """ACME Industrial GmbH
Invoice No: INV-2024-117
Invoice Date: 05.03.2024
Bill To: Foo Trading Ltd, 1 High Street
Due Date: 04.04.2024
Widgets 10 x 125.00 1,250.00
Amount due EUR 1,250.00
IBAN DE89 3704 0044 0532 0130 00"""
# The invoice pack's answer to INVOICE, every value printed and its one row a line.
INVOICE_ANSWER = json.dumps(
    {"issuer": "ACME Industrial GmbH", "invoice_number": "INV-2024-117", "date": "05.03.2024", "total": 1250.00,
     "currency": "EUR", "line_items": [{"description": "Widgets", "quantity": 10, "unit_price": 125.00, "line_total": 1250.00}]}
)  # fmt: skip


def receipt_text(n: str, extra: str = "") -> str:
    """A document that prints every value of `answer(n)`, so the answer is grounded in it."""
    return f"SHOP {n} SDN BHD\n1 JALAN {n}\n25/12/2018 10:00\n{extra}\nTOTAL RM 9.50\n"


def answer(n: str, **changes) -> str:
    return json.dumps({k: (v.format(n=n) if isinstance(v, str) else v) for k, v in {**ANSWER, **changes}.items()})


def echo(request) -> Reply:
    """The answer whose values the requested document prints (see `receipt_text`)."""
    return Reply(answer(re.search(r"SHOP (\S+) SDN BHD", document_text(request)).group(1)))


def write_inbox(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return folder


def land(folder: Path, name: str, text: str, age_s: float = 60.0) -> Path:
    """A file that arrived `age_s` seconds ago (complete, as far as the sensor can tell)."""
    path = folder / name
    path.write_text(text)
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def materialize(inbox, out, llm: LLMResource | None = None, **extraction_config):
    """The whole graph in a test instance; returns the result and each asset's metadata by name."""
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            ASSETS,
            instance=instance,
            resources={
                "llm": llm or LLMResource(max_retries=0),
                "storage": OutputStorage(output_dir=str(out)),
                "thresholds": QualityThresholds(),
            },
            run_config={
                "ops": {
                    "raw_documents": {"config": {"inbox": str(inbox)}},
                    "llm_extractions": {"config": extraction_config},
                }
            },
        )
        metadata = {
            str(key.path[-1]): result.asset_materializations_for_node(key.path[-1])[0].metadata
            for key in (a.key for a in ASSETS)
        }
        return result, metadata


@dataclass
class ScriptedClient:
    """A test double: answers each call with the next scripted text, or raises the scripted error."""

    script: list
    model: str = "gpt-4o-mini"
    calls: list = field(default_factory=list)
    schemas: list = field(default_factory=list)

    def complete(self, messages, schema_name, schema):
        self.calls.append(messages)
        self.schemas.append(schema)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        text, finish = step if isinstance(step, tuple) else (step, "stop")
        return Completion(text, finish, self.model, 500, 100, 50, 0.2, "json_schema", cost_usd=0.0001)


def extract_scripted(script, doc: Document, doc_type=None, **settings):
    """Extract `doc` as `doc_type` (a receipt by default) with a client that answers from `script`;
    return the outcome and the client."""
    client = ScriptedClient(list(script))
    outcome = extract_document(doc, client, doc_type or RECEIPT, load_prompt("reask"), ExtractionSettings(**settings))
    return outcome, client


def read_delta(path) -> pd.DataFrame:
    """An output table (a Delta table) as pandas, as a user reads it."""
    return DeltaTable(str(path)).to_pandas()


def cli_command(inbox, out, *flags: str) -> list[str]:
    """`extraction-pipeline run` over `inbox` into `out`, for a process of its own."""
    return [sys.executable, "-m", "extraction_pipeline.cli", "run", "--inbox", str(inbox), "--output", str(out), *flags]


def overlapping_inboxes(root: Path, pool: Path, runs: int, docs: int) -> list[Path]:
    """An inbox per run, of hard links into `pool`: run i reads `docs` files (by name) from
    i * docs / 2 on, so each shares half with the next, as overlapping sensor batches and the
    nightly run do."""
    names = sorted(p.name for p in pool.iterdir())
    inboxes = []
    for i in range(runs):
        inbox = root / f"inbox{i}"
        inbox.mkdir()
        for name in names[i * docs // 2 : i * docs // 2 + docs]:
            os.link(pool / name, inbox / name)
        inboxes.append(inbox)
    return inboxes
