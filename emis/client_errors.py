"""How a failed EMIS call becomes an ``EmisError``: library exceptions and
HTTP statuses become codes, bodies are checked against the contract's shapes,
and each error says whether (and after how long) it may be sent again.
``emis.client`` is the only caller.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from emis.errors import EmisError

# Statuses that say EMIS is down for now (a gateway, maintenance, overload)
# rather than that it broke on the request: the clerk reads "temporarily
# unavailable", not "internal error" (500 and the rest).
_UNAVAILABLE = frozenset({502, 503, 504})

# --- classification: library exceptions and statuses become EmisError codes --


def emis_error(code: str, *, retryable: bool, **kwargs: Any) -> EmisError:
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


def from_exception(
    exc: requests.exceptions.RequestException, *, idempotent: bool
) -> EmisError:
    kind = type(exc).__name__
    exc_types = requests.exceptions
    if isinstance(exc, exc_types.ConnectTimeout):
        return emis_error("unreachable", retryable=True, detail=kind)
    if isinstance(exc, exc_types.Timeout):
        return emis_error("timeout", retryable=idempotent, detail=kind)
    if isinstance(exc, exc_types.InvalidURL | exc_types.MissingSchema):
        return emis_error("unreachable", retryable=False, detail=kind)
    if isinstance(exc, exc_types.InvalidSchema):
        return emis_error("unreachable", retryable=False, detail=kind)
    if isinstance(exc, exc_types.ConnectionError) and _never_connected(exc):
        return emis_error("unreachable", retryable=True, detail=kind)
    # Dropped mid-request or mid-body (ChunkedEncodingError: truncated body):
    # EMIS may have acted on it, so only idempotent calls go again.
    return emis_error("unreachable", retryable=idempotent, detail=f"{kind} (dropped)")


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


def from_status(
    response: requests.Response, operation: str, *, idempotent: bool
) -> EmisError:
    status = response.status_code
    if status == 429:
        return emis_error(
            "rate_limited",
            retryable=True,  # EMIS refused to process it: safe to send again
            http_status=status,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        code = "unavailable" if status in _UNAVAILABLE else "server_error"
        return emis_error(code, retryable=idempotent, http_status=status)
    if status == 404 and not (
        operation == "get_person" or _error_code_in_body(response) == "person_not_found"
    ):
        # A 404 from ping or changes means the address is not EMIS's API.
        return emis_error(
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
    return emis_error(code, retryable=False, http_status=status, detail=detail)


def retry_delay(exc: EmisError, attempt: int) -> float | None:
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


def json_object(
    response: requests.Response, operation: str, *, idempotent: bool = False
) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly nested
        # Half a document (a proxy or EMIS cut it off) is usually a one-off:
        # reading a GET again is harmless. If it persists it is permanent.
        raise emis_error(
            "bad_response",
            retryable=idempotent,
            http_status=response.status_code,
            detail=f"{operation}: body is not JSON",
        ) from None
    if not isinstance(body, dict):
        raise emis_error(
            "bad_response",
            retryable=False,
            http_status=response.status_code,
            detail=f"{operation}: body is not a JSON object",
        )
    return body


def check_ping_shape(body: dict[str, Any]) -> None:
    if body.get("status") != "ok":
        raise EmisError("bad_response", detail="ping: status is not 'ok'")


def check_web_session_shape(body: dict[str, Any]) -> None:
    url = body.get("url")
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        raise EmisError("bad_response", detail="web_session: no absolute url")
    if not isinstance(body.get("expires_at"), str):
        raise EmisError("bad_response", detail="web_session: no expires_at")


def check_changes_shape(body: dict[str, Any]) -> None:
    """Only what makes the answer no page at all: ``items`` not an array.
    The rest is the contract reader's (``emis.payload.parse_changes_page``),
    which names each bad field by its path on Стыковки and sets a broken
    record apart instead of refusing the page for it."""
    if not isinstance(body.get("items"), list):
        raise EmisError("bad_response", detail="changes: bad items")
