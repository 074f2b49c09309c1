"""The EMIS HTTP client: the one boundary where the contract is spoken.

Every call has connect and read timeouts, idempotent calls (GETs) are retried
a bounded number of times with backoff, a 429 is honoured through
``Retry-After``, and every failure becomes an ``EmisError`` with a code
(see emis/errors.py) — callers never see a ``requests`` exception. Every call
leaves one ``ConnectorCall`` row and one log line: the operation, the
outcome, the duration; never a credential, an ID or a body.

How failures are classified (statuses, library exceptions, body shapes,
retry delays) lives in ``emis/client_errors.py``. When the vendor's real
specification arrives, these two modules and ``emis/payload/`` are what change.
"""

from __future__ import annotations

import base64
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any

import requests
from django.utils import translation
from django.views.decorators.debug import sensitive_variables

from emis.client_errors import (
    check_changes_shape,
    check_ping_shape,
    check_web_session_shape,
    emis_error,
    from_exception,
    from_status,
    json_object,
    retry_delay,
)
from emis.client_plan import CallPlan, call_plan
from emis.errors import EmisError

logger = logging.getLogger("emis.client")

CONNECTOR = "emis"
_DIGITS = re.compile(r"[0-9]+")


def _digits(value: int | str, name: str) -> str:
    """IDs travel as strings of digits; anything else is a programming error."""
    text = str(value)
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"{name} must be a string of digits")
    return text


# --- HTTP Basic, RFC 7617 with charset="UTF-8" (the contract says so) --------

# Control characters cannot be typed into EMIS and break headers; lone
# surrogates cannot be encoded as UTF-8 at all.
_UNSENDABLE_CATEGORIES = {"Cc", "Cs"}


@sensitive_variables()
def credential_problem(value: str, *, basic_login: bool = False) -> str | None:
    """Why a credential cannot be sent, or None: ``"colon"`` for a login that
    HTTP Basic cannot carry (":" separates it from the password),
    ``"control"`` for a control character or a lone surrogate."""
    if any(unicodedata.category(ch) in _UNSENDABLE_CATEGORIES for ch in value):
        return "control"
    if basic_login and ":" in value:
        return "colon"
    return None


@sensitive_variables()
def basic_auth_header(login: str, password: str) -> str:
    """The ``Authorization`` value: NFC, then UTF-8, then base64 (RFC 7617
    section 2.1). ``requests`` would encode Latin-1 and fail on "Ω"."""
    if credential_problem(login, basic_login=True) or credential_problem(password):
        raise ValueError("the API credentials cannot be sent over HTTP Basic")
    pair = unicodedata.normalize("NFC", f"{login}:{password}")
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


class Utf8BasicAuth(requests.auth.AuthBase):
    """``requests`` auth that sets the UTF-8 Basic header; its repr never
    shows the credentials. ``problem`` is set when they cannot be sent."""

    @sensitive_variables()
    def __init__(self, login: str, password: str):
        self.problem = credential_problem(
            login, basic_login=True
        ) or credential_problem(password)
        self._header = None if self.problem else basic_auth_header(login, password)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._header is None:
            raise ValueError("the API credentials cannot be sent over HTTP Basic")
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "<Utf8BasicAuth>"

    __str__ = __repr__


