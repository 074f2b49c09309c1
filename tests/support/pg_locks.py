"""Waiting for threads to queue on PostgreSQL locks, instead of sleeping.

A race test holds a row lock in one thread and starts writers in others; it
must let go only once every writer is waiting on a lock (or has finished
without needing one). PostgreSQL says which sessions wait: a session is
waiting when ``pg_blocking_pids()`` names another one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from tests.support.processes import wait_until

WAITING_SESSIONS = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database()
      AND pid <> pg_backend_pid()
      AND cardinality(pg_blocking_pids(pid)) > 0
"""


def sessions_waiting_on_a_lock() -> int:
    """Sessions on this test database blocked by another session's lock."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction; this one may be open.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(WAITING_SESSIONS)
        return cursor.fetchone()[0]


def wait_until_queued(
    writers: int, finished: Callable[[], int], *, what: str, timeout: float = 20
) -> None:
    """Until each of ``writers`` threads waits on a lock or has finished
    (``finished()`` counts those). ``finished`` is read before the sessions:
    a writer finishing in between is then missed once, never counted twice."""

    def queued() -> bool:
        done = finished()
        return done + sessions_waiting_on_a_lock() >= writers

    wait_until(queued, timeout=timeout, what=what, interval=0.02)
