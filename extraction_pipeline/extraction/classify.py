"""A cheap LLM call that names a document's type where printed markers cannot (detection.py).

The answer is restricted by its JSON schema to the known type names and `other`, so it can be
nothing else; it goes through the same client as an extraction, so it is cached, rate-limited,
priced and logged like any call, and recorded among the document's calls.
"""

from __future__ import annotations

from typing import Any

from extraction_pipeline.doctypes.packs import OTHER
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.extract import CompletionClient, LLMCall, call_record, failed_call
from extraction_pipeline.extraction.parsing import OutputError, extract_json_object
from extraction_pipeline.llm.client import LLMError
from extraction_pipeline.llm.prompts import PromptTemplate

# The start of a document says what it is; the rest would only cost tokens.
CLASSIFY_CHARS = 2000


def classify(doc: Document, client: CompletionClient, prompt: PromptTemplate, names: list[str]) -> tuple[str, LLMCall]:
    """The type the model names (`other` when it names none, or the call failed) and the call."""
    choices = [*names, OTHER]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": choices}},
        "required": ["type"],
        "additionalProperties": False,
    }
    messages = prompt.render(type_names=", ".join(choices), document_text=doc.text[:CLASSIFY_CHARS])
    try:
        completion = client.complete(messages, "document_type", schema)
    except LLMError as exc:
        return OTHER, failed_call(0, client.model, prompt, exc)
    call = call_record(0, prompt, completion)
    try:  # a server without schema enforcement may wrap the object in prose or a code fence
        named = extract_json_object(completion.text).get("type")
    except OutputError:
        named = None
    return (named if named in names else OTHER), call
