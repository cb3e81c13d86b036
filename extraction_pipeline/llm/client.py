"""The one place that talks to an LLM: the `openai` SDK against any OpenAI-compatible server.

A request goes: answer cache -> run budget -> rate limiter -> HTTP. Transient faults (429, 5xx,
timeouts, dropped connections) are retried by the SDK itself, which honours `Retry-After`; we count
its attempts through an HTTP hook instead of stacking a second backoff on top, and a 429/503 pauses
the run's other requests too. What still fails reaches the caller as an `LLMError` with a kind a
person can act on, and `permanent` where retrying cannot help. Each call logs one JSON line (never
the API key, never the document text).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import openai

from extraction_pipeline.llm.budget import BudgetExceeded, RunBudget
from extraction_pipeline.llm.cache import AnswerCache, request_key
from extraction_pipeline.llm.cost import call_cost, price_for
from extraction_pipeline.llm.ratelimit import RateLimiter
from extraction_pipeline.llm.secrets import redact

log = logging.getLogger("extraction_pipeline.llm")

# How a server is asked for JSON. OpenAI takes `json_schema`; llama.cpp's server refuses that form
# (HTTP 500) but constrains decoding with `json_object` plus a `schema`; others only know `json_object`.
ResponseFormat = Literal["auto", "json_schema", "json_object_schema", "json_object"]
THROTTLED = (429, 503)
# A receipt's JSON is under 2 KB. An answer this long comes from a broken or hostile server, and kept
# whole it would be copied into the cache, the tables and run storage: only its start is kept.
MAX_ANSWER_CHARS = 100_000
OVERSIZED = "oversized"  # the finish reason given to an answer cut to MAX_ANSWER_CHARS here


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
    cost_usd: float | None = None  # None: the model has no price
    cached: bool = False  # served from the answer cache: nothing paid this time


class LLMError(Exception):
    def __init__(self, kind: str, message: str, *, permanent: bool = False, latency_s: float = 0.0):
        super().__init__(message)
        self.kind = kind
        self.permanent = permanent
        self.latency_s = latency_s


@dataclass
class ClientStats:
    """What the HTTP layer saw, SDK retries included: counted once, not guessed."""

    requests: int = 0  # sent to the server (not answered from the cache)
    http_attempts: int = 0
    throttled: int = 0  # 429 and 503 answers
    server_errors: int = 0
    cache_hits: int = 0
    saved_cost_usd: float = 0.0
    embedding_calls: int = 0  # requests to the embeddings endpoint (near-duplicate search)
    embedding_tokens: int = 0
    embedding_cost_usd: float | None = 0.0  # None once a call was made with an unpriced model


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
        cache: AnswerCache | None = None,
        limiter: RateLimiter | None = None,
        budget: RunBudget | None = None,
    ):
        self._options = dict(
            base_url=base_url, api_key=api_key, response_format=response_format, timeout_s=timeout_s,
            max_retries=max_retries, max_output_tokens=max_output_tokens, temperature=temperature,
            max_concurrency=max_concurrency, cache=cache, limiter=limiter, budget=budget,
        )  # fmt: skip
        api_key = api_key or _configured_key()
        http = openai.DefaultHttpxClient(event_hooks={"request": [self._on_request], "response": [self._on_response]})
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries, http_client=http
        )
        self.model = model
        self.max_retries = max_retries
        self.max_output_tokens = max_output_tokens
        self.temperature = temperature
        # How many calls the server takes at once: a default for callers that set no limit of their own.
        self.max_concurrency = max_concurrency
        self.cache, self.limiter, self.budget = cache, limiter, budget
        self.stats = ClientStats()
        self._price = price_for(model)
        self._format: ResponseFormat = response_format
        self._lock = threading.Lock()

    @property
    def response_format(self) -> str:
        return self._format

    def sibling(self, model: str) -> "LLMClient":
        """Another model on the same server, sharing this client's cache, rate limits and budget."""
        other = LLMClient(model=model, **self._options)
        other.stats, other._lock = self.stats, self._lock  # one set of numbers for the run
        return other

    def embed(self, text: str, model: str) -> list[float]:
        """The embedding of `text` from the server's embeddings endpoint, with its tokens and cost counted."""
        started = time.perf_counter()
        try:
            response = self._client.embeddings.create(model=model, input=text)
        except openai.APIError as exc:
            error = classify(exc)
            log.warning(json.dumps({"event": "embedding_call", "model": model, "error_kind": error.kind}))
            raise error from None
        tokens = response.usage.prompt_tokens if response.usage else 0
        cost = call_cost(price_for(model), tokens, 0, 0)
        with self._lock:
            self.stats.embedding_calls += 1
            self.stats.embedding_tokens += tokens
            if cost is None or self.stats.embedding_cost_usd is None:
                self.stats.embedding_cost_usd = None
            else:
                self.stats.embedding_cost_usd += cost
        latency = round(time.perf_counter() - started, 3)
        log.info(json.dumps({"event": "embedding_call", "model": model, "latency_s": latency, "input_tokens": tokens}))
        return list(response.data[0].embedding)

    def complete(self, messages: list[dict[str, Any]], schema_name: str, schema: dict[str, Any]) -> Completion:
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
        with self._lock:
            self._format = completion.response_format  # type: ignore[assignment]
        return completion

    def _call(self, messages: list[dict[str, Any]], schema_name: str, schema: dict[str, Any], mode: str) -> Completion:
        request = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_output_tokens,
            "response_format": _response_format(mode, schema_name, schema),
        }
        key = request_key(request) if self.cache is not None else None
        if key and (hit := self.cache.get(key)):
            completion = dataclasses.replace(Completion(**hit), cached=True, cost_usd=0.0)
            with self._lock:
                self.stats.cache_hits += 1
                self.stats.saved_cost_usd += hit.get("cost_usd") or 0.0
            _log_call(self.model, mode, 0.0, completion=completion)
            return completion
        if self.budget:
            try:
                self.budget.check()
            except BudgetExceeded as exc:
                raise LLMError("budget", str(exc)) from None
        if self.limiter:
            self.limiter.acquire(_estimate_tokens(messages) + self.max_output_tokens)
        with self._lock:
            self.stats.requests += 1
        for attempt in range(self.max_retries + 1):
            try:
                completion = self._send(request, mode)
                break
            except LLMError as exc:
                # The SDK retries HTTP faults but not a 200 whose body is not a completion; we do.
                if exc.kind != "malformed_response" or attempt == self.max_retries:
                    raise
                time.sleep(min(0.5 * 2**attempt, 8.0))
        if self.budget:
            self.budget.charge(completion.input_tokens + completion.output_tokens, completion.cost_usd)
        if key:
            self.cache.put(key, dataclasses.asdict(completion))
        return completion

    def _send(self, request: dict[str, Any], mode: str) -> Completion:
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(**request)
        except openai.APIError as exc:
            error = classify(exc)
        except ValueError:  # a 200 whose body is empty or not JSON
            error = LLMError("malformed_response", "the server's answer is not JSON")
        else:
            error = (
                None
                if getattr(response, "choices", None)
                else LLMError("malformed_response", "the server answered with no choices")
            )
        latency = time.perf_counter() - started
        if error is not None:
            error.latency_s = latency
            _log_call(self.model, mode, latency, error=error)
            raise error
        choice = response.choices[0]
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        input_tokens = (usage.prompt_tokens or 0) if usage else 0
        cached_input = (getattr(details, "cached_tokens", 0) or 0) if details else 0
        output_tokens = (usage.completion_tokens or 0) if usage else 0
        text = (choice.message.content if choice.message else None) or ""
        finish_reason = redact(choice.finish_reason or "unknown")
        if len(text) > MAX_ANSWER_CHARS:
            text, finish_reason = f"{text[:MAX_ANSWER_CHARS]}\n[truncated: {len(text)} characters in all]", OVERSIZED
        completion = Completion(
            text=redact(text),
            finish_reason=finish_reason,
            model=redact(response.model or self.model),
            input_tokens=input_tokens,
            cached_input_tokens=cached_input,
            output_tokens=output_tokens,
            latency_s=latency,
            response_format=mode,
            cost_usd=call_cost(self._price, input_tokens, cached_input, output_tokens),
        )
        _log_call(self.model, mode, latency, completion=completion)
        return completion

    def _on_request(self, request: Any) -> None:
        """Sees every HTTP attempt, including the SDK's retries (and those that never get an answer)."""
        with self._lock:
            self.stats.http_attempts += 1

    def _on_response(self, response: Any) -> None:
        with self._lock:
            if response.status_code in THROTTLED:
                self.stats.throttled += 1
            elif response.status_code >= 500:
                self.stats.server_errors += 1
        if response.status_code in THROTTLED and self.limiter:
            self.limiter.pause(_retry_after_s(response.headers) or 1.0)


