"""Extracting many documents: bounded concurrency, progress, and one clear stop when calling is futile.

Threads, not asyncio: the work is waiting on HTTP, the `openai` client is thread-safe, and Dagster
asset bodies are synchronous. The bound is what the server (or the provider's tier) can take at once.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from pydantic import ValidationError

from extraction_pipeline.doctypes.detection import BY_LLM, BY_MARKERS, decide_type
from extraction_pipeline.doctypes.packs import AUTO, OTHER, DocumentType
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.classify import classify
from extraction_pipeline.extraction.extract import (
    CompletionClient,
    ExtractionOutcome,
    ExtractionSettings,
    extract_document,
    settle,
)
from extraction_pipeline.extraction.grounding import ground
from extraction_pipeline.extraction.neardup import NearDuplicateIndex
from extraction_pipeline.extraction.progress import Progress
from extraction_pipeline.llm.prompts import load_prompt

# Faults that would repeat identically for every document (and a spent run budget): stop calling.
RUN_STOPPING_KINDS = frozenset({"auth", "not_found", "budget"})
# Faults the SDK already retried with backoff; this many documents in a row ending so means the
# server is down, and every further document would only burn its own retries.
TRANSPORT_KINDS = frozenset({"connection", "timeout"})
TRANSPORT_FAILURES_BEFORE_STOP = 3
# The quarantine kind of the documents of a run whose answers were held back as a whole.
RUN_STOPPED = "run_stopped"
# A run whose every document ended so failed as a whole: no document could have fared otherwise.
RUN_WIDE_KINDS = RUN_STOPPING_KINDS | TRANSPORT_KINDS
# What a stronger model may fix: answers that did not parse, validate, ground, or fit the output limit
# (and, below, valid records that kept a flagged value).
RETRY_WITH_STRONGER_MODEL = frozenset({"parse_error", "validation_error", "ungrounded", "truncated"})


@dataclass(frozen=True)
class ExtractionBatch:
    """One run's outcomes, one per document in input order, the document type it was asked for, the
    record columns of its document types, and their list fields (`line_items`), each a table of its own."""

    document_type: str
    outcomes: list[ExtractionOutcome]
    fields: tuple[str, ...]
    nested: tuple[str, ...] = ()


def extract_all(
    documents: list[Document],
    client: CompletionClient,
    settings: ExtractionSettings,
    doc_types: dict[str, DocumentType],
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
    run = _BatchRun(
        documents, client, settings, doc_types, report, routes or {}, near_duplicates, near_duplicate_threshold
    )
    outcomes: dict[int, ExtractionOutcome] = {}  # by position in `documents`
    by_model = sorted(range(len(documents)), key=lambda i: run.clients[i].model)  # stable within a model
    pool = ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="llm")
    try:
        with Progress(len(documents), report) as progress:
            outcomes.update(zip(by_model, pool.map(lambda i: progress.after(run.first(i)), by_model)))
        weak = [i for i in sorted(outcomes) if retry_client is not None and _needs_stronger(outcomes[i])]
        if weak:
            report(f"{len(weak)} documents go to the stronger model {retry_client.model}")
            with Progress(len(weak), report, label="retries") as progress:
                retried = pool.map(lambda i: progress.after(run.stronger(i, outcomes[i], retry_client)), weak)
                outcomes.update(zip(weak, retried))
    except BaseException:
        # Interrupted (SIGTERM, Ctrl-C, a run terminated from the UI): stop now. Queued documents are
        # not sent; calls in flight are abandoned (their answers, if any arrive, are still cached).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [outcomes[i] for i in range(len(documents))]


def not_sent(documents: list[Document], kind: str, reason: str) -> list[ExtractionOutcome]:
    """Every document quarantined with the reason no request could be sent (say, the server is down)."""
    return [_not_sent(d, "unknown", kind, reason) for d in documents]


def _not_sent(doc: Document, doc_type: str, kind: str | None, reason: str) -> ExtractionOutcome:
    return ExtractionOutcome(
        doc.document_id, doc.source_path, doc_type, "quarantined", error_kind=kind, reason=f"not sent: {reason}"
    )


def held_back(outcomes: list[ExtractionOutcome], reason: str) -> list[ExtractionOutcome]:
    """Every outcome quarantined with a run-level reason, its calls kept: when most answers of a run
    are invalid the prompt or model is broken, and even the valid answers came from it. Each keeps
    what its own answers gave after the run's reason: someone mending the prompt needs to see why
    each document failed, and a run of one document stops on that document's answers alone."""
    return [
        dataclasses.replace(
            o, status="quarantined", record=None, error_kind=RUN_STOPPED, reason=f"{reason}. {_own_outcome(o)}"
        )
        for o in outcomes
    ]


