"""Near-duplicate reuse (off by default): a document that is a near copy of one already extracted
(sent twice, scanned twice, OCR noise) may take the earlier answer instead of a new LLM call.

Only when every value of that answer is found in the new document's own text: two receipts from
the same shop that differ only in the total are near-identical, and the earlier total is then not
in the new text, so the reuse is refused and the document gets its own call. Similarity is the
Jaccard overlap of word 3-grams (a local text fingerprint; no embeddings endpoint is needed).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Any

DEFAULT_THRESHOLD = 0.9


def fingerprint(text: str) -> frozenset[int]:
    words = re.findall(r"[A-Z0-9]+", text.upper())
    grams = [" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1))]
    return frozenset(zlib.crc32(g.encode()) for g in grams)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class NearDuplicateIndex:
    """Fingerprints and answers of extracted documents, in SQLite beside the answer cache.

    Lookups scan the fingerprints of one document type: fine for tens of thousands of documents;
    beyond that, an LSH index would be the next step."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS documents (document_id TEXT PRIMARY KEY, document_type TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, record TEXT NOT NULL)"
        )

    def add(self, document_id: str, document_type: str, text: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                (document_id, document_type, json.dumps(sorted(fingerprint(text))), json.dumps(record, default=str)),
            )

    def nearest(
        self, document_id: str, document_type: str, text: str, threshold: float
    ) -> tuple[str, dict, float] | None:
        """The most similar other document at or above `threshold`, with its answer and similarity."""
        mine = fingerprint(text)
        best: tuple[str, dict, float] | None = None
        with self._lock:
            rows = self._db.execute(
                "SELECT document_id, fingerprint, record FROM documents WHERE document_type = ? AND document_id != ?",
                (document_type, document_id),
            ).fetchall()
        for other_id, other_print, record in rows:
            score = similarity(mine, frozenset(json.loads(other_print)))
            if score >= threshold and (best is None or score > best[2]):
                best = (other_id, json.loads(record), score)
        return best

    def close(self) -> None:
        with self._lock:
            self._db.close()
