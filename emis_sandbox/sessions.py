"""One-time upload-page links and the page session each one opens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from emis_sandbox.db import transaction

# How long an opened upload page accepts POSTs (filling a form takes a while,
# far longer than the link's own lifetime).
PAGE_LIFETIME = 4 * 3600


@dataclass(frozen=True)
class WebSession:
    legal_entity_id: str
    person_id: str
    reservation_id: str | None
    hint: dict[str, Any] | None


def _hash(token: str) -> str:
    # Only a digest is stored: the token itself is a bearer credential.
    return hashlib.sha256(token.encode()).hexdigest()


def _from_row(row: sqlite3.Row) -> WebSession:
    return WebSession(
        legal_entity_id=row["legal_entity_id"],
        person_id=row["person_id"],
        reservation_id=row["reservation_id"],
        hint=json.loads(row["hint"]) if row["hint"] else None,
    )


def open_session(
    conn: sqlite3.Connection,
    *,
    session: WebSession,
    now: float,
    ttl: float,
) -> tuple[str, float]:
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    conn.execute(
        "INSERT INTO web_sessions (token_hash, legal_entity_id, person_id,"
        " reservation_id, hint, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            _hash(token),
            session.legal_entity_id,
            session.person_id,
            session.reservation_id,
            json.dumps(session.hint, ensure_ascii=False) if session.hint else None,
            now,
            expires_at,
        ),
    )
    return token, expires_at


def consume(
    conn: sqlite3.Connection, *, token: str, now: float
) -> tuple[str, WebSession | None, str | None]:
    """Claim a link on its first GET: ("ok", session, page_sid), "gone" or "unknown"."""
    with transaction(conn):
        row = conn.execute(
            "SELECT * FROM web_sessions WHERE token_hash = ?", (_hash(token),)
        ).fetchone()
        if row is None:
            return "unknown", None, None
        if row["used_at"] is not None or now >= row["expires_at"]:
            return "gone", None, None
        sid = secrets.token_urlsafe(24)
        conn.execute(
            "UPDATE web_sessions SET used_at = ?, page_sid = ? WHERE token_hash = ?",
            (now, sid, row["token_hash"]),
        )
        return "ok", _from_row(row), sid


def find(conn: sqlite3.Connection, *, token: str) -> WebSession | None:
    """Whose link a token was, used or not: for the refusal's way back."""
    row = conn.execute(
        "SELECT * FROM web_sessions WHERE token_hash = ?", (_hash(token),)
    ).fetchone()
    return _from_row(row) if row is not None else None


def page_session(
    conn: sqlite3.Connection, *, token: str, sid: str | None, now: float
) -> WebSession | None:
    """The session behind a request to an opened page (a POST, or a reload's
    GET) when it carries that page's cookie: only the browser that opened the
    link, and only for ``PAGE_LIFETIME``."""
    if not sid:
        return None
    row = conn.execute(
        "SELECT * FROM web_sessions WHERE token_hash = ?", (_hash(token),)
    ).fetchone()
    if row is None or row["page_sid"] is None:
        return None
    if not hmac.compare_digest(row["page_sid"], sid):
        return None
    if now > row["used_at"] + PAGE_LIFETIME:
        return None
    return _from_row(row)
