"""Person versions: saving (one version per save) and the three read paths."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from emis_sandbox.db import transaction
from emis_sandbox.persons import with_version

CURSOR = re.compile(r"^c-(\d{1,18})$")


def make_cursor(seq: int) -> str:
    return f"c-{seq:06d}"


def parse_cursor(cursor: str | None) -> int | None:
    """The save sequence number behind a cursor, 0 for none, None if invalid."""
    if cursor is None or cursor == "":
        return 0
    match = CURSOR.match(cursor)
    return int(match.group(1)) if match else None


def _insert(
    conn: sqlite3.Connection, legal_entity_id: str, person: dict, updated_at: str
) -> dict[str, Any]:
    row = conn.execute(
        "SELECT version FROM latest_persons WHERE legal_entity_id = ? AND person_id = ?",
        (legal_entity_id, person["person_id"]),
    ).fetchone()
    version = (row["version"] if row else 0) + 1
    stored = with_version(person, version=version, updated_at=updated_at)
    cur = conn.execute(
        "INSERT INTO person_versions"
        " (legal_entity_id, person_id, version, body, saved_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            legal_entity_id,
            person["person_id"],
            version,
            json.dumps(stored, ensure_ascii=False),
            updated_at,
        ),
    )
    conn.execute(
        "INSERT INTO latest_persons (legal_entity_id, person_id, seq, version)"
        " VALUES (?, ?, ?, ?)"
        " ON CONFLICT (legal_entity_id, person_id)"
        " DO UPDATE SET seq = excluded.seq, version = excluded.version",
        (legal_entity_id, person["person_id"], cur.lastrowid, version),
    )
    return stored


def save_person(
    conn: sqlite3.Connection, *, legal_entity_id: str, person: dict, updated_at: str
) -> dict[str, Any]:
    with transaction(conn):
        return _insert(conn, legal_entity_id, person, updated_at)


def save_persons(
    conn: sqlite3.Connection,
    *,
    legal_entity_id: str,
    persons: list[dict],
    updated_at: str,
) -> list[dict[str, Any]]:
    """Save a batch in one transaction with set-based SQL (10,000 persons fast)."""
    with transaction(conn):
        versions = dict(
            conn.execute(
                "SELECT person_id, version FROM latest_persons"
                " WHERE legal_entity_id = ?",
                (legal_entity_id,),
            ).fetchall()
        )
        stored = []
        for person in persons:
            version = versions.get(person["person_id"], 0) + 1
            versions[person["person_id"]] = version
            stored.append(with_version(person, version=version, updated_at=updated_at))
        (before,) = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM person_versions"
        ).fetchone()
        conn.executemany(
            "INSERT INTO person_versions"
            " (legal_entity_id, person_id, version, body, saved_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    legal_entity_id,
                    p["person_id"],
                    p["version"],
                    json.dumps(p, ensure_ascii=False),
                    updated_at,
                )
                for p in stored
            ],
        )
        # Rows go in seq order, so a person twice in the batch ends at its last.
        conn.execute(
            "INSERT INTO latest_persons (legal_entity_id, person_id, seq, version)"
            " SELECT legal_entity_id, person_id, seq, version FROM person_versions"
            " WHERE seq > ? ORDER BY seq"
            " ON CONFLICT (legal_entity_id, person_id)"
            " DO UPDATE SET seq = excluded.seq, version = excluded.version",
            (before,),
        )
        return stored


def latest_person(
    conn: sqlite3.Connection, *, legal_entity_id: str, person_id: str
) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT v.body FROM latest_persons l"
        " JOIN person_versions v ON v.seq = l.seq"
        " WHERE l.legal_entity_id = ? AND l.person_id = ?",
        (legal_entity_id, person_id),
    ).fetchone()
    return json.loads(row["body"]) if row else None


def changes(
    conn: sqlite3.Connection, *, legal_entity_id: str, after_seq: int, limit: int
) -> dict[str, Any]:
    """Latest versions saved after ``after_seq``, oldest first, one page."""
    rows = conn.execute(
        "SELECT l.seq, v.body FROM latest_persons l"
        " JOIN person_versions v ON v.seq = l.seq"
        " WHERE l.legal_entity_id = ? AND l.seq > ?"
        " ORDER BY l.seq LIMIT ?",
        (legal_entity_id, after_seq, limit + 1),
    ).fetchall()
    page = rows[:limit]
    last_seq = page[-1]["seq"] if page else after_seq
    return {
        "items": [json.loads(r["body"]) for r in page],
        "next_cursor": make_cursor(last_seq),
        "has_more": len(rows) > limit,
    }