def _own_outcome(outcome: ExtractionOutcome) -> str:
    if outcome.status == "valid":
        return "This document's own answer was valid."
    return f"This document's own outcome: {outcome.error_kind}: {outcome.reason}"


class _BatchRun:
    """What the documents of one batch share while they are extracted in parallel: the document types,
    the near-duplicate index, and whether calling has become futile (the run's stop reason)."""

    def __init__(
        self,
        documents: list[Document],
        client: CompletionClient,
        settings: ExtractionSettings,
        doc_types: dict[str, DocumentType],
        report: Callable[[str], None],
        routes: dict[str, CompletionClient],
        near_duplicates: NearDuplicateIndex | None,
        near_duplicate_threshold: float | None,
    ):
        self.documents, self.settings, self.report = documents, settings, report
        self.near_duplicates, self.threshold = near_duplicates, near_duplicate_threshold
        if settings.document_type not in (*doc_types, AUTO):
            raise ValueError(f"unknown document type {settings.document_type!r}; known: {sorted(doc_types)}")
        self.doc_types = doc_types
        decided = [decide_type(d, settings.document_type, doc_types) for d in documents]
        self.types = [doc_type for doc_type, _ in decided]
        self.decided_by = [how for _, how in decided]
        self.client, self.routes = client, routes
        self.clients = [routes.get(t, client) for t in self.types]
        self.reask = load_prompt("reask")
        self.classify_prompt = load_prompt("classify")
        self._lock = threading.Lock()
        self._stop_kind: str | None = None
        self._stop_reason: str | None = None
        self._transport_in_a_row = 0

    def first(self, i: int) -> ExtractionOutcome:
        outcome = self._first(i)
        outcome.type_decided_by = self.decided_by[i]
        return outcome

    def _first(self, i: int) -> ExtractionOutcome:
        doc = self.documents[i]
        if self.types[i] == OTHER and self.decided_by[i] == BY_MARKERS and not self._stop_reason:
            named, call = classify(doc, self.client, self.classify_prompt, list(self.doc_types))
            self.types[i], self.decided_by[i] = named, BY_LLM
            self.clients[i] = self.routes.get(named, self.client)
            outcome = self._extract_first(i)
            outcome.calls.insert(0, call)
            if call.error_kind and named == OTHER:  # not "no type fits": the question could not be asked
                outcome.error_kind, outcome.reason = call.error_kind, f"classification call failed: {call.error}"
                self._watch(outcome)
            return outcome
        return self._extract_first(i)

    def _extract_first(self, i: int) -> ExtractionOutcome:
        doc, doc_type = self.documents[i], self.types[i]
        if doc_type == OTHER:
            return ExtractionOutcome(
                doc.document_id, doc.source_path, OTHER, "quarantined", error_kind="unsupported",
                reason=f"{doc.source_path}: no document type fits (no markers, and the model named none of "
                f"{sorted(self.doc_types)}); not extracted. Put it in an inbox folder named for its type or set document_type",
            )  # fmt: skip
        if self._stop_reason:
            return _not_sent(doc, doc_type, self._stop_kind, self._stop_reason)
        reused = None
        if self.near_duplicates is not None:
            reused = reuse(doc, self.doc_types[doc_type], self.near_duplicates, self.threshold)
            if reused.status == "valid":
                settle(reused, doc, self.settings.ocr_min_confidence)  # as an extracted record is
                return reused
        outcome = self._attempt(doc, doc_type, self.clients[i])
        if reused is not None:
            outcome.reuse_refused = reused.reuse_refused
        self._remember(doc, outcome)
        return outcome

    def stronger(self, i: int, earlier: ExtractionOutcome, retry_client: CompletionClient) -> ExtractionOutcome:
        if self._stop_reason:  # the run stopped calling: the first model's outcome stands
            return earlier
        doc = self.documents[i]
        retried = self._attempt(doc, self.types[i], retry_client)
        retried.calls = earlier.calls + retried.calls
        retried.reuse_refused = earlier.reuse_refused
        retried.type_decided_by = earlier.type_decided_by
        self._remember(doc, retried)
        return retried

    def _attempt(self, doc: Document, doc_type: str, model_client: CompletionClient) -> ExtractionOutcome:
        try:
            outcome = extract_document(doc, model_client, self.doc_types[doc_type], self.reask, self.settings)
        except Exception as exc:  # noqa: BLE001 - one broken document never sinks the run
            outcome = ExtractionOutcome(
                doc.document_id, doc.source_path, doc_type, "quarantined",
                error_kind="internal_error", reason=f"{type(exc).__name__}: {exc}",
            )  # fmt: skip
            self.report(f"internal error on {doc.source_path}:\n{traceback.format_exc()}")
        self._watch(outcome)
        return outcome

    def _remember(self, doc: Document, outcome: ExtractionOutcome) -> None:
        # Only answers with nothing flagged are offered to near copies.
        if self.near_duplicates is not None and outcome.status == "valid" and not outcome.ungrounded:
            self.near_duplicates.add(doc.document_id, outcome.document_type, doc.text, outcome.record)

    def _watch(self, outcome: ExtractionOutcome) -> None:
        """Stop calling once a fault would repeat for every document, or the server stays down."""
        kind = outcome.calls[-1].error_kind if outcome.calls else None
        with self._lock:
            self._transport_in_a_row = self._transport_in_a_row + 1 if kind in TRANSPORT_KINDS else 0
            stop = kind in RUN_STOPPING_KINDS or self._transport_in_a_row >= TRANSPORT_FAILURES_BEFORE_STOP
            if stop and not self._stop_reason:
                self._stop_kind, self._stop_reason = kind, outcome.reason
                self.report(f"stopping LLM calls for this run: {outcome.reason}")


def _needs_stronger(outcome: ExtractionOutcome) -> bool:
    return outcome.error_kind in RETRY_WITH_STRONGER_MODEL or bool(outcome.ungrounded)


def reuse(
    doc: Document, doc_type: DocumentType, index: NearDuplicateIndex, threshold: float | None
) -> ExtractionOutcome:
    """A valid outcome from a near duplicate's answer, when all of it is in this document and passes
    the type's checks; otherwise a placeholder saying whether a near duplicate was found and refused."""
    outcome = ExtractionOutcome(doc.document_id, doc.source_path, doc_type.name, "pending")
    hit = index.nearest(doc.document_id, doc_type.name, doc.text, threshold)
    if hit is None:
        return outcome
    other_id, stored, _ = hit
    try:
        record = doc_type.model.model_validate(stored).model_dump(mode="python")
    except ValidationError:  # stored under an older schema: not reusable
        return outcome
    evidence = ground(record, doc.text)
    if any(e.status == "missing" for e in evidence.values()) or doc_type.problems(record, doc.text, evidence):
        outcome.reuse_refused = True
        return outcome
    outcome.status, outcome.record, outcome.evidence, outcome.reused_from = "valid", record, evidence, other_id
    return outcome
