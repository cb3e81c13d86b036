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
from urllib.parse import urlparse

from extraction_pipeline.llm.budget import RunBudget
from extraction_pipeline.llm.cache import AnswerCache
from extraction_pipeline.llm.client import LLMClient, LLMError, ResponseFormat, served_models
from extraction_pipeline.llm.local_model import DEFAULT_MODEL, LOCAL_MODELS, embedded_server
from extraction_pipeline.llm.ratelimit import RateLimiter
from extraction_pipeline.settings import Settings

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# OpenAI's lower usage tiers (tier 1, gpt-4o-mini). They describe OpenAI's account limits only: a
# vLLM or Ollama server has no such limit, and pacing it at OpenAI's would only slow it down.
OPENAI_RPM = 500
OPENAI_TPM = 200_000
CONFIGURED_SERVER_CONCURRENCY = 8


@dataclass(frozen=True)
class Backend:
    base_url: str | None  # None: the SDK's default (OpenAI itself)
    model: str | None  # None: ask the server which model it serves
    embedded: bool

    @property
    def is_openai(self) -> bool:
        return not self.embedded and (self.base_url is None or urlparse(self.base_url).hostname == "api.openai.com")


def resolve_backend(env: Mapping[str, str] = os.environ, model: str | None = None) -> Backend:
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        backend = Backend(env.get("OPENAI_BASE_URL") or None, model, False)
        return backend if model or not backend.is_openai else Backend(backend.base_url, DEFAULT_OPENAI_MODEL, False)
    if model and model not in LOCAL_MODELS:
        raise ValueError(
            f"no API key or base URL is set, and {model!r} is not a local model ({', '.join(LOCAL_MODELS)})"
        )
    return Backend(None, model or DEFAULT_MODEL.alias, True)


def served_model(base_url: str, timeout_s: float = 10.0) -> str:
    """The one model a configured server lists at /v1/models: vLLM, llama.cpp and a single-model
    Ollama need no EXTRACTION_MODEL. Several or none is a ValueError that names them; a server that
    cannot be asked is an LLMError of the kind any call would get (connection, auth)."""
    try:
        names = served_models(base_url, timeout_s)
    except LLMError as error:
        raise LLMError(error.kind, f"EXTRACTION_MODEL is not set and {base_url}/models could not be read: {error}",
                       permanent=True) from None  # fmt: skip
    if len(names) != 1:
        raise ValueError(
            f"EXTRACTION_MODEL is not set and {base_url} serves {len(names)} models "
            f"({', '.join(names[:10]) or 'none'}); set EXTRACTION_MODEL to one of them"
        )
    return names[0]


@contextlib.contextmanager
def open_client(
    settings: Settings,
    response_format: ResponseFormat = "auto",
    budget: RunBudget | None = None,
    use_cache: bool = True,
    rate_share: int = 1,
    **client_options,
) -> Iterator[LLMClient]:
    """An LLMClient for the configured backend; the embedded server lives as long as the block and
    serves the run's model plus the local models the retry model and routes name.

    OpenAI's own endpoint is paced at its lower-tier limits unless told otherwise; other servers and
    the embedded one have no limit but their speed (the embedded one takes one request at a time).
    `rate_share`: how many runs may call the provider at once (the llm_api pool's slots); each paces
    itself at that share of the limits, which are the provider's, so together they stay under them.
    """
    backend = resolve_backend(model=settings.model)
    openai_limits = backend.is_openai
    rpm = settings.rpm if settings.rpm is not None else (OPENAI_RPM if openai_limits else None)
    tpm = settings.tpm if settings.tpm is not None else (OPENAI_TPM if openai_limits else None)
    rpm, tpm = (max(1, limit // max(1, rate_share)) if limit else limit for limit in (rpm, tpm))
    cache = AnswerCache(settings.answers_location) if use_cache else None
    common = dict(limiter=RateLimiter(rpm, tpm), cache=cache, budget=budget, **client_options)
    try:
        if not backend.embedded:
            model = backend.model or served_model(backend.base_url or "")
            yield LLMClient(
                model=model,
                base_url=backend.base_url,
                response_format=response_format,
                max_concurrency=CONFIGURED_SERVER_CONCURRENCY,
                **common,
            )
            return
        also_serve = (settings.retry_model, *settings.routes.values())
        served = tuple(
            LOCAL_MODELS[name] for name in dict.fromkeys((backend.model, *also_serve)) if name in LOCAL_MODELS
        )
        with embedded_server(served, log_path=settings.models_dir / "llama-server.log") as base_url:
            # llama.cpp refuses OpenAI's json_schema form but constrains decoding to a schema given this way.
            fmt = "json_object_schema" if response_format == "auto" else response_format
            # It also serves one request at a time: more in flight only queue there and inflate latency.
            yield LLMClient(model=backend.model, base_url=base_url, response_format=fmt, max_concurrency=1, **common)
    finally:
        if cache is not None:
            cache.close()
