"""Control API for tests and demos (``/_sandbox/...``): JSON in and out.

Every call needs the control token (``X-Sandbox-Token``) the sandbox prints
at start: ``POST /_sandbox/persons`` with ``send_webhook`` makes the sandbox
sign a webhook with the API password, so without the token any local process
could feed the PMS forged passport data.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from emis_sandbox import faults, runtime, store, webhooks
from emis_sandbox.context import Context
from emis_sandbox.httpkit import (
    ApiError,
    Request,
    Response,
    bad_request,
    json_response,
    now,
    rfc3339,
)
from emis_sandbox.persons import PersonInvalid, is_digits, normalize_person

Handler = Callable[[Context, Request], Response]
TOKEN_HEADER = "X-Sandbox-Token"


def handle(ctx: Context, req: Request) -> Response:
    _authorize(ctx, req)
    route = ROUTES.get((req.method, req.path.rstrip("/")))
    if route is None:
        raise ApiError(404, "not_found", f"no control endpoint {req.method} {req.path}")
    return route(ctx, req)


def _authorize(ctx: Context, req: Request) -> None:
    """401 unless the request carries the control token (checked before routing,
    so an outsider learns nothing, not even which endpoints exist)."""
    # Bytes against bytes: http.server decodes headers as Latin-1, so this
    # gives back the bytes sent; surrogateescape keeps a token from a non-UTF-8
    # environment comparable.
    expected = ctx.config.control_token.encode("utf-8", "surrogateescape")
    given = (req.headers.get(TOKEN_HEADER) or "").encode("latin-1", "replace")
    # compare_digest: the time taken tells nothing about how much matched.
    if not expected or not hmac.compare_digest(given, expected):
        raise ApiError(
            401,
            "control_auth_failed",
            f"the control API needs {TOKEN_HEADER}: the control_token the "
            "sandbox printed at start",
        )


def reset(ctx: Context, req: Request) -> Response:
    runtime.reset(ctx.conn, ctx.config)
    return json_response({"status": "reset"})


def get_config(ctx: Context, req: Request) -> Response:
    return json_response(runtime.get_settings(ctx.conn).public())


def set_config(ctx: Context, req: Request) -> Response:
    data = req.json_object()
    values: dict[str, Any] = {}
    if "webhook_url" in data:
        url = data["webhook_url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request("webhook_url must be an http(s) URL")
        values["webhook_url"] = url
    if "webhook_enabled" in data:
        if not isinstance(data["webhook_enabled"], bool):
            raise bad_request("webhook_enabled must be true or false")
        values["webhook_enabled"] = data["webhook_enabled"]
    if "session_ttl" in data:
        ttl = data["session_ttl"]
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl < 0:
            raise bad_request("session_ttl must be a number of seconds")
        values["session_ttl"] = float(ttl)
    unknown = sorted(set(data) - {"webhook_url", "webhook_enabled", "session_ttl"})
    if unknown:
        raise bad_request("unknown config keys: " + ", ".join(unknown))
    return json_response(runtime.update_settings(ctx.conn, values).public())


def _legal_entity(data: dict[str, Any]) -> str:
    value = data.get("legal_entity_id")
    if not is_digits(value):
        raise bad_request("legal_entity_id must be a string of digits")
    return value


def _clean(raw: Any, validate: bool) -> dict[str, Any]:
    if not validate:
        # Deliberately broken data for PMS tests: only the key must be usable.
        if not isinstance(raw, dict) or not is_digits(raw.get("person_id")):
            raise bad_request("person.person_id must be a string of digits")
        return raw
    try:
        return normalize_person(raw)
    except PersonInvalid as exc:
        raise bad_request(f"invalid person: {exc}") from exc


def save_person(ctx: Context, req: Request) -> Response:
    data = req.json_object()
    legal_entity_id = _legal_entity(data)
    person = _clean(data.get("person"), data.get("validate", True) is not False)
    stored = store.save_person(
        ctx.conn,
        legal_entity_id=legal_entity_id,
        person=person,
        updated_at=rfc3339(now()),
    )
    delivery = None
    if data.get("send_webhook"):
        outcome = webhooks.deliver(
            ctx.config, legal_entity_id=legal_entity_id, person=stored
        )
        if outcome is not None:
            first, retrying = outcome
            delivery = {**first.as_dict(), "retrying": retrying}
    return json_response({"person": stored, "delivery": delivery}, 201)


def save_persons_bulk(ctx: Context, req: Request) -> Response:
    data = req.json_object()
    legal_entity_id = _legal_entity(data)
    raw = data.get("persons")
    if not isinstance(raw, list):
        raise bad_request("persons must be a list")
    validate = data.get("validate", True) is not False
    persons = []
    for i, item in enumerate(raw):
        try:
            persons.append(_clean(item, validate))
        except ApiError as exc:
            raise bad_request(f"persons[{i}]: {exc.message}") from exc
    stored = store.save_persons(
        ctx.conn,
        legal_entity_id=legal_entity_id,
        persons=persons,
        updated_at=rfc3339(now()),
    )
    summary = [{"person_id": p["person_id"], "version": p["version"]} for p in stored]
    return json_response({"count": len(stored), "persons": summary}, 201)


def deliveries(ctx: Context, req: Request) -> Response:
    return json_response(webhooks.list_deliveries(ctx.conn))


def retries(ctx: Context, req: Request) -> Response:
    return json_response({"retry_loops": webhooks.retry_loops()})


def request_counts(ctx: Context, req: Request) -> Response:
    return json_response(runtime.request_counts(ctx.conn))


def get_faults(ctx: Context, req: Request) -> Response:
    return json_response({"faults": faults.current_faults(ctx.conn)})


def set_faults(ctx: Context, req: Request) -> Response:
    spec = faults.parse_spec(req.json_object())
    faults.set_faults(ctx.conn, spec)
    return json_response({"faults": faults.current_faults(ctx.conn)})


def clear_faults(ctx: Context, req: Request) -> Response:
    faults.clear_faults(ctx.conn)
    return json_response({"faults": None})


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/_sandbox/reset"): reset,
    ("GET", "/_sandbox/config"): get_config,
    ("POST", "/_sandbox/config"): set_config,
    ("POST", "/_sandbox/persons"): save_person,
    ("POST", "/_sandbox/persons/bulk"): save_persons_bulk,
    ("GET", "/_sandbox/deliveries"): deliveries,
    ("GET", "/_sandbox/retries"): retries,
    ("GET", "/_sandbox/requests"): request_counts,
    ("GET", "/_sandbox/faults"): get_faults,
    ("POST", "/_sandbox/faults"): set_faults,
    ("DELETE", "/_sandbox/faults"): clear_faults,
}
