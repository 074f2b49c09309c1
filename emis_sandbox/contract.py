"""The contract API (``/api/v1/...``) exactly as ``emis-api-v1.md`` states it."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from emis_sandbox import faults, runtime, sessions, store
from emis_sandbox.context import Context
from emis_sandbox.httpkit import (
    ApiError,
    Request,
    Response,
    bad_request,
    error_response,
    json_response,
    now,
    rfc3339,
)
from emis_sandbox.persons import MAX_TEXT, is_digits

MAX_LIMIT = 500
DEFAULT_LIMIT = 200
Handler = Callable[[Context, Request, dict[str, str]], Response]


def handle(ctx: Context, req: Request) -> Response:
    runtime.count_request(ctx.conn, _prefix(req.path))
    fault = faults.claim(ctx.conn, req.path)
    if fault:
        forced = faults.forced_error(fault)
        if forced is not None:
            return forced
    try:
        resp = _dispatch(ctx, req)
    except ApiError as exc:
        resp = error_response(exc)
    return faults.distort(fault, resp) if fault else resp


def _prefix(path: str) -> str:
    # "/api/v1/persons/160848" counts as "/api/v1/persons".
    return "/".join(path.split("/")[:4])


def _dispatch(ctx: Context, req: Request) -> Response:
    _authenticate(ctx, req)
    for method, pattern, handler in ROUTES:
        match = pattern.match(req.path)
        if match:
            if req.method != method:
                raise ApiError(405, "method_not_allowed", f"use {method}")
            return handler(ctx, req, match.groupdict())
    raise ApiError(404, "not_found", f"no such endpoint: {req.path}")


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """Login and password of an HTTP Basic header, decoded as RFC 7617 with
    ``charset="UTF-8"`` says (UTF-8, then NFC); None when absent or broken
    (not base64, not UTF-8, no ":")."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, colon, password = unicodedata.normalize("NFC", text).partition(":")
    return (login, password) if colon else None


def _same_text(given: str, expected: str) -> bool:
    expected = unicodedata.normalize("NFC", expected)
    # surrogatepass: a password given on a non-UTF-8 command line must not
    # crash the comparison (it simply never matches).
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"),
        expected.encode("utf-8", "surrogatepass"),
    )


def _authenticate(ctx: Context, req: Request) -> None:
    given = _basic_credentials(req.headers.get("Authorization") or "")
    login, password = given or ("", "")
    ok_login = _same_text(login, ctx.config.api_login)
    ok_password = _same_text(password, ctx.config.api_password)
    if not (ok_login and ok_password):
        raise ApiError(
            401,
            "api_auth_failed",
            "API login or password is wrong",
            (("WWW-Authenticate", 'Basic realm="EMIS API", charset="UTF-8"'),),
        )


def _digits_param(req: Request, name: str) -> str:
    value = req.param(name)
    if value is None or value == "":
        raise bad_request(f"{name} is required")
    if not is_digits(value):
        raise bad_request(f"{name} must be a string of digits")
    return value


def ping(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return json_response({"status": "ok", "api_version": "1"})


def _hint(value: Any, errors: list[str]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append("hint must be an object or null")
        return None
    hint = {}
    for key in ("surname", "given_names"):
        text = value.get(key)
        if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
            errors.append(
                f"hint.{key} must be a string of at most {MAX_TEXT} characters or null"
            )
        hint[key] = text
    return hint


def _web_session_fields(data: dict[str, Any]) -> sessions.WebSession:
    errors = []
    for key in ("legal_entity_id", "person_id"):
        if key not in data:
            errors.append(f"{key} is required")
        elif not is_digits(data[key]):
            errors.append(f"{key} must be a string of digits")
    reservation_id = data.get("reservation_id")
    if reservation_id is not None and not is_digits(reservation_id):
        errors.append("reservation_id must be a string of digits or absent")
    hint = _hint(data.get("hint"), errors)
    if errors:
        raise bad_request("; ".join(errors))
    return sessions.WebSession(
        legal_entity_id=data["legal_entity_id"],
        person_id=data["person_id"],
        reservation_id=reservation_id,
        hint=hint,
    )


def create_web_session(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    data = req.json_object()
    login, password = data.get("login"), data.get("password")
    missing = [
        k
        for k, v in (("login", login), ("password", password))
        if not isinstance(v, str)
    ]
    if missing:
        raise bad_request(" and ".join(missing) + " must be given as strings")
    if not (
        hmac.compare_digest(login.encode(), ctx.config.web_login.encode())
        & hmac.compare_digest(password.encode(), ctx.config.web_password.encode())
    ):
        raise ApiError(403, "web_auth_failed", "web login or password is wrong")
    session = _web_session_fields(data)
    ttl = runtime.get_settings(ctx.conn).session_ttl
    token, expires_at = sessions.open_session(
        ctx.conn, session=session, now=now(), ttl=ttl
    )
    return json_response(
        {"url": f"{ctx.base_url}/s/{token}", "expires_at": rfc3339(expires_at)},
        201,
    )


def get_person(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    person_id = args["person_id"]
    if not is_digits(person_id):
        raise bad_request("person_id must be a string of digits")
    legal_entity_id = _digits_param(req, "legal_entity_id")
    person = store.latest_person(
        ctx.conn, legal_entity_id=legal_entity_id, person_id=person_id
    )
    if person is None:
        raise ApiError(
            404, "person_not_found", f"no document data saved for person {person_id}"
        )
    return json_response(person)


def _limit(req: Request) -> int:
    raw = req.param("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def changes(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    legal_entity_id = _digits_param(req, "legal_entity_id")
    limit = _limit(req)
    after_seq = store.parse_cursor(req.param("cursor"))
    if after_seq is None:
        raise bad_request("cursor is not one this server issued")
    page = store.changes(
        ctx.conn, legal_entity_id=legal_entity_id, after_seq=after_seq, limit=limit
    )
    return json_response(page)


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"^/api/v1/ping/?$"), ping),
    ("POST", re.compile(r"^/api/v1/web-sessions/?$"), create_web_session),
    ("GET", re.compile(r"^/api/v1/persons/(?P<person_id>[^/]+)/?$"), get_person),
    ("GET", re.compile(r"^/api/v1/changes/?$"), changes),
]
