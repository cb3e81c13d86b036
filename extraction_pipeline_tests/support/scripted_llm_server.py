"""A TEST DOUBLE: an OpenAI-compatible chat-completions server on loopback that answers from a script.

It also serves /v1/embeddings with made-up vectors (hashed word 3-gram counts, so near copies get
near vectors), or answers 404 there when built with `embeddings=False`, as a server without one does.

It stands in for a provider where a test needs a fault or a malformed answer on demand (429, 500,
truncation, code fences, wrong types). Real extractions are tested against the real local model.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from extraction_pipeline.extraction.values import find_dates


@dataclass
class Reply:
    content: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    body: bytes | None = None  # raw body instead of a completion (for malformed answers and errors)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 20
    cached_tokens: int = 0
    reset: bool = False  # drop the connection in the middle of the answer


Responder = Callable[[dict[str, Any]], Reply]


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # benchmarks open dozens of connections at once


def document_text(request: dict[str, Any]) -> str:
    """The text of the first user message: where our prompts put the document (the text part, when
    page images go with it)."""
    content = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


class ScriptedLLMServer:
    """Answers each POST /v1/chat/completions with `responder(request_json)`; records every request."""

    def __init__(self, responder: Responder, embeddings: bool = True, models: tuple[str, ...] = ("scripted-model",)):
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                listed = [{"id": name, "object": "model"} for name in models]
                self._send(200, json.dumps({"object": "list", "data": listed}).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(request)
                if self.path.endswith("/embeddings"):
                    if not embeddings:
                        self._send(404, b'{"error": {"message": "no embeddings here", "type": "not_found"}}')
                    else:
                        self._send(200, _embeddings(request))
                    return
                reply = server.responder(request)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.reset:
                    self.wfile.write(
                        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"id": "chat'
                    )
                    self.wfile.flush()
                    self.close_connection = True
                    return
                body = reply.body if reply.body is not None else _completion(request, reply)
                self._send(reply.status, body, reply.headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "ScriptedLLMServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def made_up_embedding(text: str, dimensions: int = 256) -> list[float]:
    words = re.findall(r"[A-Z0-9]+", text.upper())
    vector = [0.0] * dimensions
    for i in range(max(len(words) - 2, 1)):
        vector[zlib.crc32(" ".join(words[i : i + 3]).encode()) % dimensions] += 1.0
    return vector


def _embeddings(request: dict[str, Any]) -> bytes:
    inputs = request["input"] if isinstance(request["input"], list) else [request["input"]]
    data = [{"object": "embedding", "index": i, "embedding": made_up_embedding(t)} for i, t in enumerate(inputs)]
    tokens = sum(len(t.split()) for t in inputs)
    return json.dumps(
        {
            "object": "list",
            "data": data,
            "model": request.get("model"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    ).encode()


def _completion(request: dict[str, Any], reply: Reply) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "scripted-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
            },
        }
    ).encode()


class ServerLimits:
    """Provider-like limits for benchmarks: a fixed latency, a cap on calls served at once (the rest
    wait their turn), and a requests-per-minute window answered with 429 and Retry-After."""

    def __init__(self, latency_s: float = 0.0, max_concurrent: int | None = None, rpm: int | None = None):
        self.latency_s = latency_s
        self._slots = threading.Semaphore(max_concurrent) if max_concurrent else None
        self.rpm = rpm
        self._window: list[float] = []
        self._lock = threading.Lock()
        self.served = 0
        self.throttled = 0

    def admit(self) -> float | None:
        """None when the request may proceed, else the seconds it should retry after."""
        if not self.rpm:
            return None
        with self._lock:
            now = time.monotonic()
            self._window = [t for t in self._window if t > now - 60.0]
            if len(self._window) >= self.rpm:
                self.throttled += 1
                return self._window[0] + 60.0 - now
            self._window.append(now)
            return None

    def serve(self, reply: Reply) -> Reply:
        if self._slots:
            with self._slots:
                time.sleep(self.latency_s)
        else:
            time.sleep(self.latency_s)
        with self._lock:
            self.served += 1
        return reply


def receipt_answer(request: dict[str, Any]) -> Reply:
    """A valid receipt answer whose values are all printed in the document (so grounding accepts it
    and benchmarks measure one call per document): its first line, second line, first date, last amount."""
    text = document_text(request).split("\n", 1)[-1]  # after the prompt's "Receipt text:" line
    lines = [line.strip() for line in text.splitlines() if line.strip()] or ["SHOP"]
    dates = find_dates(text)
    amounts = re.findall(r"(?<![\d.])\d+\.\d{2}(?!\d)", text)
    answer = {
        "company": lines[0],
        "date": text[dates[0][0] : dates[0][1]] if dates else "01/01/2018",
        "address": lines[1] if len(lines) > 1 else lines[0],
        "total": float(amounts[-1]) if amounts else 1.0,
        "currency": None,
    }
    return Reply(json.dumps(answer), prompt_tokens=450, completion_tokens=60)


def limited_responder(limits: ServerLimits, answer: Responder = receipt_answer) -> Responder:
    def respond(request: dict[str, Any]) -> Reply:
        retry_after = limits.admit()
        if retry_after is not None:
            body = json.dumps(
                {"error": {"message": "rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}
            )
            return Reply(status=429, body=body.encode(), headers={"retry-after-ms": str(int(retry_after * 1000) + 1)})
        return limits.serve(answer(request))

    return respond


def main() -> None:
    """Run the scripted server in its own process (benchmarks): prints its base URL, serves until killed."""
    import argparse

    parser = argparse.ArgumentParser(description="scripted OpenAI-compatible server (a test double)")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--max-concurrent", type=int, default=None)
    parser.add_argument("--rpm", type=int, default=None)
    args = parser.parse_args()
    limits = ServerLimits(args.latency, args.max_concurrent, args.rpm)
    server = ScriptedLLMServer(limited_responder(limits)).__enter__()
    # A handler of our own: SIGTERM then ends the process even where the parent ignored it (an
    # ignored signal is inherited), and the listening socket is closed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.__exit__(None, None, None)


if __name__ == "__main__":
    main()
