"""Extracting many documents: bounded concurrency, progress, and one clear stop on a permanent fault.

Threads, not asyncio: the work is waiting on HTTP, the `openai` client is thread-safe, and Dagster
asset bodies are synchronous. The bound is what the server (or the provider's tier) can take at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from .documents import Document
from .extraction import CompletionClient, ExtractionOutcome, ExtractionSettings, extract_document
from .progress import Progress
from .prompts import PromptTemplate, load_prompt


def extract_all(
    documents: list[Document],
    client: CompletionClient,
    settings: ExtractionSettings,
    *,
    max_concurrency: int = 4,
    prompt: PromptTemplate | None = None,
    report: Callable[[str], None] = print,
) -> list[ExtractionOutcome]:
    """One outcome per document, in input order. Nothing is dropped: a document that was not tried
    (after a refused key, say, or with the run budget spent) is quarantined with that reason."""
    prompt = prompt or load_prompt(settings.document_type)
    reask = load_prompt("reask")
    progress = Progress(len(documents), report)
    stop = threading.Event()
    first_permanent: list[ExtractionOutcome] = []

    def one(doc: Document) -> ExtractionOutcome:
        if stop.is_set():
            cause = first_permanent[0]
            outcome = ExtractionOutcome(
                doc.document_id, doc.source_path, settings.document_type, "quarantined",
                error_kind=cause.error_kind, reason=f"not sent: {cause.reason}",
            )  # fmt: skip
        else:
            outcome = extract_document(doc, client, prompt, reask, settings)
            if outcome.calls and outcome.calls[-1].error_kind in RUN_STOPPING_KINDS and not stop.is_set():
                first_permanent.append(outcome)
                stop.set()
                report(f"stopping LLM calls: {outcome.reason}")
        progress.advance()
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=max(1, max_concurrency), thread_name_prefix="llm") as pool:
            return list(pool.map(one, documents))
    finally:
        progress.close()


# Faults that would repeat identically for every document (and a spent run budget): stop calling.
RUN_STOPPING_KINDS = frozenset({"auth", "not_found", "budget"})
