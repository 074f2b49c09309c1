"""Fault injection for the contract API; the active fault lives in the DB."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from typing import Any

from emis_sandbox.db import transaction
from emis_sandbox.httpkit import ApiError, Response, bad_request, error_response

DEFAULTS: dict[str, Any] = {
    "latency_ms": 0,
    "error_rate": 0.0,
    "status": None,
    "retry_after": 1,
    "malformed_json": False,
    "drop_connection": False,
    "truncate_body": False,
    "times": None,
    "paths": None,
}
STATUS_CODES = {
    400: "bad_request",
    401: "api_auth_failed",
    403: "web_auth_failed",
    404: "person_not_found",
    429: "rate_limited",
}


def _number(spec: dict, key: str, *, low: float, high: float | None = None) -> None:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"faults.{key} must be a number")
    if value < low or (high is not None and value > high):
        raise bad_request(f"faults.{key} is out of range")


def parse_spec(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise bad_request("unknown fault keys: " + ", ".join(unknown))
    spec = {**DEFAULTS, **data}
    _number(spec, "latency_ms", low=0, high=600_000)
    _number(spec, "error_rate", low=0, high=1)
    _number(spec, "retry_after", low=0)
    for key in ("malformed_json", "drop_connection", "truncate_body"):
        if not isinstance(spec[key], bool):
            raise bad_request(f"faults.{key} must be true or false")
    status = spec["status"]
    if status is not None and (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 400 <= status <= 599
    ):
        raise bad_request("faults.status must be null or an HTTP error status")
    times = spec["times"]
    if times is not None and (
        isinstance(times, bool) or not isinstance(times, int) or times < 1
    ):
        raise bad_request("faults.times must be null or a positive integer")
    paths = spec["paths"]
    if paths is not None and (
        not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)
    ):
        raise bad_request("faults.paths must be null or a list of path prefixes")
    return spec


def set_faults(conn: sqlite3.Connection, spec: dict[str, Any]) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO faults (id, spec, remaining) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE"
            " SET spec = excluded.spec, remaining = excluded.remaining",
            (json.dumps(spec), spec["times"]),
        )


def clear_faults(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM faults")


def current_faults(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT spec, remaining FROM faults WHERE id = 1").fetchone()
    if row is None:
        return None
    return {**json.loads(row["spec"]), "remaining": row["remaining"]}


def claim(conn: sqlite3.Connection, path: str) -> dict[str, Any] | None:
    """The fault that applies to this request, counting it against ``times``."""
    if conn.execute("SELECT 1 FROM faults").fetchone() is None:
        return None  # the common case, without taking the write lock
    with transaction(conn):
        row = conn.execute("SELECT spec, remaining FROM faults WHERE id = 1").fetchone()
        if row is None:
            return None
        spec = json.loads(row["spec"])
        paths = spec["paths"]
        if paths and not any(path.startswith(p) for p in paths):
            return None
        remaining = row["remaining"]
        if remaining is not None:
            # The fault clears itself after affecting ``times`` requests.
            if remaining <= 1:
                conn.execute("DELETE FROM faults WHERE id = 1")
            else:
                conn.execute("UPDATE faults SET remaining = remaining - 1")
        return spec


def forced_error(spec: dict[str, Any]) -> Response | None:
    """Sleep for the latency, then the injected answer that replaces the real one."""
    if spec["latency_ms"]:
        time.sleep(spec["latency_ms"] / 1000)
    if spec["drop_connection"]:
        return Response(status=0, drop_connection=True)
    status = spec["status"]
    if status is not None:
        headers: tuple[tuple[str, str], ...] = ()
        if status == 429:
            headers = (("Retry-After", str(int(spec["retry_after"]))),)
        code = STATUS_CODES.get(
            status, "service_unavailable" if status == 503 else "internal_error"
        )
        return error_response(ApiError(status, code, "Sandbox fault", headers))
    if spec["error_rate"] and random.random() < spec["error_rate"]:
        return error_response(
            ApiError(500, "internal_error", "Sandbox fault: injected error")
        )
    return None


def distort(spec: dict[str, Any], resp: Response) -> Response:
    """Break a real answer: invalid JSON, or a body cut short by a dropped socket."""
    if spec["malformed_json"]:
        # Half a JSON document is never valid JSON (its brackets do not close).
        return Response(status=200, body=resp.body[: max(1, len(resp.body) // 2)])
    if spec["truncate_body"]:
        resp.truncate_body = True
    return resp
