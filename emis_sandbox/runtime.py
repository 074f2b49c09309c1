"""Run-time settings, request counters and reset, all kept in the sandbox DB."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from emis_sandbox.config import Config
from emis_sandbox.db import transaction, wipe


@dataclass(frozen=True)
class Settings:
    webhook_url: str
    webhook_enabled: bool
    session_ttl: float
    # Bumped by every reset, so webhook retries of a wiped run stop.
    generation: int

    def public(self) -> dict[str, Any]:
        return {
            "webhook_url": self.webhook_url,
            "webhook_enabled": self.webhook_enabled,
            "session_ttl": self.session_ttl,
        }


def _write(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(k, json.dumps(v)) for k, v in values.items()],
    )


def startup_values(config: Config) -> dict[str, Any]:
    return {
        "webhook_url": config.webhook_url,
        "webhook_enabled": config.webhook_enabled,
        "session_ttl": config.session_ttl,
    }


def init_settings(conn: sqlite3.Connection, config: Config) -> None:
    """Start from the command line's values (a restart forgets run-time changes)."""
    with transaction(conn):
        _write(conn, startup_values(config))
        conn.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES ('generation', '0')"
        )


def get_settings(conn: sqlite3.Connection) -> Settings:
    rows = conn.execute("SELECT key, value FROM settings").fetchall()
    values = {r["key"]: json.loads(r["value"]) for r in rows}
    return Settings(
        webhook_url=values["webhook_url"],
        webhook_enabled=bool(values["webhook_enabled"]),
        session_ttl=float(values["session_ttl"]),
        generation=int(values.get("generation", 0)),
    )


def update_settings(conn: sqlite3.Connection, values: dict[str, Any]) -> Settings:
    with transaction(conn):
        _write(conn, values)
    return get_settings(conn)


def reset(conn: sqlite3.Connection, config: Config) -> None:
    """Wipe all data and put the run-time settings back to the start-up values."""
    with transaction(conn):
        wipe(conn)
        _write(conn, startup_values(config))
        conn.execute(
            "UPDATE settings SET value = CAST(value AS INTEGER) + 1"
            " WHERE key = 'generation'"
        )


def count_request(conn: sqlite3.Connection, prefix: str) -> None:
    conn.execute(
        "INSERT INTO request_counts (prefix, count) VALUES (?, 1)"
        " ON CONFLICT (prefix) DO UPDATE SET count = count + 1",
        (prefix,),
    )


def request_counts(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT prefix, count FROM request_counts ORDER BY prefix"
    ).fetchall()
    return {r["prefix"]: r["count"] for r in rows}
