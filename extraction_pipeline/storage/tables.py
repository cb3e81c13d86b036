"""The output tables, validated records, quarantine and nested rows (line items), and how they are
written: Delta Lake tables under one location, a folder or an object-store URI (`s3://`, `gs://`,
`az://`, `file://`).

Records and quarantine are keyed by document_id and hold the latest outcome of every document ever
processed into the same location: a run over some documents updates their rows (a MERGE on
document_id) and leaves the rest, and a document is in one of the two tables. Each Delta commit is
atomic, so readers never see half of one, and runs that write at once (sensor batches, the nightly
run, a UI run, on one machine or many) lose and duplicate nothing: a commit that lost the race to
another is retried on the new version. Every version stays readable:
`DeltaTable(path, version=n)`. Tables written as Parquet files by earlier versions are imported once,
as version 0, and the file is renamed, never dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from extraction_pipeline.extraction.extract import ExtractionOutcome
from extraction_pipeline.storage.database import is_url

KEY = "document_id"
LINE = "line"  # a nested row's position within its document
RECORDS = "records"
QUARANTINE = "quarantine"
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
COMMIT_ATTEMPTS = 30  # a commit that lost a race is retried this often on the newer version


def _commit_properties(metadata: dict | None) -> CommitProperties:
    """No retries inside deltalake: a commit that lost the race comes back to our loop, which reads
    the newest version and does the whole write again. deltalake's own retry resolves conflicts
    itself, and it committed a lost table creation (`mode="error"`) as version 1 on top of the
    winner's version 0, so two runs starting at once on S3 stored every shared document twice."""
    return CommitProperties(custom_metadata=metadata, max_commit_retries=0)


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
            "flag_reasons": o.flag_reasons,
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
        KEY, "source_path", *fields, "ungrounded_fields", "flag_reasons", "low_ocr_confidence_fields",
        "ambiguous_fields", "evidence", "model_values", *PROVENANCE,
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


Location = Path | str  # a folder, or a URI: s3://bucket/prefix, gs://..., az://..., file://...


def table_uri(location: Location, name: str) -> str:
    return f"{str(location).rstrip('/')}/{name}"


def _is_local(location: Location) -> bool:
    return not is_url(location) or str(location).startswith("file://")


def _local_dir(location: Location) -> Path:
    return Path(str(location).removeprefix("file://"))


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
    location: Location,
    records: pd.DataFrame,
    quarantine: pd.DataFrame,
    keep_earlier_records: bool = False,
    nested: dict[str, pd.DataFrame] | None = None,
    run_id: str | None = None,
) -> TablesUpdate:
    """Merge this run's rows into the tables: one commit per table, each retried when another writer
    committed first. With `keep_earlier_records`, a document that already has a record keeps it, and
    its quarantine row of this run is dropped. A nested table holds the rows of the documents in the
    records table: a document of this run replaces its earlier rows there, and one quarantined now
    loses them with its record. A document moving between records and quarantine is written to its
    new table before it is removed from the old one, so a crash in between leaves it in both (the
    newer row wins, by `extracted_at`), never in neither. All tables are read and checked
    (TableSchemaError) before any is written. `run_id` is kept in each commit's metadata."""
    nested = nested or {}
    with _exclusive(location):
        _import_parquet_tables(location, [RECORDS, QUARANTINE, *nested])
        existing_records = read_table(location, RECORDS)
        read_table(location, QUARANTINE)
        for name in nested:
            read_table(location, name, (KEY, LINE))
        if keep_earlier_records and existing_records is not None:
            quarantine = quarantine[~quarantine[KEY].isin(existing_records[KEY])]
        replaced = set(records[KEY]) | set(quarantine[KEY])
        # Rows in first, then out of the table they left: a crash in between leaves a row twice, not lost.
        _merge(location, RECORDS, records, (KEY,), drop_ids=set(), run_id=run_id)
        _merge(location, QUARANTINE, quarantine, (KEY,), drop_ids=set(), run_id=run_id)
        for name, rows in nested.items():
            _merge(location, name, rows, (KEY, LINE), drop_ids=replaced, run_id=run_id)
        _merge(location, RECORDS, records.iloc[0:0], (KEY,), drop_ids=set(quarantine[KEY]), run_id=run_id)
        _merge(location, QUARANTINE, quarantine.iloc[0:0], (KEY,), drop_ids=set(records[KEY]), run_id=run_id)
        all_records = read_table(location, RECORDS)
        all_quarantine = read_table(location, QUARANTINE)
        nested_tables = {name: read_table(location, name, (KEY, LINE)) for name in nested}
        nested_rows = {name: 0 if frame is None else len(frame) for name, frame in nested_tables.items()}
    return TablesUpdate(
        records,
        quarantine,
        all_records if all_records is not None else records.iloc[0:0],
        all_quarantine if all_quarantine is not None else quarantine.iloc[0:0],
        nested_rows,
    )


