"""The two output tables, validated records and quarantine, and how they are written.

Both are keyed by document_id and hold the latest outcome of every document ever processed into the
same output folder: a run over some documents updates their rows and leaves the rest, and a document
is in exactly one of the two tables. Files are replaced atomically, so a reader (or a crash) never
sees half a table.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

import pandas as pd

from extraction_pipeline.extraction.extract import ExtractionOutcome

KEY = "document_id"
RECORDS_FILE = "records.parquet"
QUARANTINE_FILE = "quarantine.parquet"
PROVENANCE = (
    "reused_from",
    "document_type",
    "model",
    "prompt",
    "prompt_version",
    "prompt_sha256",
    "attempts",
    "tokens",
    "cost_usd",
    "extracted_at",
)


def _provenance(outcome: ExtractionOutcome) -> dict:
    last = outcome.calls[-1] if outcome.calls else None
    values = {
        "reused_from": outcome.reused_from,
        "document_type": outcome.document_type,
        "model": last.model if last else None,
        "prompt": last.prompt if last else None,
        "prompt_version": last.prompt_version if last else None,
        "prompt_sha256": last.prompt_sha256 if last else None,
        "attempts": len(outcome.calls),
        "tokens": outcome.tokens,
        "cost_usd": sum(c.cost_usd or 0.0 for c in outcome.calls),
        "extracted_at": pd.Timestamp.now(tz="UTC"),
    }
    return {name: values[name] for name in PROVENANCE}


def records_frame(outcomes: list[ExtractionOutcome], fields: list[str]) -> pd.DataFrame:
    rows = [
        {
            KEY: o.document_id,
            "source_path": o.source_path,
            **{f: o.record.get(f) for f in fields},
            "ungrounded_fields": ",".join(o.ungrounded),
            "evidence": json.dumps({f: asdict(e) for f, e in o.evidence.items()}),
            "model_values": json.dumps({f: str(v) for f, v in o.model_values.items()}),
            **_provenance(o),
        }
        for o in outcomes
        if o.status == "valid" and o.record is not None
    ]
    columns = [KEY, "source_path", *fields, "ungrounded_fields", "evidence", "model_values", *PROVENANCE]
    return pd.DataFrame(rows, columns=columns)


def quarantine_frame(outcomes: list[ExtractionOutcome]) -> pd.DataFrame:
    rows = [
        {
            KEY: o.document_id,
            "source_path": o.source_path,
            "error_kind": o.error_kind,
            "reason": o.reason,
            "last_raw_output": o.last_raw_output,
            **_provenance(o),
        }
        for o in outcomes
        if o.status != "valid"
    ]
    columns = [KEY, "source_path", "error_kind", "reason", "last_raw_output", *PROVENANCE]
    return pd.DataFrame(rows, columns=columns)


def latest_per_source(records: pd.DataFrame | None, quarantine: pd.DataFrame | None) -> list[tuple[str, dict | None]]:
    """(source path, record or None when quarantined) for the newest outcome of each file: an edited
    file is a new document, and its older version's row stays in the tables as history."""
    frames = [
        f.assign(_valid=valid) for f, valid in ((records, True), (quarantine, False)) if f is not None and not f.empty
    ]
    if not frames:
        return []
    both = pd.concat(frames, ignore_index=True).sort_values("extracted_at", kind="stable")
    latest = both.drop_duplicates("source_path", keep="last")
    return [(row["source_path"], row if row["_valid"] else None) for row in latest.to_dict("records")]


def merge(existing: pd.DataFrame | None, new: pd.DataFrame, drop_ids: set[str]) -> pd.DataFrame:
    """`existing` updated with `new` (new rows win) and without the ids that moved to the other table."""
    if existing is None or existing.empty:
        merged = new
    elif new.empty:
        merged = existing
    else:
        merged = pd.concat([existing, new], ignore_index=True)
    merged = merged.drop_duplicates(subset=KEY, keep="last")
    return merged[~merged[KEY].isin(drop_ids)].reset_index(drop=True)


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Serialise read-merge-write of the tables between concurrent runs on this machine."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".tables.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_table(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


def write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
