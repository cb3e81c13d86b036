"""A run's spending limit, in tokens and/or USD, shared by every call of the run.

Checked before each request: once spent, no new request is sent (calls already in flight finish and
are counted), and the documents left are quarantined with reason `budget`.
"""

from __future__ import annotations

import threading


class BudgetExceeded(Exception):
    pass


class RunBudget:
    def __init__(self, max_tokens: int | None = None, max_usd: float | None = None):
        self.max_tokens, self.max_usd = max_tokens, max_usd
        self.tokens, self.usd = 0, 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            if self.max_tokens is not None and self.tokens >= self.max_tokens:
                raise BudgetExceeded(f"run budget of {self.max_tokens} tokens used up ({self.tokens} spent)")
            if self.max_usd is not None and self.usd >= self.max_usd:
                raise BudgetExceeded(f"run budget of {self.max_usd} USD used up ({self.usd:.4f} spent)")

    def charge(self, tokens: int, usd: float | None) -> None:
        with self._lock:
            self.tokens += tokens
            self.usd += usd or 0.0
