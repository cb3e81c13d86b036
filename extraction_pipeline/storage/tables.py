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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from extraction_pipeline.extraction.extract import ExtractionOutcome

KEY = "document_id"
LINE = "line"  # a nested row's position within its document
RECORDS_FILE = "records.parquet"
QUARANTINE_FILE = "quarantine.parquet"
PROVENANCE = (
    "reused_from",
    "parts",
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
        "parts": outcome.parts,
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
            "low_ocr_confidence_fields": ",".join(o.low_confidence),
            "ambiguous_fields": ",".join(o.ambiguous),
            "evidence": json.dumps({f: asdict(e) for f, e in o.evidence.items()}),
            "model_values": json.dumps({f: str(v) for f, v in o.model_values.items()}),
            **_provenance(o),
        }
        for o in outcomes
        if o.status == "valid" and o.record is not None
    ]
    columns = [
        KEY, "source_path", *fields, "ungrounded_fields", "low_ocr_confidence_fields", "ambiguous_fields", "evidence",
        "model_values",
        *PROVENANCE,
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def nested_frame(outcomes: list[ExtractionOutcome], name: str) -> pd.DataFrame:
    """The rows of a record's list field (`line_items`), one per element, keyed by document id and
    position (`line`, from 1): a table of their own, since a record keeps one row per document."""
    rows = [
        {KEY: o.document_id, LINE: i, "source_path": o.source_path, **item, "extracted_at": pd.Timestamp.now(tz="UTC")}
        for o in outcomes
        if o.status == "valid" and o.record is not None
        for i, item in enumerate(o.record.get(name) or [], 1)
    ]
    columns = list(dict.fromkeys([KEY, LINE, "source_path", *(k for row in rows for k in row), "extracted_at"]))
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


@dataclass(frozen=True)
class TablesUpdate:
    """This run's rows, and both tables as written."""

    records: pd.DataFrame
    quarantine: pd.DataFrame
    all_records: pd.DataFrame
    all_quarantine: pd.DataFrame
    # Rows of each nested table (`line_items`) after the merge.
    nested_rows: dict[str, int] = field(default_factory=dict)


def update_tables(
    output_dir: Path,
    records: pd.DataFrame,
    quarantine: pd.DataFrame,
    keep_earlier_records: bool = False,
    nested: dict[str, pd.DataFrame] | None = None,
) -> TablesUpdate:
    """Merge this run's rows into the tables under the folder's lock. All are read and checked
    (TableSchemaError) before any is written. With `keep_earlier_records`, a document that already
    has a record keeps it, and its quarantine row of this run is dropped. A nested table
    (`<field>.parquet`) holds the rows of the documents in the records table: a document of this run
    replaces its earlier rows there, and one quarantined now loses them with its record."""
    records_path, quarantine_path = output_dir / RECORDS_FILE, output_dir / QUARANTINE_FILE
    nested = nested or {}
    with exclusive(output_dir):
        existing_records, existing_quarantine = read_table(records_path), read_table(quarantine_path)
        existing_nested = {name: read_table(output_dir / f"{name}.parquet", (KEY, LINE)) for name in nested}
        if keep_earlier_records and existing_records is not None:
            quarantine = quarantine[~quarantine[KEY].isin(existing_records[KEY])]
        all_records = merge(existing_records, records, drop_ids=set(quarantine[KEY]))
        all_quarantine = merge(existing_quarantine, quarantine, drop_ids=set(records[KEY]))
        replaced = set(records[KEY]) | set(quarantine[KEY])
        all_nested = {name: _merge_nested(existing_nested[name], rows, replaced) for name, rows in nested.items()}
        write_atomic(all_records, records_path)
        write_atomic(all_quarantine, quarantine_path)
        for name, frame in all_nested.items():
            write_atomic(frame, output_dir / f"{name}.parquet")
    return TablesUpdate(records, quarantine, all_records, all_quarantine, {n: len(f) for n, f in all_nested.items()})


def _merge_nested(existing: pd.DataFrame | None, new: pd.DataFrame, replaced: set[str]) -> pd.DataFrame:
    if existing is None or existing.empty:
        return new.reset_index(drop=True)
    kept = existing[~existing[KEY].isin(replaced)]
    return pd.concat([kept, new], ignore_index=True) if not new.empty else kept.reset_index(drop=True)


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


class TableSchemaError(ValueError):
    """An output table that is not what this pipeline wrote: merging into it would lose rows."""


# What merging and evaluation rely on; other columns may come and go between versions.
REQUIRED_COLUMNS = (KEY, "source_path", "extracted_at")


def read_table(path: Path, key: tuple[str, ...] = (KEY,)) -> pd.DataFrame | None:
    """The table at `path` (None when there is none yet), refused when its key is missing or broken:
    a renamed key column made every earlier row look like one duplicate and all but one vanished."""
    if not path.exists():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise TableSchemaError(f"{path}: not a readable Parquet table ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in dict.fromkeys((*key, *REQUIRED_COLUMNS)) if c not in frame.columns]
    if missing:
        raise TableSchemaError(
            f"{path}: columns {missing} are missing (it has {list(frame.columns)[:12]}); nothing was written. "
            "Restore the columns or move the file aside to start a new table."
        )
    if frame[KEY].isna().any() or frame.duplicated(subset=list(key)).any():
        raise TableSchemaError(f"{path}: the key {list(key)} has empty or repeated values; nothing was written")
    return frame


def write_atomic(frame: pd.DataFrame, path: Path) -> None:
    _replace_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_text_atomic(text: str, path: Path) -> None:
    _replace_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _replace_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Write beside `path` under a name unique to this writer, then rename over it: readers see the
    old file or the new one, and two writers at once never share (or delete) each other's temp file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
