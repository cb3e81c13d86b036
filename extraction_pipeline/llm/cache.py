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
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from extraction_pipeline.storage.database import create_table, open_database


def request_key(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AnswerCache:
    """In a SQLite file (WAL mode) or a PostgreSQL database (a URL): safe for the threads of one run
    and for several runs, on one machine or many."""

    def __init__(self, location: Path | str):
        self._db = open_database(location)
        create_table(
            self._db,
            "CREATE TABLE IF NOT EXISTS answers"
            " (key TEXT PRIMARY KEY, created DOUBLE PRECISION NOT NULL, completion TEXT NOT NULL)",
        )

    def get(self, key: str) -> dict[str, Any] | None:
        with self._db.connect() as conn:
            row = conn.execute(sa.text("SELECT completion FROM answers WHERE key = :key"), {"key": key}).first()
        return json.loads(row[0]) if row else None

    def put(self, key: str, completion: dict[str, Any]) -> None:
        with self._db.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO answers (key, created, completion) VALUES (:key, :created, :completion)"
                    " ON CONFLICT (key) DO UPDATE SET created = excluded.created, completion = excluded.completion"
                ),
                {"key": key, "created": time.time(), "completion": json.dumps(completion)},
            )

    def __len__(self) -> int:
        with self._db.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM answers")).scalar_one()

    def close(self) -> None:
        self._db.dispose()
