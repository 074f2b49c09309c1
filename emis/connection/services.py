"""Writes and checks of the EMIS connection (used by the page and the API).

Secrets arrive as ``None`` (keep the stored one), ``""`` (clear it) or a new
value; they are never compared, logged or put in any history. Two rules keep
a stored password where it belongs:

- it is only ever sent to the stored address: a test or a save with another
  address needs the passwords typed again (``retype_errors``);
- a save that would leave the connection active with a new address, new API
  credentials or newly switched on is first checked against EMIS (the same
  ping as "test connection"); credentials EMIS refuses are not activated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.debug import sensitive_variables

from emis.client import EmisClient
from emis.errors import EmisError
from emis.models import EmisConnection
from integrations.secrets import SecretKeyError, SecretState

from .selectors import PUBLIC_FIELDS, SECRET_FIELDS, secret_states, stored_address
from .validators import credential_errors

logger = logging.getLogger("emis.connection")

REQUIRED_TO_ACTIVATE = (
    "base_url",
    "web_login",
    "web_password",
    "api_login",
    "api_password",
)
# The "active" checkbox's label: the form shows it, messages quote it (one
# source, so a message cannot name a checkbox the page does not have). In
# context: a bare "Active" is the legal entity's too, and Russian says it
# of a стыковка (feminine) and a юрлицо (neuter) differently.
ACTIVE_LABEL = pgettext_lazy("EMIS connection checkbox", "Active")
MSG_REQUIRED = gettext_lazy("Required to activate the integration.")
MSG_UNREADABLE = gettext_lazy(
    "The stored password cannot be decrypted with the current encryption key: "
    "enter it again."
)
MSG_RETYPE = gettext_lazy(
    "The EMIS address has changed: enter this password again. A stored "
    "password is only ever sent to the stored address."
)
MSG_RETYPE_TEST = gettext_lazy(
    "The EMIS address has changed: enter the passwords again. A stored "
    "password is only ever sent to the stored address."
)
MSG_REFUSED = gettext_lazy("EMIS refused the API login or this API password.")
MSG_NOT_ACTIVATED = gettext_lazy(
    "Not saved: EMIS refused the API credentials, so the integration cannot be "
    "activated with them. Correct them, or save with “%(active)s” off."
)
MSG_SAVED_NO_ANSWER = gettext_lazy(
    "Saved, but EMIS did not answer: check the connection later."
)
MSG_SAVED_CHECK_FAILED = gettext_lazy(
    "Saved, but the connection check failed: %(reason)s Check the connection later."
)
# Check failures that say nothing about the values: EMIS did not answer.
_NO_ANSWER = {"timeout", "unreachable"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


@sensitive_variables()
def activation_errors(*, is_active: bool, values: dict[str, str]) -> dict[str, str]:
    """Per-field errors that forbid activation: all five values are needed.

    ``values`` maps each field to its value, or, for a secret, to its
    ``SecretState`` when no new value is given.
    """
    if not is_active:
        return {}
    errors = {}
    for name in REQUIRED_TO_ACTIVATE:
        value = values.get(name) or ""
        if value == SecretState.UNREADABLE and name in SECRET_FIELDS:
            errors[name] = str(MSG_UNREADABLE)
        elif not value or value == SecretState.UNSET:
            errors[name] = str(MSG_REQUIRED)
    return errors


@sensitive_variables()
def resulting_values(
    *, public: dict[str, object], secrets: dict[str, str | None]
) -> dict[str, str]:
    """What the connection would hold: new secrets, or the stored state."""
    states = secret_states()
    values = {k: str(public.get(k) or "") for k in PUBLIC_FIELDS if k != "is_active"}
    for name in SECRET_FIELDS:
        new = secrets.get(name)
        values[name] = states[name] if new is None else new
    return values


def address_key(url: str) -> tuple:
    """What makes two EMIS addresses the same: scheme, host and port (the
    default one filled in), path without its trailing slash, query and any
    user info; scheme and host are case-insensitive."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a malformed port or IPv6 host: compare it as typed
        return ("unparsed", text)
    scheme = parts.scheme.lower()
    return (
        scheme,
        parts.hostname or "",
        port or _DEFAULT_PORTS.get(scheme),
        parts.path.rstrip("/"),
        parts.query,
        parts.username,
        parts.password,
    )