def served_models(base_url: str, timeout_s: float = 10.0) -> list[str]:
    """The model names a server lists at /v1/models, redacted like any answer; a server that cannot
    be asked raises the LLMError any call would get (connection, auth, ...)."""
    client = openai.OpenAI(base_url=base_url, api_key=_configured_key(), timeout=timeout_s, max_retries=1)
    try:
        return sorted(redact(m.id) for m in client.models.list())
    except openai.APIError as exc:
        raise classify(exc) from None
    finally:
        client.close()


def _configured_key() -> str:
    """The SDK's own key variable. A local server needs no key, but the SDK insists on one: the
    placeholder is not a secret."""
    return os.environ.get("OPENAI_API_KEY") or "no-key-needed"


# What OpenAI bills for one page image at high detail (a 1024 x 1024 tile grid): about 765 tokens.
_TOKENS_PER_IMAGE = 765


def _estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """About four characters a token, and a fixed count per image: enough to pace a tokens-per-minute limit."""
    chars = images = 0
    for m in messages:
        content = m.get("content") or ""
        if isinstance(content, str):
            chars += len(content)
            continue
        for part in content:  # a message with images is a list of parts (see extraction.extract)
            chars += len(part.get("text") or "")
            images += part.get("type") == "image_url"
    return chars // 4 + images * _TOKENS_PER_IMAGE + 4 * len(messages)


def _retry_after_s(headers: Any) -> float | None:
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(float(value) / divisor, 0.0)
            except ValueError:
                return None
    return None


def _response_format(mode: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def classify(exc: openai.APIError) -> LLMError:
    """Name the failure; `permanent` where retrying the same request (on any document) cannot help."""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, openai.APIResponseValidationError):
        return LLMError("malformed_response", "the server's answer is not a chat completion")
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


def _log_call(
    model: str, mode: str, latency: float, *, completion: Completion | None = None, error: LLMError | None = None
) -> None:
    line: dict[str, Any] = {
        "event": "llm_call",
        "model": model,
        "response_format": mode,
        "latency_s": round(latency, 3),
    }
    if completion is not None:
        line.update(
            cached=completion.cached,
            finish_reason=completion.finish_reason,
            input_tokens=completion.input_tokens,
            cached_input_tokens=completion.cached_input_tokens,
            output_tokens=completion.output_tokens,
            cost_usd=completion.cost_usd,
        )
    if error is not None:
        line.update(error_kind=error.kind, error=str(error))
    log.info(json.dumps(line))
