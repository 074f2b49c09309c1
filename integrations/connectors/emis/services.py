"""Writes and checks of the EMIS connection (used by the page and the API).

Secrets arrive as ``None`` (keep the stored one), ``""`` (clear it) or a new
value; they are never compared, logged or put in any history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emis.client import EmisClient
from emis.errors import EmisError
from integrations.secrets import SecretKeyError, SecretState

from .models import EmisConnection
from .selectors import PUBLIC_FIELDS, SECRET_FIELDS, secret_states

logger = logging.getLogger("integrations.emis")

REQUIRED_TO_ACTIVATE = (
    "base_url",
    "web_login",
    "web_password",
    "api_login",
    "api_password",
)
MSG_REQUIRED = gettext_lazy("Required to activate the integration.")
MSG_UNREADABLE = gettext_lazy(
    "The stored password cannot be decrypted with the current encryption key: "
    "enter it again."
)


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


@transaction.atomic
def emis_connection_update(
    *,
    base_url: str,
    web_login: str,
    api_login: str,
    is_active: bool,
    web_password: str | None = None,
    api_password: str | None = None,
    user=None,
) -> list[str]:
    """Save the connection; return the names of the fields written.

    Raises ValidationError (per field) when activation lacks a value, and
    SecretKeyError when a new secret cannot be encrypted (malformed key).
    """
    public = {
        "base_url": base_url.strip(),
        "web_login": web_login.strip(),
        "api_login": api_login.strip(),
        "is_active": is_active,
    }
    secrets = {"web_password": web_password, "api_password": api_password}
    errors = activation_errors(
        is_active=is_active, values=resulting_values(public=public, secrets=secrets)
    )
    if errors:
        raise ValidationError(errors)
    EmisConnection.objects.defer(*SECRET_FIELDS).get_or_create(pk=1)
    current = EmisConnection.objects.filter(pk=1).values(*PUBLIC_FIELDS).get()
    changed = [k for k, v in public.items() if current[k] != v]
    changed += [k for k, v in secrets.items() if v is not None]
    updates = {**public, **{k: v for k, v in secrets.items() if v is not None}}
    EmisConnection.objects.filter(pk=1).update(**updates, updated_at=timezone.now())
    # Field names only: the values of secrets never reach a log.
    logger.info(
        "emis connection saved by user=%s fields=%s",
        getattr(user, "pk", None),
        ",".join(changed) or "-",
    )
    return changed


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    code: str = ""

    def as_dict(self) -> dict:
        if self.ok:
            return {"ok": True}
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


def _stored_secret(name: str) -> str:
    return getattr(EmisConnection.objects.only(name).get(pk=1), name)


def emis_connection_test(
    *,
    base_url: str | None = None,
    api_login: str | None = None,
    api_password: str | None = None,
) -> CheckResult:
    """Ping EMIS with the given values, the saved ones filling the gaps, so
    unsaved form values can be tried before they are stored."""
    saved = EmisConnection.objects.filter(pk=1).values("base_url", "api_login").first()
    saved = saved or {}
    base_url = base_url or saved.get("base_url", "")
    api_login = api_login or saved.get("api_login", "")
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
    client = EmisClient(
        base_url=base_url, api_login=api_login, api_password=api_password
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
