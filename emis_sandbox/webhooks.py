"""Signed ``person.documents_saved`` webhooks with bounded, recorded retries.

The first attempt runs in the caller's request so the page (or control call)
can show the PMS's answer; retries after no answer or a 5xx run in a
background thread, with the SAME delivery ID and a fresh timestamp/signature.
Every attempt is a row in ``deliveries``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from emis_sandbox.config import Config
from emis_sandbox.db import connection
from emis_sandbox.httpkit import rfc3339
from emis_sandbox.runtime import get_settings

log = logging.getLogger("emis_sandbox.webhooks")
EVENT = "person.documents_saved"
MAX_STORED_BODY = 4000

# Retry loops still running. A reset does not end one at once (it notices at
# its next attempt), so a test waits for this to reach 0 instead of sleeping
# through the whole back-off schedule.
_retry_loops = 0
_retry_loops_lock = threading.Lock()


def _count_retry_loop(delta: int) -> None:
    global _retry_loops
    with _retry_loops_lock:
        _retry_loops += delta


def retry_loops() -> int:
    with _retry_loops_lock:
        return _retry_loops


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(
        secret.encode("utf-8"), timestamp.encode() + b"." + body, hashlib.sha256
    )
    return "sha256=" + mac.hexdigest()


def build_body(legal_entity_id: str, person: dict[str, Any]) -> bytes:
    payload = {"event": EVENT, "legal_entity_id": legal_entity_id, "person": person}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@dataclass
class Attempt:
    delivery_id: str
    attempt: int
    status_code: int | None
    error: str | None
    body: str | None

    @property
    def retriable(self) -> bool:
        return self.status_code is None or self.status_code >= 500

    @property
    def pms_status(self) -> str | None:
        try:
            data = json.loads(self.body or "")
        except ValueError:
            return None
        status = data.get("status") if isinstance(data, dict) else None
        return status if isinstance(status, str) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "attempt": self.attempt,
            "status_code": self.status_code,
            "error": self.error,
            "body": self.body,
            "pms_status": self.pms_status,
        }


@dataclass(frozen=True)
class Outbound:
    url: str
    secret: str
    delivery_id: str
    legal_entity_id: str
    person: dict[str, Any]
    body: bytes
    timeout: float


def _short_error(exc: requests.RequestException) -> str:
    # A human line for the page and the DB, never a traceback.
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed (PMS not reachable)"
    return exc.__class__.__name__


def _send(out: Outbound, attempt: int) -> tuple[Attempt, str, int]:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Emis-Delivery": out.delivery_id,
        "X-Emis-Timestamp": ts,
        "X-Emis-Signature": sign(out.secret, ts, out.body),
        "User-Agent": "EMIS-Sandbox/1",
    }
    started = time.monotonic()
    sent_at = rfc3339(time.time())
    try:
        with requests.Session() as http:
            # The PMS is addressed directly; ignore any proxy from the env.
            http.trust_env = False
            resp = http.post(
                out.url,
                data=out.body,
                headers=headers,
                timeout=out.timeout,
                allow_redirects=False,
            )
    except requests.RequestException as exc:
        result = Attempt(out.delivery_id, attempt, None, _short_error(exc), None)
    else:
        result = Attempt(
            out.delivery_id,
            attempt,
            resp.status_code,
            None,
            resp.text[:MAX_STORED_BODY],
        )
    return result, sent_at, int((time.monotonic() - started) * 1000)


def _record(
    db_path: str, out: Outbound, result: Attempt, sent_at: str, duration_ms: int
) -> None:
    with connection(db_path) as conn:
        conn.execute(
            "INSERT INTO deliveries (delivery_id, attempt, url, legal_entity_id,"
            " person_id, version, status_code, error, response_body, sent_at,"
            " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                out.delivery_id,
                result.attempt,
                out.url,
                out.legal_entity_id,
                out.person.get("person_id"),
                out.person.get("version"),
                result.status_code,
                result.error,
                result.body,
                sent_at,
                duration_ms,
            ),
        )
    log.info(
        "webhook %s attempt %s -> %s",
        out.delivery_id,
        result.attempt,
        result.status_code or result.error,
    )


def _attempt(db_path: str, out: Outbound, attempt: int) -> Attempt:
    result, sent_at, duration_ms = _send(out, attempt)
    _record(db_path, out, result, sent_at, duration_ms)
    return result


def _retry_loop(config: Config, out: Outbound, generation: int) -> None:
    try:
        for attempt in range(2, config.webhook_attempts + 1):
            backoff = config.webhook_backoff
            time.sleep(backoff[min(attempt - 2, len(backoff) - 1)])
            with connection(config.db) as conn:
                if get_settings(conn).generation != generation:
                    return  # the sandbox was reset meanwhile
            if not _attempt(config.db, out, attempt).retriable:
                return
    finally:
        _count_retry_loop(-1)


def deliver(
    config: Config, *, legal_entity_id: str, person: dict[str, Any]
) -> tuple[Attempt, bool] | None:
    """Send one webhook; returns (first attempt, retries continue) or None if off."""
    with connection(config.db) as conn:
        settings = get_settings(conn)
    if not settings.webhook_enabled:
        return None
    out = Outbound(
        url=settings.webhook_url,
        secret=config.api_password,
        delivery_id=str(uuid.uuid4()),
        legal_entity_id=legal_entity_id,
        person=person,
        body=build_body(legal_entity_id, person),
        timeout=config.webhook_timeout,
    )
    first = _attempt(config.db, out, 1)
    retrying = first.retriable and config.webhook_attempts > 1
    if retrying:
        _count_retry_loop(+1)  # before the thread starts: never seen as idle
        threading.Thread(
            target=_retry_loop,
            args=(config, out, settings.generation),
            name=f"webhook-{out.delivery_id[:8]}",
            daemon=True,
        ).start()
    return first, retrying


def list_deliveries(conn) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM deliveries ORDER BY id").fetchall()
    return [
        {
            "delivery_id": r["delivery_id"],
            "attempt": r["attempt"],
            "url": r["url"],
            "legal_entity_id": r["legal_entity_id"],
            "person_id": r["person_id"],
            "version": r["version"],
            "status_code": r["status_code"],
            "error": r["error"],
            "response_body": r["response_body"],
            "sent_at": r["sent_at"],
            "duration_ms": r["duration_ms"],
        }
        for r in rows
    ]
