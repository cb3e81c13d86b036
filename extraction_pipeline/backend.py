"""Which LLM server a run talks to: one the user configured, or the embedded local model.

The SDK's own variables decide: with `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` set (a base URL
without a key is a local server such as vLLM or Ollama), we use that server; with neither, the
embedded llama.cpp server, so a new user gets real extractions offline.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator, Mapping

from .llm_client import LLMClient, ResponseFormat
from .local_model import DEFAULT_MODEL, embedded_server, models_dir

DEFAULT_REMOTE_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Backend:
    base_url: str | None  # None: the SDK's default (OPENAI_BASE_URL or OpenAI itself)
    model: str
    embedded: bool


def resolve_backend(env: Mapping[str, str] = os.environ, model: str | None = None) -> Backend:
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        return Backend(env.get("OPENAI_BASE_URL") or None, model or env.get("EXTRACTION_MODEL") or DEFAULT_REMOTE_MODEL, False)
    return Backend(None, DEFAULT_MODEL.alias, True)


@contextlib.contextmanager
def open_client(
    model: str | None = None, response_format: ResponseFormat = "auto", **client_options
) -> Iterator[LLMClient]:
    """An LLMClient for the configured backend; the embedded server lives as long as the block."""
    backend = resolve_backend(model=model)
    if not backend.embedded:
        yield LLMClient(model=backend.model, base_url=backend.base_url, response_format=response_format, **client_options)
        return
    with embedded_server(log_path=models_dir() / "llama-server.log") as base_url:
        # llama.cpp refuses OpenAI's json_schema form but constrains decoding to a schema given this way.
        fmt = "json_object_schema" if response_format == "auto" else response_format
        # It also serves one request at a time: more in flight only queue there and inflate latency.
        yield LLMClient(model=backend.model, base_url=base_url, response_format=fmt, max_concurrency=1, **client_options)
