"""Error pages and error reports that never show a secret.

Django's ``SafeExceptionReporterFilter`` hides settings whose names look
secret, and — with DEBUG off only — the variables and POST fields marked with
``sensitive_variables`` / ``sensitive_post_parameters``. Under
``./scripts/run.sh`` DEBUG is on and the technical 500 page is what whoever
caused the error sees: a crash in the EMIS webhook once showed the API
password, which is also the webhook signing key. So here:

- the marks apply whatever DEBUG says;
- local variables, POST fields, query parameters and mapping keys whose
  *names* look secret are hidden without a mark;
- our own setting names are hidden too (``CELERY_BROKER_URL``,
  ``CACHE_URL``, ``EMIS_*`` logins …) and the userinfo of any URL, wherever
  a URL shows (a cache ``LOCATION``, an environment variable in META);
- objects known to carry secrets (``EmisConnection`` or any model with an
  encrypted field, ``EmisClient``, auth objects, decrypted ``Secret``
  strings) show as their class name only.

``SafeExceptionReporter`` then removes every hidden value from the rest of
the report too (an exception message, a Unicode hint), in case it shows there.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

SUBSTITUTE = SafeExceptionReporterFilter.cleansed_substitute

# Names of variables, fields and keys that hold a secret.
SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|key|signature|auth|credential|cookie|fernet|cipher",
    re.IGNORECASE,
)
# Setting (and request.META) names: Django's list plus ours.
HIDDEN_SETTINGS = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|PRIVATE"
    r"|DSN|DATABASE_URL|CACHE_URL|BROKER|REDIS_URL|RESULT_BACKEND"
    r"|^EMIS_.*(LOGIN|USER)",
    re.IGNORECASE,
)
# scheme://user:password@host → scheme://********************@host
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#@\s]+@")

# Classes whose instances carry a secret in their attributes (dotted paths,
# so this module imports none of them).
SECRET_CARRIERS = frozenset(
    {
        "integrations.secrets.Secret",
        "emis.models.EmisConnection",
        "emis.client.EmisClient",
        "emis.client.Utf8BasicAuth",
        "requests.auth.AuthBase",
        "cryptography.fernet.Fernet",
        "cryptography.fernet.MultiFernet",
    }
)
_MAX_DEPTH = 4  # how deep containers are searched
_MAX_VISITS = 20_000  # values looked at per report, at most
# Shorter hidden values are not scrubbed from the whole page: a `key` loop
# variable holding "name" would otherwise blank every "name" on it.
_MIN_SCRUB = 6


class _Hidden:
    """Shown in place of an object that carries a secret: its class only."""

    def __init__(self, value: Any):
        self.text = f"<{type(value).__name__}: {SUBSTITUTE}>"

    def __repr__(self) -> str:
        return self.text


def _qualnames(value: Any) -> set[str]:
    return {f"{c.__module__}.{c.__qualname__}" for c in type(value).__mro__}


def carries_secret(value: Any) -> bool:
    """A known secret carrier, a model instance with an encrypted field, or a
    dataclass or named tuple with a field named like a secret (their repr
    shows every field)."""
    if type(value) in (str, bytes, int, float, bool, type(None)):
        return False
    if _qualnames(value) & SECRET_CARRIERS or _secret_fields(value):
        return True
    if isinstance(value, type):
        return False
    if dataclasses.is_dataclass(value):
        names = [f.name for f in dataclasses.fields(value)]
    else:
        names = getattr(type(value), "_fields", None)
        if not isinstance(names, tuple) or not isinstance(value, tuple):
            return False
    return any(isinstance(n, str) and SECRET_NAME.search(n) for n in names)


def _secret_fields(value: Any) -> list[str]:
    meta = getattr(type(value), "_meta", None)
    fields = getattr(meta, "concrete_fields", None)
    if fields is None or isinstance(value, type):
        return []
    return [f.attname for f in fields if getattr(f, "secret", False)]


def mask_url_userinfo(text: str) -> str:
    if type(text) is not str:  # a lazy object passes isinstance(str)
        return text
    return _URL_USERINFO.sub(rf"\1{SUBSTITUTE}@", text)


class SafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = HIDDEN_SETTINGS

    def is_active(self, request) -> bool:
        # Django's filter steps aside when DEBUG is on: exactly when an
        # outsider can read the error page.
        return True

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return mask_url_userinfo(cleansed)
        return cleansed

    def cleanse_value(self, value: Any, depth: int = 0) -> Any:
        """``value`` with secrets found inside it hidden (the same object
        when there is nothing to hide, so the page shows it as before)."""
        if carries_secret(value):
            return _Hidden(value)
        if isinstance(value, str):
            return mask_url_userinfo(value)
        if depth >= _MAX_DEPTH:
            return value
        if isinstance(value, Mapping):
            try:
                items = list(value.items())
            except Exception:  # noqa: BLE001 - a lazy mapping that fails
                return value
            cleansed = {
                k: SUBSTITUTE
                if isinstance(k, str) and SECRET_NAME.search(k)
                else self.cleanse_value(v, depth + 1)
                for k, v in items
            }
            changed = any(cleansed[k] is not v for k, v in items)
            return cleansed if changed else value
        if isinstance(value, list | tuple):
            cleansed = [self.cleanse_value(v, depth + 1) for v in value]
            if any(c is not v for c, v in zip(cleansed, value, strict=True)):
                return (
                    type(value)(cleansed) if type(value) in (list, tuple) else cleansed
                )
        return value

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self._cleanse_variable(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _cleanse_variable(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and value == SUBSTITUTE:
            return value
        if SECRET_NAME.search(name):
            return SUBSTITUTE
        try:
            return self.cleanse_value(value)
        except Exception:  # noqa: BLE001 - cannot look inside: show nothing
            return SUBSTITUTE

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        cleansed = super().get_cleansed_multivaluedict(request, multivaluedict)
        return _hide_secret_keys(cleansed)

    def get_post_parameters(self, request):
        return _hide_secret_keys(super().get_post_parameters(request))


def _hide_secret_keys(querydict):
    names = [k for k in querydict if isinstance(k, str) and SECRET_NAME.search(k)]
    if not names:
        return querydict
    querydict = querydict.copy()
    for name in names:
        querydict[name] = SUBSTITUTE
    return querydict


class SafeExceptionReporter(ExceptionReporter):
    """Django's reporter; what the filter hid is also scrubbed from the rest
    of the report (exception messages, Unicode hints, other frames)."""

    def get_traceback_frames(self):
        frames = super().get_traceback_frames()
        self.hidden_values = _hidden_values(frames) | self._hidden_query_values()
        return frames

    def _hidden_query_values(self) -> set[str]:
        """Secret-named query parameters: their values show in the URL too."""
        query = getattr(self.request, "GET", None)
        found: set[str] = set()
        if query is None:
            return found
        for name, values in query.lists():
            if isinstance(name, str) and SECRET_NAME.search(name):
                for value in values:
                    found |= {value, quote(value), quote_plus(value)}
        return found

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if data.get("unicode_hint") and self._unicode_error_holds_a_secret():
            data["unicode_hint"] = SUBSTITUTE  # a slice of the password
        if self.request is not None:
            data["request_GET_items"] = list(
                _hide_secret_keys(self.request.GET).items()
            )
        return data

    def _unicode_error_holds_a_secret(self) -> bool:
        text = getattr(self.exc_value, "object", None)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):
            return False
        return any(secret in text for secret in getattr(self, "hidden_values", ()))

    def get_traceback_html(self):
        return self._scrub(super().get_traceback_html(), html=True)

    def get_traceback_text(self):
        return self._scrub(super().get_traceback_text(), html=False)

    def _scrub(self, text: str, *, html: bool) -> str:
        from django.utils.html import escape

        for secret in sorted(getattr(self, "hidden_values", ()), key=len, reverse=True):
            forms = {secret, repr(secret)[1:-1]}
            if html:
                forms |= {escape(form) for form in forms}
            for form in forms:
                if len(form) >= _MIN_SCRUB:
                    text = text.replace(form, SUBSTITUTE)
        return text


def _hidden_values(frames: list[dict]) -> set[str]:
    """The raw text of every variable the filter hid or changed, in every
    frame (only its secret parts, unless its name itself looks secret)."""
    found: set[str] = set()
    budget = [_MAX_VISITS]
    for frame in frames:
        tb = frame.get("tb")
        if tb is None:
            continue
        raw = tb.tb_frame.f_locals
        for name, shown in frame.get("vars", ()):
            if name in raw and shown is not raw[name]:
                trusted = bool(SECRET_NAME.search(name))
                _collect(raw[name], found, budget, trusted=trusted, depth=0)
    return found


def _collect(
    value: Any, found: set[str], budget: list[int], *, trusted: bool, depth: int
) -> None:
    """Add the strings inside ``value`` that are secrets: all of them when
    ``trusted`` (the value sits under a secret-looking name), otherwise those
    under secret-looking keys and attributes, decrypted secrets and URL
    userinfo."""
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        return
    try:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            if trusted or carries_secret(value):
                found.add(str(value))
            else:
                found.update(m.group(0) for m in _URL_USERINFO.finditer(value))
            return
        if isinstance(value, Mapping):
            pairs = list(value.items())
        elif isinstance(value, list | tuple | set | frozenset):
            pairs = [("", v) for v in value]
        elif secret_fields := _secret_fields(value):
            pairs = [(name, getattr(value, name, None)) for name in secret_fields]
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            pairs = list(vars(value).items())
        else:
            return
        for key, item in pairs[:1000]:
            named = isinstance(key, str) and bool(SECRET_NAME.search(key))
            _collect(item, found, budget, trusted=trusted or named, depth=depth + 1)
    except Exception:  # noqa: BLE001, S110 - never break the error report
        pass
