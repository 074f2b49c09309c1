"""The sandbox's own SQLite store.

Everything that must be shared between request threads and the webhook retry
threads (persons, sessions, deliveries, faults, counters, run-time settings)
lives here, never in process memory. Each request opens its own connection.
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS person_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    legal_entity_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS person_versions_key
    ON person_versions (legal_entity_id, person_id, version);
-- One row per person: where its latest version sits in the save sequence.
-- The changes feed reads this, so a person saved twice after a cursor
-- appears once, at its latest position.
CREATE TABLE IF NOT EXISTS latest_persons (
    legal_entity_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (legal_entity_id, person_id)
);
CREATE INDEX IF NOT EXISTS latest_persons_feed
    ON latest_persons (legal_entity_id, seq);
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash TEXT PRIMARY KEY,
    legal_entity_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    reservation_id TEXT,
    hint TEXT,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    page_sid TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    url TEXT NOT NULL,
    legal_entity_id TEXT NOT NULL,
    person_id TEXT,
    version INTEGER,
    status_code INTEGER,
    error TEXT,
    response_body TEXT,
    sent_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spec TEXT NOT NULL,
    remaining INTEGER
);
CREATE TABLE IF NOT EXISTS request_counts (
    prefix TEXT PRIMARY KEY,
    count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def connect(path: str) -> sqlite3.Connection:
    # Autocommit mode; writers open explicit transactions with transaction().
    conn = sqlite3.connect(
        path, timeout=30, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    # WAL + NORMAL: no fsync per commit; a sandbox may lose its last writes on
    # power loss, and every request commits at least once (counters).
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    # IMMEDIATE takes the write lock up front, so read-then-write sequences
    # (next version, fault countdown, token claim) are atomic across threads.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class ConnectionPool:
    """Reuses connections across requests and threads.

    Closing the last connection to a WAL database checkpoints and fsyncs it
    (about 20 ms here), so connections are kept open and handed around.
    """

    def __init__(self, path: str, size: int = 16) -> None:
        self.path = path
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue(size)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = connect(self.path)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            try:
                self._idle.put_nowait(conn)
            except queue.Full:
                conn.close()


_pools: dict[str, ConnectionPool] = {}


def connection(path: str):
    """A pooled connection to the sandbox DB at ``path`` (context manager)."""
    pool = _pools.get(path)
    if pool is None:
        pool = _pools.setdefault(path, ConnectionPool(path))
    return pool.connection()


def init_db(path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with connection(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)


def wipe(conn: sqlite3.Connection) -> None:
    """Delete all data (used by /_sandbox/reset) inside the caller's transaction."""
    for table in (
        "person_versions",
        "latest_persons",
        "web_sessions",
        "deliveries",
        "faults",
        "request_counts",
    ):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    # A wiped sandbox starts its cursors and delivery rows from 1 again.
    conn.execute(
        "DELETE FROM sqlite_sequence WHERE name IN ('person_versions', 'deliveries')"
    )
