"""A persistent, content-addressed cache of LLM answers: never pay twice for the same answer.

The key is a hash of the whole request: model, messages (the rendered prompt, so the prompt text and
the document's content), the response format with its JSON schema, and the sampling parameters.
Anything that could change the answer changes the key; nothing else does. Each answer is committed
as soon as it arrives, so a killed run loses none it paid for.

Exact, not semantic: two receipts that differ only in their total are near-identical texts, and a
similarity cache would hand the second one the first one's total.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any


def request_key(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AnswerCache:
    """SQLite in WAL mode: safe for the threads of one run and for several runs at once."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, created REAL NOT NULL, completion TEXT NOT NULL)"
        )

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT completion FROM answers WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, completion: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers (key, created, completion) VALUES (?, ?, ?)",
                (key, time.time(), json.dumps(completion)),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
