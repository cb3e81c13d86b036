"""Extracting many documents: bounded concurrency, progress, and one clear stop when calling is futile.

Threads, not asyncio: the work is waiting on HTTP, the `openai` client is thread-safe, and Dagster
asset bodies are synchronous. The bound is what the server (or the provider's tier) can take at once.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from pydantic import ValidationError

from .doctype import OTHER, detect_type
from .documents import Document
from .extraction import CompletionClient, ExtractionOutcome, ExtractionSettings, extract_document
from .grounding import ground
from .neardup import NearDuplicateIndex
from .plausibility import implausible
from .progress import Progress
from .prompts import load_prompt
from .schemas import AUTO, schema_for

# Faults that would repeat identically for every document (and a spent run budget): stop calling.
RUN_STOPPING_KINDS = frozenset({"auth", "not_found", "budget"})
# Faults the SDK already retried with backoff; this many documents in a row ending so means the
# server is down, and every further document would only burn its own retries.
TRANSPORT_KINDS = frozenset({"connection", "timeout"})
TRANSPORT_FAILURES_BEFORE_STOP = 3
# What a stronger model may fix: answers that did not parse, validate, ground, or fit the output limit
# (and, below, valid records that kept a flagged value).
RETRY_WITH_STRONGER_MODEL = frozenset({"parse_error", "validation_error", "ungrounded", "truncated"})


def extract_all(
    documents: list[Document],
    client: CompletionClient,
    settings: ExtractionSettings,
    *,
    max_concurrency: int = 4,
    report: Callable[[str], None] = print,
    retry_client: CompletionClient | None = None,
    routes: dict[str, CompletionClient] | None = None,
    near_duplicates: NearDuplicateIndex | None = None,
    near_duplicate_threshold: float | None = None,
) -> list[ExtractionOutcome]:
    """One outcome per document, in input order. Nothing is dropped: a document that was not tried
    (after a refused key, say, or with the run budget spent) is quarantined with that reason, and a
    bug that breaks one document is that document's quarantine reason, not the run's end.

    With `near_duplicates`, a document may take the answer of a near copy already extracted, when every
    value of it is found in this document (see neardup.py).
    `routes` sends a document type to its own model (client); other types go to `client`.
    With a `retry_client` (a stronger model), a document whose answers stayed invalid or flagged is
    tried once more with it; its calls are added to the same outcome, so cost and provenance stay complete.

    Documents are sent grouped by model, and the retries after all first answers: a local server that
    holds one model at a time (llama.cpp) then loads each model once per run instead of once per switch."""
    reask = load_prompt("reask")
    prompts = {}  # by document type, loaded on first use
    lock = threading.Lock()
    state = {"stop_reason": None, "stop_kind": None, "transport_in_a_row": 0}
    types = [detect_type(d.text) if settings.document_type == AUTO else settings.document_type for d in documents]
    clients = [(routes or {}).get(t, client) for t in types]

    def attempt(doc: Document, doc_type: str, model_client: CompletionClient) -> ExtractionOutcome:
        typed = dataclasses.replace(settings, document_type=doc_type)
        with lock:
            prompt = prompts.get(doc_type) or prompts.setdefault(doc_type, load_prompt(doc_type))
        try:
            outcome = extract_document(doc, model_client, prompt, reask, typed)
        except Exception as exc:  # noqa: BLE001 - one broken document never sinks the run
            outcome = ExtractionOutcome(
                doc.document_id, doc.source_path, doc_type, "quarantined",
                error_kind="internal_error", reason=f"{type(exc).__name__}: {exc}",
            )  # fmt: skip
            report(f"internal error on {doc.source_path}:\n{traceback.format_exc()}")
        _watch(outcome)
        return outcome

    def first(i: int) -> ExtractionOutcome:
        doc, doc_type = documents[i], types[i]
        if doc_type == OTHER:
            outcome = ExtractionOutcome(
                doc.document_id, doc.source_path, OTHER, "quarantined", error_kind="unsupported",
                reason=f"{doc.source_path}: neither a receipt nor an invoice (no payment or invoice markers); not extracted",
            )  # fmt: skip
        elif state["stop_reason"]:
            outcome = ExtractionOutcome(
                doc.document_id, doc.source_path, doc_type, "quarantined",
                error_kind=state["stop_kind"], reason=f"not sent: {state['stop_reason']}",
            )  # fmt: skip
        elif (
            near_duplicates is not None
            and (reused := reuse(doc, doc_type, near_duplicates, near_duplicate_threshold)).status == "valid"
        ):
            outcome = reused
        else:
            outcome = attempt(doc, doc_type, clients[i])
            if near_duplicates is not None:
                outcome.reuse_refused = reused.reuse_refused
            _remember(doc, outcome)
        progress.advance()
        return outcome

    def stronger(i: int) -> ExtractionOutcome:
        doc, earlier = documents[i], outcomes[i]
        if state["stop_reason"]:  # the run stopped calling: the first model's outcome stands
            progress.advance()
            return earlier
        retried = attempt(doc, types[i], retry_client)
        retried.calls = earlier.calls + retried.calls
        retried.reuse_refused = earlier.reuse_refused
        _remember(doc, retried)
        progress.advance()
        return retried

    def _remember(doc: Document, outcome: ExtractionOutcome) -> None:
        # Only answers with nothing flagged are offered to near copies.
        if near_duplicates is not None and outcome.status == "valid" and not outcome.ungrounded:
            near_duplicates.add(doc.document_id, outcome.document_type, doc.text, outcome.record)

    def _watch(outcome: ExtractionOutcome) -> None:
        kind = outcome.calls[-1].error_kind if outcome.calls else None
        with lock:
            state["transport_in_a_row"] = state["transport_in_a_row"] + 1 if kind in TRANSPORT_KINDS else 0
            stop = kind in RUN_STOPPING_KINDS or state["transport_in_a_row"] >= TRANSPORT_FAILURES_BEFORE_STOP
            if stop and not state["stop_reason"]:
                state["stop_kind"], state["stop_reason"] = kind, outcome.reason
                report(f"stopping LLM calls for this run: {outcome.reason}")

    outcomes: dict[int, ExtractionOutcome] = {}  # by position in `documents`
    by_model = sorted(range(len(documents)), key=lambda i: clients[i].model)  # stable: input order within a model
    with ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="llm") as pool:
        progress = Progress(len(documents), report)
        try:
            outcomes.update(zip(by_model, pool.map(first, by_model)))
        finally:
            progress.close()
        weak = [i for i in sorted(outcomes) if retry_client is not None and _needs_stronger(outcomes[i])]
        if weak:
            report(f"{len(weak)} documents go to the stronger model {retry_client.model}")
            progress = Progress(len(weak), report, label="retries")
            try:
                outcomes.update(zip(weak, pool.map(stronger, weak)))
            finally:
                progress.close()
    return [outcomes[i] for i in range(len(documents))]


def _needs_stronger(outcome: ExtractionOutcome) -> bool:
    return outcome.error_kind in RETRY_WITH_STRONGER_MODEL or bool(outcome.ungrounded)


def reuse(doc: Document, doc_type: str, index: NearDuplicateIndex, threshold: float | None) -> ExtractionOutcome:
    """A valid outcome from a near duplicate's answer, when all of it is in this document; otherwise a
    placeholder saying whether a near duplicate was found and refused."""
    outcome = ExtractionOutcome(doc.document_id, doc.source_path, doc_type, "pending")
    hit = index.nearest(doc.document_id, doc_type, doc.text, threshold)
    if hit is None:
        return outcome
    other_id, stored, _ = hit
    try:
        record = schema_for(doc_type).model_validate(stored).model_dump(mode="python")
    except ValidationError:  # stored under an older schema: not reusable
        return outcome
    evidence = ground(record, doc.text)
    if any(e.status == "missing" for e in evidence.values()) or implausible(record, evidence, doc.text):
        outcome.reuse_refused = True
        return outcome
    outcome.status, outcome.record, outcome.evidence, outcome.reused_from = "valid", record, evidence, other_id
    return outcome
