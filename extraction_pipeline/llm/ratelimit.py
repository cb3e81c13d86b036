"""Client-side pacing under a provider's requests-per-minute and tokens-per-minute limits.

Requests are spaced evenly (virtual scheduling) rather than sent in bursts, so a well-configured
run gets almost no 429s. When the server still answers 429 or 503, the SDK waits what Retry-After
says for that request; `pause` makes every other request of the run wait too, so the whole run
slows down instead of each call discovering the limit on its own.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

# Pace a little under the configured limits: requests leave on time but reach the server with some
# jitter, and a provider counting "the last 60 seconds" refuses the one that arrives a hair early.
HEADROOM = 0.97


class RateLimiter:
    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rpm, self.tpm = rpm, tpm
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next_request = 0.0
        self._next_tokens = 0.0
        self._paused_until = 0.0
        self.waited_s = 0.0

    def acquire(self, tokens: int) -> float:
        """Block until this request may be sent; return how long it waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_request, self._next_tokens, self._paused_until)
            self._reserve(slot, tokens)
            wait = slot - now
            self.waited_s += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause(self, seconds: float, tokens: int = 0) -> None:
        """Hold every request not yet sent for `seconds` (the server said it is overloaded). The refused
        request itself is retried by the SDK when the pause ends, so it takes a slot of its own then."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._reserve(max(self._paused_until, self._next_request), tokens)

    def _reserve(self, slot: float, tokens: int) -> None:
        if self.rpm:
            self._next_request = slot + 60.0 / (self.rpm * HEADROOM)
        if self.tpm:
            self._next_tokens = max(self._next_tokens, slot) + tokens * 60.0 / (self.tpm * HEADROOM)
