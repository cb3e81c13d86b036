"""The SQL database behind the answer cache and the near-duplicate index: a SQLite file on this
machine by default, or PostgreSQL ($EXTRACTION_CACHE_URL), shared by every run and every machine,
so an answer paid for once is reused by a new pod with an empty disk.

The statements are the subset both speak (ON CONFLICT upserts included), so there is one code path.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

_LOCK_WAIT_S = 30


def is_url(location: Path | str) -> bool:
    return "://" in str(location)


def open_database(location: Path | str) -> sa.Engine:
    """An engine for a SQLite file path or a database URL (`postgresql://user:password@host/db`).
    SQLAlchemy hides the password in every message it prints, so the URL never leaks into a log."""
    if not is_url(location):
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            f"sqlite:///{path}", connect_args={"timeout": _LOCK_WAIT_S, "check_same_thread": False}
        )
        _write_ahead_log(engine)
        return engine
    url = sa.make_url(str(location))
    if url.drivername in ("postgres", "postgresql"):  # the `postgres` extra (dagster-postgres) brings psycopg2
        url = url.set(drivername="postgresql+psycopg2")
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"the cache database needs the {exc.name} driver: pip install 'extraction-pipeline[postgres]'"
        ) from None


def _write_ahead_log(engine: sa.Engine) -> None:
    """Put the file in WAL mode, so readers do not wait for the writer and runs and threads share it.
    The mode is kept in the file, so once is enough. Switching takes the file's exclusive lock from a
    read lock; while another process writes in the old mode, SQLite answers "database is locked" at
    once instead of waiting, to avoid a deadlock. Runs that start together on a new file meet that,
    so the switch is tried again until the usual lock wait is over."""
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except sa.exc.OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def create_table(engine: sa.Engine, ddl: str) -> None:
    """`CREATE TABLE IF NOT EXISTS ...`, safe when several processes start at once: PostgreSQL can
    fail the loser of that race on its catalog's unique index although the table now exists."""
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(ddl))
    except sa.exc.IntegrityError:
        with engine.begin() as conn:
            conn.execute(sa.text(ddl))
