"""The one place that talks to an LLM: the `openai` SDK against any OpenAI-compatible server.

Transient faults (429, 5xx, timeouts, dropped connections) are retried by the SDK itself, which
honours `Retry-After`; we do not stack a second backoff on top. What still fails reaches the caller as
an `LLMError` with a kind a person can act on, and `permanent` set where retrying cannot help.
Each call logs one JSON line (never the API key, never the document text).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import openai

log = logging.getLogger("extraction_pipeline.llm")

# How a server is asked for JSON. OpenAI takes `json_schema`; llama.cpp's server refuses that form
# (HTTP 500) but constrains decoding with `json_object` plus a `schema`; others only know `json_object`.
ResponseFormat = Literal["auto", "json_schema", "json_object_schema", "json_object"]


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    model: str
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    latency_s: float
    response_format: str


class LLMError(Exception):
    def __init__(self, kind: str, message: str, *, permanent: bool = False, latency_s: float = 0.0):
        super().__init__(message)
        self.kind = kind
        self.permanent = permanent
        self.latency_s = latency_s


class LLMClient:
    """A thread-safe wrapper around `openai.OpenAI` for JSON extraction calls."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        response_format: ResponseFormat = "auto",
        timeout_s: float = 120.0,
        max_retries: int = 3,
        max_output_tokens: int = 512,
        temperature: float = 0.0,
        max_concurrency: int = 4,
    ):
        # A local server needs no key, but the SDK insists on one: a placeholder is not a secret.
        api_key = api_key or os.environ.get("OPENAI_API_KEY") or "no-key-needed"
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries)
        self.model = model
        self.max_output_tokens = max_output_tokens
        self.temperature = temperature
        # How many calls the server takes at once: a default for callers that set no limit of their own.
        self.max_concurrency = max_concurrency
        self._format: ResponseFormat = response_format
        self._format_lock = threading.Lock()

    @property
    def response_format(self) -> str:
        return self._format

    def complete(self, messages: list[dict[str, str]], schema_name: str, schema: dict[str, Any]) -> Completion:
        if self._format != "auto":
            return self._call(messages, schema_name, schema, self._format)
        try:
            completion = self._call(messages, schema_name, schema, "json_schema")
        except LLMError as exc:
            if exc.kind not in ("bad_request", "server_error"):
                raise
            # The server refused OpenAI's structured-output form: learn that once, then use JSON mode.
            completion = self._call(messages, schema_name, schema, "json_object")
            log.warning(json.dumps({"event": "response_format_fallback", "from": "json_schema", "to": "json_object"}))
        with self._format_lock:
            self._format = completion.response_format  # type: ignore[assignment]
        return completion

    def _call(self, messages: list[dict[str, str]], schema_name: str, schema: dict[str, Any], mode: str) -> Completion:
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=self.temperature,
                max_tokens=self.max_output_tokens,
                response_format=_response_format(mode, schema_name, schema),
            )
        except openai.APIError as exc:
            error = _classify(exc)
            error.latency_s = time.perf_counter() - started
            _log_call(self.model, mode, error.latency_s, error=error)
            raise error from None
        latency = time.perf_counter() - started
        if not getattr(response, "choices", None):
            error = LLMError("malformed_response", "the server answered with no choices", latency_s=latency)
            _log_call(self.model, mode, latency, error=error)
            raise error
        choice = response.choices[0]
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        completion = Completion(
            text=(choice.message.content if choice.message else None) or "",
            finish_reason=choice.finish_reason or "unknown",
            model=response.model or self.model,
            input_tokens=(usage.prompt_tokens or 0) if usage else 0,
            cached_input_tokens=(getattr(details, "cached_tokens", 0) or 0) if details else 0,
            output_tokens=(usage.completion_tokens or 0) if usage else 0,
            latency_s=latency,
            response_format=mode,
        )
        _log_call(self.model, mode, latency, completion=completion)
        return completion


def _response_format(mode: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _classify(exc: openai.APIError) -> LLMError:
    """Name the failure; `permanent` where retrying the same request (on any document) cannot help."""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, openai.APITimeoutError):
        return LLMError("timeout", "the LLM server did not answer in time (after retries)")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("connection", "could not reach the LLM server (after retries)")
    if isinstance(exc, openai.AuthenticationError):
        return LLMError("auth", "the LLM server refused the API key (HTTP 401)", permanent=True)
    if isinstance(exc, openai.PermissionDeniedError):
        return LLMError("auth", "the API key may not use this model or endpoint (HTTP 403)", permanent=True)
    if isinstance(exc, openai.NotFoundError):
        return LLMError("not_found", "the server does not know this model or endpoint (HTTP 404)", permanent=True)
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limited", "still rate-limited (HTTP 429) after retries")
    if isinstance(exc, (openai.BadRequestError, openai.UnprocessableEntityError)):
        return LLMError("bad_request", f"the server rejected the request (HTTP {status})", permanent=True)
    if status is not None:
        return LLMError("server_error", f"the server failed (HTTP {status}, after retries)")
    return LLMError("malformed_response", f"unreadable answer from the server ({type(exc).__name__})")


def _log_call(model: str, mode: str, latency: float, *, completion: Completion | None = None, error: LLMError | None = None) -> None:
    line: dict[str, Any] = {"event": "llm_call", "model": model, "response_format": mode, "latency_s": round(latency, 3)}
    if completion is not None:
        line.update(
            finish_reason=completion.finish_reason,
            input_tokens=completion.input_tokens,
            cached_input_tokens=completion.cached_input_tokens,
            output_tokens=completion.output_tokens,
        )
    if error is not None:
        line.update(error_kind=error.kind, error=str(error))
    log.info(json.dumps(line))
