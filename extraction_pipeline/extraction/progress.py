"""Progress of long work: a log line at regular intervals (for the Dagster run log) and a bar on a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import Callable, TypeVar

from tqdm import tqdm

T = TypeVar("T")


class Progress:
    """Thread-safe counter that reports done/total, rate and time left every `interval_s` seconds."""

    def __init__(self, total: int, report: Callable[[str], None], label: str = "documents", interval_s: float = 10.0):
        self.total = total
        self._report = report
        self._label = label
        self._interval = interval_s
        self._done = 0
        self._started = self._last = time.monotonic()
        self._lock = threading.Lock()
        # The bar only where a person watches (the CLI on a terminal); logs get the periodic lines.
        self._bar = tqdm(total=total, unit="doc", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def advance(self) -> None:
        with self._lock:
            self._done += 1
            self._bar.update(1)
            now = time.monotonic()
            if now - self._last >= self._interval or self._done == self.total:
                self._last = now
                self._report(self.summary(now))

    def after(self, result: T) -> T:
        """Count one item done and pass its result on (for use inside `pool.map`)."""
        self.advance()
        return result

    def summary(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self._started, 1e-9)
        rate = self._done / elapsed
        left = (self.total - self._done) / rate if rate else float("inf")
        return f"{self._done}/{self.total} {self._label} done, {rate:.2f}/s, about {left:.0f} s left"

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