def _merge(
    location: Location,
    name: str,
    rows: pd.DataFrame,
    key: tuple[str, ...],
    drop_ids: set[str],
    run_id: str | None = None,
) -> None:
    """Upsert `rows` on `key` and delete the rows of `drop_ids` that `rows` do not hold, in one commit."""
    uri = table_uri(location, name)
    commit = _commit_properties({"dagster_run_id": run_id} if run_id else None)
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            table = _open(uri)
            if table is None:  # created even when empty: a reader after any run finds the table
                _create(uri, _arrow(rows, None), commit)
                return
            if rows.empty and not drop_ids:
                return
            if not table.file_uris():  # still empty, its column types guessed from no values
                if not rows.empty:  # this run's rows set them
                    write_deltalake(
                        table, _arrow(rows, None), mode="overwrite", schema_mode="overwrite", commit_properties=commit
                    )
                return
            schema = pa.schema(table.schema().to_arrow())
            source = _arrow(rows, schema)
            if set(source.schema.names) - set(schema.names):  # a field a pack added: old rows get nulls
                write_deltalake(table, source.slice(0, 0), mode="append", schema_mode="merge", commit_properties=commit)
                table = _open(uri)
            on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
            merger = (
                table.merge(source, on, source_alias="s", target_alias="t", commit_properties=commit)
                .when_matched_update_all()
                .when_not_matched_insert_all()
            )
            if drop_ids:
                listed = ", ".join("'" + i.replace("'", "''") + "'" for i in sorted(drop_ids))
                merger = merger.when_not_matched_by_source_delete(f't."{KEY}" IN ({listed})')
            merger.execute()
            return
        except (CommitFailedError, _Conflict) as exc:
            if attempt == COMMIT_ATTEMPTS - 1:
                raise RuntimeError(f"{uri}: gave up after {COMMIT_ATTEMPTS} commits lost to other writers") from exc
            time.sleep(random.uniform(0.05, 0.5) * (1 + attempt / 5))


class _Conflict(Exception):
    """Another writer created the table first."""


def _create(uri: str, data: pa.Table, commit: CommitProperties) -> None:
    try:
        write_deltalake(uri, data, mode="error", commit_properties=commit)
    except DeltaError as exc:
        if _open(uri) is not None:  # another writer created it first: merge into theirs
            raise _Conflict(uri) from exc
        raise


def _open(uri: str) -> DeltaTable | None:
    try:
        return DeltaTable(uri)
    except TableNotFoundError:
        return None


def _arrow(frame: pd.DataFrame, existing: pa.Schema | None) -> pa.Table:
    """`frame` in the types Delta keeps: the table's own where it has the column; else strings for
    columns with no value yet, decimal(38, 9) for amounts (so one run's 9.50 and another's 1591600
    share a type) and microsecond UTC timestamps."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for f in existing or []:  # the table's columns this frame lacks (another type's fields): empty
        if f.name not in table.schema.names:
            table = table.append_column(f, pa.nulls(len(table), f.type))
    fields = []
    for f in table.schema:
        if existing is not None and f.name in existing.names:
            target = existing.field(f.name).type
        elif f.name in (KEY, "source_path") or pa.types.is_null(f.type):
            target = pa.string()
        elif pa.types.is_decimal(f.type):
            target = pa.decimal128(38, 9)
        elif pa.types.is_large_string(f.type):
            target = pa.string()
        elif pa.types.is_timestamp(f.type):
            target = pa.timestamp("us", tz="UTC")
        else:
            target = f.type
        fields.append(pa.field(f.name, target))
    return table.cast(pa.schema(fields))


@contextlib.contextmanager
def _exclusive(location: Location) -> Iterator[None]:
    """On local disk, runs of this machine take turns (no commit is lost to a neighbour and retried);
    on object storage, Delta's own commit protocol is the only arbiter."""
    if not _is_local(location):
        yield
        return
    folder = _local_dir(location)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".tables.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _import_parquet_tables(location: Location, names: list[str]) -> None:
    """A `<name>.parquet` written by an earlier version becomes the table's version 0 and is renamed
    `<name>.parquet.imported`: read once, never dropped."""
    if not _is_local(location):
        return
    for name in names:
        legacy = _local_dir(location) / f"{name}.parquet"
        if not legacy.exists() or _open(table_uri(location, name)) is not None:
            continue
        frame = _checked(
            pd.read_parquet(legacy), str(legacy), (KEY, LINE) if name not in (RECORDS, QUARANTINE) else (KEY,)
        )
        write_deltalake(
            table_uri(location, name),
            _arrow(frame, None),
            mode="error",
            commit_properties=_commit_properties({"imported_from": legacy.name}),
        )
        legacy.rename(legacy.with_name(legacy.name + ".imported"))


class TableSchemaError(ValueError):
    """An output table that is not what this pipeline wrote: merging into it would lose rows."""


# What merging and evaluation rely on; other columns may come and go between versions.
REQUIRED_COLUMNS = (KEY, "source_path", "extracted_at")


def read_table(location: Location, name: str, key: tuple[str, ...] = (KEY,)) -> pd.DataFrame | None:
    """The table `name` under `location` as pandas (None when there is none yet), refused when its
    key is missing or broken: a renamed key column made every earlier row look like one duplicate."""
    uri = table_uri(location, name)
    try:
        table = _open(uri)
        if table is None:
            return None
        frame = table.to_pandas()
    except DeltaError as exc:
        raise TableSchemaError(f"{uri}: not a readable Delta table ({type(exc).__name__}: {exc})") from exc
    return _checked(frame, uri, key)


def _checked(frame: pd.DataFrame, where: str, key: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in dict.fromkeys((*key, *REQUIRED_COLUMNS)) if c not in frame.columns]
    if missing:
        raise TableSchemaError(
            f"{where}: columns {missing} are missing (it has {list(frame.columns)[:12]}); nothing was written. "
            "Restore the columns or move the table aside to start a new one."
        )
    if frame[KEY].isna().any() or frame.duplicated(subset=list(key)).any():
        raise TableSchemaError(f"{where}: the key {list(key)} has empty or repeated values; nothing was written")
    return frame


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