def address_changed(base_url: str | None) -> bool:
    """Whether ``base_url`` differs from the stored address (None: it is the
    stored one, as for a test with the address field left empty)."""
    if base_url is None:
        return False
    return address_key(base_url) != address_key(stored_address())


@sensitive_variables()
def retype_check(
    *, base_url: str | None, given: dict[str, str | None]
) -> CheckResult | None:
    """The test's refusal when passwords must be typed again, else None."""
    missing = retype_errors(base_url=base_url, given=given)
    if not missing:
        return None
    return CheckResult(
        ok=False,
        code="password_required",
        message=str(MSG_RETYPE_TEST),
        fields=tuple(missing),
    )


def retype_errors(
    *, base_url: str | None, given: dict[str, str | None]
) -> dict[str, str]:
    """Passwords that must be typed again: the address changed and the
    password is given as None (keep the stored one) while one is stored."""
    if not address_changed(base_url):
        return {}
    states = secret_states()
    return {
        name: str(MSG_RETYPE)
        for name, value in given.items()
        if value is None and states.get(name, SecretState.UNSET) != SecretState.UNSET
    }


@dataclass(frozen=True)
class SaveResult:
    """What a save did. Holds no secret."""

    changed: tuple[str, ...]
    check: CheckResult | None = None  # None: saved without asking EMIS

    @property
    def warning(self) -> str:
        """Non-empty when the values were saved although EMIS could not
        confirm them (it did not answer, or answered something unexpected)."""
        if self.check is None or self.check.ok:
            return ""
        if self.check.code in _NO_ANSWER:
            return str(MSG_SAVED_NO_ANSWER)
        return str(MSG_SAVED_CHECK_FAILED) % {"reason": self.check.message}


@sensitive_variables()
def _save_errors(
    *, public: dict[str, object], secrets: dict[str, str | None]
) -> dict[str, str]:
    """Every per-field reason to refuse the save, before asking EMIS."""
    logins = {"web_login": public["web_login"], "api_login": public["api_login"]}
    errors = credential_errors({**logins, **secrets})
    others = [
        retype_errors(base_url=str(public["base_url"]), given=secrets),
        activation_errors(
            is_active=bool(public["is_active"]),
            values=resulting_values(public=public, secrets=secrets),
        ),
    ]
    for found in others:
        for name, message in found.items():
            errors.setdefault(name, message)
    return errors


def _needs_check(
    current: dict[str, object], public: dict[str, object], api_password: str | None
) -> bool:
    """Ask EMIS first when the result is active and what EMIS judges (the
    address, the API credentials, the switch itself) is new."""
    if not public["is_active"]:
        return False
    return bool(
        not current["is_active"]
        or address_key(str(current["base_url"])) != address_key(str(public["base_url"]))
        or current["api_login"] != public["api_login"]
        or api_password is not None
    )


def _current_public() -> dict[str, object]:
    row = EmisConnection.objects.filter(pk=1).values(*PUBLIC_FIELDS).first()
    return row or {"base_url": "", "web_login": "", "api_login": "", "is_active": False}


