"""The EMIS HTTP client: the one boundary where the contract is spoken.

Every call has connect and read timeouts, idempotent calls (GETs) are retried
a bounded number of times with backoff, a 429 is honoured through
``Retry-After``, and every failure becomes an ``EmisError`` with a code
(see emis/errors.py) — callers never see a ``requests`` exception. Every call
leaves one ``ConnectorCall`` row and one log line: the operation, the
outcome, the duration; never a credential, an ID or a body.

When the vendor's real specification arrives, this module (paths, status
mapping, shape checks) and ``emis/payload.py`` are what change.
"""

from __future__ import annotations

import base64
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone, translation
from django.views.decorators.debug import sensitive_variables
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

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
    for "test connection" with unsaved values, with explicit keywords."""

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
        session: requests.Session | None = None,
    ):
        self.base_url = (base_url or "").rstrip("/")
        self._api_auth = Utf8BasicAuth(api_login, api_password)
        self._web_login = web_login
        self._web_password = web_password
        self.timeout = (
            connect_timeout or settings.EMIS_CONNECT_TIMEOUT,
            read_timeout or settings.EMIS_READ_TIMEOUT,
        )
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": "PMS-EMIS-client/1"}
        )

    def __repr__(self) -> str:  # never the credentials
        return f"<EmisClient {self.base_url}>"

    __str__ = __repr__

    @classmethod
    @sensitive_variables()
    def from_connection(cls) -> EmisClient:
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
        )

    # --- the four calls of the contract -------------------------------------

    def ping(self) -> dict[str, Any]:
        return self._call("ping", "GET", "/api/v1/ping", check=_check_ping_shape)

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
            check=_check_web_session_shape,
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
            check=_check_changes_shape,
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
        max_attempts = settings.EMIS_MAX_ATTEMPTS
        while True:
            trace.attempts += 1
            try:
                return self._attempt(
                    trace, method, path, idempotent=idempotent, **kwargs
                )
            except EmisError as exc:
                delay = _retry_delay(exc, trace.attempts)
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
            raise _error(
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
            raise _from_exception(exc, idempotent=idempotent) from exc
        trace.http_status = response.status_code
        if response.status_code != expected:
            raise _from_status(response, trace.operation, idempotent=idempotent)
        return _json_object(response, trace.operation, idempotent=idempotent)


# --- classification: library exceptions and statuses become EmisError codes --


def _error(code: str, *, retryable: bool, **kwargs: Any) -> EmisError:
    exc = EmisError(code, **kwargs)
    exc.retryable = retryable
    return exc


def _never_connected(exc: BaseException) -> bool:
    """True when the request cannot have reached EMIS (refused, DNS, connect
    timeout): only then is a non-idempotent POST safe to send again."""
    stack, seen = [exc], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NewConnectionError | ConnectTimeoutError):
            return True
        if isinstance(item, MaxRetryError) and item.reason is not None:
            stack.append(item.reason)
        stack.extend(a for a in item.args if isinstance(a, BaseException))
        stack.extend(c for c in (item.__cause__, item.__context__) if c is not None)
    return False


def _from_exception(
    exc: requests.exceptions.RequestException, *, idempotent: bool
) -> EmisError:
    kind = type(exc).__name__
    exc_types = requests.exceptions
    if isinstance(exc, exc_types.ConnectTimeout):
        return _error("unreachable", retryable=True, detail=kind)
    if isinstance(exc, exc_types.Timeout):
        return _error("timeout", retryable=idempotent, detail=kind)
    if isinstance(exc, exc_types.InvalidURL | exc_types.MissingSchema):
        return _error("unreachable", retryable=False, detail=kind)
    if isinstance(exc, exc_types.InvalidSchema):
        return _error("unreachable", retryable=False, detail=kind)
    if isinstance(exc, exc_types.ConnectionError) and _never_connected(exc):
        return _error("unreachable", retryable=True, detail=kind)
    # Dropped mid-request or mid-body (ChunkedEncodingError: truncated body):
    # EMIS may have acted on it, so only idempotent calls go again.
    return _error("unreachable", retryable=idempotent, detail=f"{kind} (dropped)")


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds: the contract sends seconds; an HTTP date
    is accepted too. None when absent or unreadable."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _error_code_in_body(response: requests.Response) -> str | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return error.get("code") if isinstance(error, dict) else None


def _from_status(
    response: requests.Response, operation: str, *, idempotent: bool
) -> EmisError:
    status = response.status_code
    if status == 429:
        return _error(
            "rate_limited",
            retryable=True,  # EMIS refused to process it: safe to send again
            http_status=status,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        return _error("server_error", retryable=idempotent, http_status=status)
    if status == 404 and not (
        operation == "get_person" or _error_code_in_body(response) == "person_not_found"
    ):
        # A 404 from ping or changes means the address is not EMIS's API.
        return _error(
            "bad_response",
            retryable=False,
            http_status=status,
            detail="404 on " + operation,
        )
    code = {
        400: "bad_request",
        401: "api_auth_failed",
        403: "web_auth_failed",
        404: "person_not_found",
    }.get(status, "bad_response")
    detail = "" if code != "bad_response" else f"unexpected status {status}"
    return _error(code, retryable=False, http_status=status, detail=detail)


def _retry_delay(exc: EmisError, attempt: int) -> float | None:
    """Seconds to wait before the next attempt, or None to give up now."""
    if not exc.retryable:
        return None
    if exc.code == "rate_limited" and exc.retry_after is not None:
        cap = settings.EMIS_RETRY_AFTER_CAP
        # Longer waits are left to the caller (a Celery countdown), not a
        # web request or a worker thread sleeping.
        return exc.retry_after if exc.retry_after <= cap else None
    backoff = settings.EMIS_RETRY_BACKOFF
    return backoff[min(attempt - 1, len(backoff) - 1)]


# --- shape checks -------------------------------------------------------------


def _json_object(
    response: requests.Response, operation: str, *, idempotent: bool = False
) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly nested
        # Half a document (a proxy or EMIS cut it off) is usually a one-off:
        # reading a GET again is harmless. If it persists it is permanent.
        raise _error(
            "bad_response",
            retryable=idempotent,
            http_status=response.status_code,
            detail=f"{operation}: body is not JSON",
        ) from None
    if not isinstance(body, dict):
        raise _error(
            "bad_response",
            retryable=False,
            http_status=response.status_code,
            detail=f"{operation}: body is not a JSON object",
        )
    return body


def _check_ping_shape(body: dict[str, Any]) -> None:
    if body.get("status") != "ok":
        raise EmisError("bad_response", detail="ping: status is not 'ok'")


def _check_web_session_shape(body: dict[str, Any]) -> None:
    url = body.get("url")
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        raise EmisError("bad_response", detail="web_session: no absolute url")
    if not isinstance(body.get("expires_at"), str):
        raise EmisError("bad_response", detail="web_session: no expires_at")


def _check_changes_shape(body: dict[str, Any]) -> None:
    items = body.get("items")
    problems = []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append("items")
    if not isinstance(body.get("next_cursor"), str | None):
        problems.append("next_cursor")
    if not isinstance(body.get("has_more"), bool):
        problems.append("has_more")
    if body.get("has_more") and not body.get("next_cursor"):
        problems.append("next_cursor missing while has_more")
    if problems:
        raise EmisError("bad_response", detail="changes: bad " + ", ".join(problems))


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
            ok=error is None,
            http_status=status,
            error_code=error.code if error else "",
            error_message=message,
            duration_ms=duration_ms,
            attempts=self.attempts,
        )
