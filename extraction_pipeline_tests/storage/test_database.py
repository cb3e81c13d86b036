"""The SQLite file behind the cache: several processes open a new file at once."""

import sqlite3
import threading

from extraction_pipeline.storage.database import open_database


def test_a_new_file_is_put_in_wal_mode_while_another_connection_writes_to_it(tmp_path):
    """Switching to WAL while another connection holds a write in the old mode fails at once with
    "database is locked" (SQLite's deadlock avoidance, no busy wait): it happened to runs started
    together on a new cache file. Opening waits for the writer and switches after it."""
    path = tmp_path / "cache.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (k TEXT)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES ('a')")
    commit = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    commit.start()

    engine = open_database(path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("SELECT k FROM t").scalars().all() == ["a"]
    engine.dispose()
    commit.join()
    writer.close()