@sensitive_variables()
def emis_connection_update(
    *,
    base_url: str,
    web_login: str,
    api_login: str,
    is_active: bool,
    web_password: str | None = None,
    api_password: str | None = None,
    user=None,
) -> SaveResult:
    """Save the connection after the checks above; say what was written and
    how EMIS answered, if it was asked.

    Raises ValidationError (per field) when a value cannot be sent, a changed
    address lacks its passwords, activation lacks a value or EMIS refuses the
    API credentials; SecretKeyError when a new secret cannot be encrypted.
    An EMIS that does not answer does not stop the save (see ``warning``).
    """
    public = {
        "base_url": base_url.strip(),
        "web_login": web_login.strip(),
        "api_login": api_login.strip(),
        "is_active": is_active,
    }
    secrets = {"web_password": web_password, "api_password": api_password}
    errors = _save_errors(public=public, secrets=secrets)
    if errors:
        raise ValidationError(errors)
    check = None
    # Asked outside any transaction: no row is locked while EMIS thinks.
    if _needs_check(_current_public(), public, api_password):
        check = emis_connection_test(
            base_url=str(public["base_url"]),
            api_login=str(public["api_login"]),
            api_password=api_password,
        )
        if check.code == "api_auth_failed":
            logger.warning(
                "emis connection not activated by user=%s: EMIS refused the API "
                "credentials",
                getattr(user, "pk", None),
            )
            raise ValidationError(
                {
                    "api_password": str(MSG_REFUSED),
                    NON_FIELD_ERRORS: str(MSG_NOT_ACTIVATED) % {"active": ACTIVE_LABEL},
                }
            )
    changed = _write(public=public, secrets=secrets)
    # Field names only: the values of secrets never reach a log.
    logger.info(
        "emis connection saved by user=%s fields=%s check=%s",
        getattr(user, "pk", None),
        ",".join(changed) or "-",
        "-" if check is None else (check.code or "ok"),
    )
    return SaveResult(changed=tuple(changed), check=check)


@sensitive_variables()
@transaction.atomic
def _write(*, public: dict[str, object], secrets: dict[str, str | None]) -> list[str]:
    EmisConnection.objects.defer(*SECRET_FIELDS).get_or_create(pk=1)
    current = EmisConnection.objects.filter(pk=1).values(*PUBLIC_FIELDS).get()
    changed = [k for k, v in public.items() if current[k] != v]
    changed += [k for k, v in secrets.items() if v is not None]
    updates = {**public, **{k: v for k, v in secrets.items() if v is not None}}
    EmisConnection.objects.filter(pk=1).update(**updates, updated_at=timezone.now())
    return changed


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    code: str = ""
    # The form or API fields the failure is about (never their values).
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        if self.ok:
            return {"ok": True}
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


@sensitive_variables()
def _stored_secret(name: str) -> str:
    return getattr(EmisConnection.objects.only(name).get(pk=1), name)


@sensitive_variables()
def emis_connection_test(
    *,
    base_url: str | None = None,
    api_login: str | None = None,
    api_password: str | None = None,
) -> CheckResult:
    """Ping EMIS with the given values, the saved ones filling the gaps, so
    unsaved form values can be tried before they are stored. The stored API
    password fills a gap only for the stored address."""
    refused = retype_check(
        base_url=base_url or None, given={"api_password": api_password or None}
    )
    if refused:
        return refused
    saved = EmisConnection.objects.filter(pk=1).values("base_url", "api_login").first()
    saved = saved or {}
    base_url = base_url or saved.get("base_url", "")
    api_login = api_login or saved.get("api_login", "")
    problems = credential_errors({"api_login": api_login, "api_password": api_password})
    if problems:
        return CheckResult(
            ok=False,
            code="bad_request",
            message=next(iter(problems.values())),
            fields=tuple(problems),
        )
    if not api_password and secret_states()["api_password"] != SecretState.UNSET:
        try:
            api_password = _stored_secret("api_password")
        except SecretKeyError:
            return _failure(EmisError("secrets_unreadable"))
    if not (base_url and api_login and api_password):
        return CheckResult(
            ok=False,
            code="incomplete",
            message=_("Enter the EMIS address, API login and API password first."),
        )
    client = EmisClient(  # the admin's request waits: fit the request budget
        base_url=base_url,
        api_login=api_login,
        api_password=api_password,
        budget=settings.EMIS_REQUEST_BUDGET,
    )
    try:
        answer = client.ping()
    except EmisError as exc:
        return _failure(exc)
    version = str(answer.get("api_version", "?"))
    return CheckResult(
        ok=True,
        message=_("Connection OK: EMIS answered (API version %(version)s).")
        % {"version": version},
    )


def _failure(exc: EmisError) -> CheckResult:
    return CheckResult(ok=False, code=exc.code, message=exc.message)