class EmisClient:
    """One configured EMIS endpoint. Build it with ``from_connection()`` or,
    for "test connection" with unsaved values, with explicit keywords.

    ``budget``: the seconds a web request may wait on one call
    (``EMIS_REQUEST_BUDGET``); the timeouts and attempts are fitted into it
    (emis/client_plan.py). Without it the settings apply as they are."""

    @sensitive_variables()
    def __init__(
        self,
        *,
        base_url: str,
        api_login: str,
        api_password: str,
        web_login: str = "",
        web_password: str = "",
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        budget: float | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = (base_url or "").rstrip("/")
        self._api_auth = Utf8BasicAuth(api_login, api_password)
        self._web_login = web_login
        self._web_password = web_password
        self.plan: CallPlan = call_plan(
            connect_timeout=connect_timeout, read_timeout=read_timeout, budget=budget
        )
        self.timeout = (self.plan.connect_timeout, self.plan.read_timeout)
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": "PMS-EMIS-client/1"}
        )

    def __repr__(self) -> str:  # never the credentials
        return f"<EmisClient {self.base_url}>"

    __str__ = __repr__

    @classmethod
    @sensitive_variables()
    def from_connection(cls, *, budget: float | None = None) -> EmisClient:
        """The client for the saved connection; ``not_configured`` when it is
        inactive or incomplete, ``secrets_unreadable`` when the encryption key
        that wrote the passwords is missing."""
        from emis.models import EmisConnection
        from integrations.secrets import SecretKeyError

        try:
            conn = EmisConnection.load()
        except SecretKeyError as exc:
            logger.error("emis connection: stored secrets unreadable: %s", exc)
            raise EmisError("secrets_unreadable", detail=str(exc)) from exc
        if not (conn.is_active and conn.is_complete):
            raise EmisError("not_configured")
        return cls(
            base_url=conn.base_url,
            api_login=conn.api_login,
            api_password=conn.api_password,
            web_login=conn.web_login,
            web_password=conn.web_password,
            budget=budget,
        )

    # --- the four calls of the contract -------------------------------------

    def ping(self) -> dict[str, Any]:
        return self._call("ping", "GET", "/api/v1/ping", check=check_ping_shape)

    @sensitive_variables()
    def create_web_session(
        self,
        *,
        legal_entity_id: int,
        person_id: int,
        reservation_id: int | None = None,
        hint: dict[str, str | None] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "login": self._web_login,
            "password": self._web_password,
            "legal_entity_id": _digits(legal_entity_id, "legal_entity_id"),
            "person_id": _digits(person_id, "person_id"),
        }
        if reservation_id is not None:
            payload["reservation_id"] = _digits(reservation_id, "reservation_id")
        if hint is not None:
            payload["hint"] = hint
        return self._call(
            "web_session",
            "POST",
            "/api/v1/web-sessions",
            json=payload,
            idempotent=False,
            expected=201,
            check=check_web_session_shape,
        )

    def get_person(self, *, person_id: int, legal_entity_id: int) -> dict[str, Any]:
        path = f"/api/v1/persons/{_digits(person_id, 'person_id')}"
        params = {"legal_entity_id": _digits(legal_entity_id, "legal_entity_id")}
        return self._call("get_person", "GET", path, params=params)

    def changes(
        self, *, legal_entity_id: int, cursor: str | None, limit: int = 200
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "legal_entity_id": _digits(legal_entity_id, "legal_entity_id"),
            "limit": max(1, min(int(limit), 500)),  # the contract's ceiling
        }
        if cursor:
            params["cursor"] = cursor
        return self._call(
            "changes",
            "GET",
            "/api/v1/changes",
            params=params,
            check=check_changes_shape,
        )

    # --- transport ------------------------------------------------------------

    @sensitive_variables()  # kwargs carry the web password of web-sessions
    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool = True,
        expected: int = 200,
        check: Callable[[dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        trace = _Trace(operation)
        try:
            body = self._with_retries(
                trace, method, path, idempotent=idempotent, expected=expected, **kwargs
            )
            if check is not None:
                check(body)
        except EmisError as exc:
            trace.finish(exc)
            raise
        trace.finish(None)
        return body

    @sensitive_variables()
    def _with_retries(
        self, trace: _Trace, method: str, path: str, *, idempotent: bool, **kwargs
    ) -> dict[str, Any]:
        max_attempts = self.plan.max_attempts
        while True:
            trace.attempts += 1
            try:
                return self._attempt(
                    trace, method, path, idempotent=idempotent, **kwargs
                )
            except EmisError as exc:
                delay = retry_delay(exc, trace.attempts)
                if delay is None or trace.attempts >= max_attempts:
                    raise
                logger.info(
                    "emis %s retry attempt=%d code=%s wait=%.2fs",
                    trace.operation,
                    trace.attempts,
                    exc.code,
                    delay,
                )
                time.sleep(delay)

    @sensitive_variables()  # also hides the frames of requests and urllib3
    def _attempt(
        self,
        trace: _Trace,
        method: str,
        path: str,
        *,
        idempotent: bool,
        expected: int,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if self._api_auth.problem:
            raise emis_error(
                "not_configured",
                retryable=False,
                detail="API credentials cannot be sent over HTTP Basic: "
                + self._api_auth.problem,
            )
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                auth=self._api_auth,
                timeout=self.timeout,
                allow_redirects=False,  # never re-send credentials elsewhere
                **kwargs,
            )
        except requests.exceptions.RequestException as exc:
            raise from_exception(exc, idempotent=idempotent) from exc
        trace.http_status = response.status_code
        if response.status_code != expected:
            raise from_status(response, trace.operation, idempotent=idempotent)
        return json_object(response, trace.operation, idempotent=idempotent)


# --- the record of each call --------------------------------------------------


class _Trace:
    """Times one logical call (all its attempts) and records its outcome."""

    def __init__(self, operation: str):
        self.operation = operation
        self.started = time.monotonic()
        self.attempts = 0
        self.http_status: int | None = None

    def finish(self, error: EmisError | None) -> None:
        from integrations.services import connector_call_record

        duration_ms = int((time.monotonic() - self.started) * 1000)
        status = error.http_status if error and error.http_status else self.http_status
        if error is None:
            logger.info(
                "emis %s ok status=%s attempts=%d duration_ms=%d",
                self.operation,
                status,
                self.attempts,
                duration_ms,
            )
        elif error.is_answer:
            logger.info(
                "emis %s answered code=%s status=%s duration_ms=%d",
                self.operation,
                error.code,
                status,
                duration_ms,
            )
        else:
            logger.warning(
                "emis %s failed code=%s status=%s attempts=%d duration_ms=%d detail=%s",
                self.operation,
                error.code,
                status,
                self.attempts,
                duration_ms,
                error.detail,
            )
        with translation.override("en"):  # stored text is stable; UI maps code
            message = error.message if error else ""
        connector_call_record(
            connector=CONNECTOR,
            operation=self.operation,
            # "No such person" is EMIS answering, not the integration failing.
            ok=error is None or error.is_answer,
            http_status=status,
            error_code=error.code if error else "",
            error_message=message,
            duration_ms=duration_ms,
            attempts=self.attempts,
        )
