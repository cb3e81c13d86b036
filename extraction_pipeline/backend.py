"""Which LLM server a run talks to: one the user configured, or the embedded local model.

The SDK's own variables decide: with `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` set (a base URL
without a key is a local server such as vLLM or Ollama), we use that server; with neither, the
embedded llama.cpp server, so a new user gets real extractions offline.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from .budget import RunBudget
from .cache import AnswerCache
from .llm_client import LLMClient, ResponseFormat
from .local_model import DEFAULT_MODEL, LOCAL_MODELS, REPO_ROOT, embedded_server, models_dir
from .ratelimit import RateLimiter
from .settings import DEFAULT_REMOTE_CONCURRENCY, DEFAULT_REMOTE_RPM, DEFAULT_REMOTE_TPM, env_number, first_set

DEFAULT_REMOTE_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Backend:
    base_url: str | None  # None: the SDK's default (OPENAI_BASE_URL or OpenAI itself)
    model: str
    embedded: bool


def resolve_backend(env: Mapping[str, str] = os.environ, model: str | None = None) -> Backend:
    model = model or env.get("EXTRACTION_MODEL")
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        return Backend(env.get("OPENAI_BASE_URL") or None, model or DEFAULT_REMOTE_MODEL, False)
    if model and model not in LOCAL_MODELS:
        raise ValueError(
            f"no API key or base URL is set, and {model!r} is not a local model ({', '.join(LOCAL_MODELS)})"
        )
    return Backend(None, model or DEFAULT_MODEL.alias, True)


def cache_path() -> Path:
    return Path(os.environ.get("EXTRACTION_CACHE_PATH") or REPO_ROOT / "cache" / "llm_answers.sqlite3")


@contextlib.contextmanager
def open_client(
    model: str | None = None,
    response_format: ResponseFormat = "auto",
    rpm: int | None = None,
    tpm: int | None = None,
    use_cache: bool = True,
    budget: RunBudget | None = None,
    also_serve: tuple[str, ...] = (),
    **client_options,
) -> Iterator[LLMClient]:
    """An LLMClient for the configured backend; the embedded server lives as long as the block and
    serves the run's model plus the local models in `also_serve` (a retry model, routed models).

    A configured server is paced at OpenAI's lower-tier limits unless told otherwise; the embedded
    server has no limits but its speed, and takes one request at a time.
    """
    backend = resolve_backend(model=model)
    rpm = first_set(rpm, env_number("EXTRACTION_RPM", int), None if backend.embedded else DEFAULT_REMOTE_RPM)
    tpm = first_set(tpm, env_number("EXTRACTION_TPM", int), None if backend.embedded else DEFAULT_REMOTE_TPM)
    cache = AnswerCache(cache_path()) if use_cache else None
    common = dict(model=backend.model, limiter=RateLimiter(rpm, tpm), cache=cache, budget=budget, **client_options)
    try:
        if not backend.embedded:
            yield LLMClient(
                base_url=backend.base_url,
                response_format=response_format,
                max_concurrency=DEFAULT_REMOTE_CONCURRENCY,
                **common,
            )
            return
        served = tuple(
            LOCAL_MODELS[name] for name in dict.fromkeys((backend.model, *also_serve)) if name in LOCAL_MODELS
        )
        with embedded_server(served, log_path=models_dir() / "llama-server.log") as base_url:
            # llama.cpp refuses OpenAI's json_schema form but constrains decoding to a schema given this way.
            fmt = "json_object_schema" if response_format == "auto" else response_format
            # It also serves one request at a time: more in flight only queue there and inflate latency.
            yield LLMClient(base_url=base_url, response_format=fmt, max_concurrency=1, **common)
    finally:
        if cache is not None:
            cache.close()
