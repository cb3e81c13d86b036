"""Near-duplicate reuse (off by default): a document that is a near copy of one already extracted
(sent twice, scanned twice, OCR noise) may take the earlier answer instead of a new LLM call.

Only when every value of that answer is found in the new document's own text: two receipts from
the same shop that differ only in the total are near-identical, and the earlier total is then not
in the new text, so the reuse is refused and the document gets its own call.

Similarity comes from the configured server's embeddings endpoint when an embedding model is set
(cosine of the two vectors), else from a local text fingerprint (Jaccard overlap of word 3-grams).
An embeddings call that fails falls back to the fingerprint for that document (for the rest of the run
when the server has no such endpoint or model, or refuses the key): the search is an optimisation,
never a reason to lose a document.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import zlib
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from extraction_pipeline.llm.client import LLMError
from extraction_pipeline.storage.database import create_table, is_url, open_database

log = logging.getLogger("extraction_pipeline.extraction.neardup")

DEFAULT_THRESHOLD = 0.9  # word 3-gram Jaccard
# Embeddings of unrelated receipts from one shop's template are already ~0.9 alike; a re-scan is ~0.99.
DEFAULT_EMBEDDING_THRESHOLD = 0.97

# The start of a document is enough to tell a copy, and stays under embedding models' input limits
# (8,192 tokens for OpenAI's).
EMBEDDED_CHARACTERS = 8000

Embedder = Callable[[str], list[float]]


def fingerprint(text: str) -> frozenset[int]:
    words = re.findall(r"[A-Z0-9]+", text.upper())
    grams = [" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1))]
    return frozenset(zlib.crc32(g.encode()) for g in grams)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def cosine(a: list[float], b: list[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / norm if norm and len(a) == len(b) else 0.0


class NearDuplicateIndex:
    """Fingerprints, embeddings and answers of extracted documents, in a SQLite file beside the answer
    cache or in the same PostgreSQL database as the cache (a URL), table `near_duplicates`.

    Lookups scan the documents of one type: fine for tens of thousands of documents; beyond that, an
    LSH or vector index would be the next step."""

    def __init__(self, location: Path | str, embed: Embedder | None = None, embedding_model: str | None = None):
        self._embed = embed
        self.similarity = f"embeddings:{embedding_model}" if embed else "word 3-gram fingerprint"
        self.embedding_failures = 0
        self._vectors: dict[str, list[float] | None] = {}  # from nearest() until add()
        self._lock = threading.Lock()
        self._db = open_database(location)
        if not is_url(location):
            _upgrade_sqlite_index(self._db)
        create_table(
            self._db,
            "CREATE TABLE IF NOT EXISTS near_duplicates (document_id TEXT PRIMARY KEY, document_type TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, record TEXT NOT NULL, embedding TEXT)",
        )

    def add(self, document_id: str, document_type: str, text: str, record: dict[str, Any]) -> None:
        with self._lock:
            known, vector = document_id in self._vectors, self._vectors.pop(document_id, None)
        if not known:
            vector = self._vector(text)
        row = {
            "document_id": document_id,
            "document_type": document_type,
            "fingerprint": json.dumps(sorted(fingerprint(text))),
            "record": json.dumps(record, default=str),
            "embedding": json.dumps(vector) if vector is not None else None,
        }
        with self._db.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO near_duplicates (document_id, document_type, fingerprint, record, embedding)"
                    " VALUES (:document_id, :document_type, :fingerprint, :record, :embedding)"
                    " ON CONFLICT (document_id) DO UPDATE SET document_type = excluded.document_type,"
                    " fingerprint = excluded.fingerprint, record = excluded.record, embedding = excluded.embedding"
                ),
                row,
            )

    def nearest(
        self, document_id: str, document_type: str, text: str, threshold: float | None = None
    ) -> tuple[str, dict, float] | None:
        """The most similar other document at or above `threshold` (default: the one for the measure
        used), with its answer and similarity."""
        vector = self._stored_vector(document_id) or self._vector(text)
        with self._lock:
            self._vectors[document_id] = vector
        mine = fingerprint(text)
        best: tuple[str, dict, float] | None = None
        with self._db.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT document_id, fingerprint, record, embedding FROM near_duplicates"
                    " WHERE document_type = :type AND document_id != :id"
                ),
                {"type": document_type, "id": document_id},
            ).all()
        for other_id, other_print, record, other_vector in rows:
            if vector is not None and other_vector is not None:
                score, limit = cosine(vector, json.loads(other_vector)), threshold or DEFAULT_EMBEDDING_THRESHOLD
            else:
                score, limit = similarity(mine, frozenset(json.loads(other_print))), threshold or DEFAULT_THRESHOLD
            if score >= limit and (best is None or score > best[2]):
                best = (other_id, json.loads(record), score)
        return best

    def _stored_vector(self, document_id: str) -> list[float] | None:
        """A document seen in an earlier run keeps its embedding: same content id, same text."""
        if self._embed is None:
            return None
        with self._db.connect() as conn:
            row = conn.execute(
                sa.text("SELECT embedding FROM near_duplicates WHERE document_id = :id"), {"id": document_id}
            ).first()
        return json.loads(row[0]) if row and row[0] else None

    def _vector(self, text: str) -> list[float] | None:
        if self._embed is None:
            return None
        try:
            return self._embed(text[:EMBEDDED_CHARACTERS])
        except LLMError as exc:
            with self._lock:
                self.embedding_failures += 1
                if exc.kind in ("not_found", "auth"):  # no such endpoint or model: asking again cannot help
                    self._embed = None
            log.warning(f"embeddings unavailable ({exc.kind}): comparing by the text fingerprint instead")
            return None

    def close(self) -> None:
        self._db.dispose()


def _upgrade_sqlite_index(engine: sa.Engine) -> None:
    """An index file of an earlier version: its table was `documents`, at first without embeddings."""
    tables = sa.inspect(engine).get_table_names()
    if "documents" not in tables or "near_duplicates" in tables:
        return
    with engine.begin() as conn:
        if "embedding" not in {c["name"] for c in sa.inspect(conn).get_columns("documents")}:
            conn.execute(sa.text("ALTER TABLE documents ADD COLUMN embedding TEXT"))
        conn.execute(sa.text("ALTER TABLE documents RENAME TO near_duplicates"))
