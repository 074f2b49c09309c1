"""Reads of the EMIS connection that never decrypt (or return) a secret."""

from __future__ import annotations

from django.conf import settings

from emis.models import EmisConnection
from integrations.secrets import SecretState, raw, secret_state

SECRET_FIELDS = ("web_password", "api_password")
PUBLIC_FIELDS = ("base_url", "web_login", "api_login", "is_active")


def connection_settings() -> EmisConnection:
    """The saved connection with its secrets left unloaded, so it can be
    shown even when the encryption key is wrong (unsaved default if none)."""
    conn = EmisConnection.objects.defer(*SECRET_FIELDS).filter(pk=1).first()
    return conn or EmisConnection(pk=1)


def stored_address() -> str:
    """The saved EMIS address: the only one a stored password may go to."""
    rows = EmisConnection.objects.filter(pk=1).values_list("base_url", flat=True)
    return rows.first() or ""


def secret_states() -> dict[str, str]:
    """``SecretState`` per secret field: set, unset or unreadable."""
    row = (
        EmisConnection.objects.filter(pk=1)
        .annotate(**{f"raw_{name}": raw(name) for name in SECRET_FIELDS})
        .values(*(f"raw_{name}" for name in SECRET_FIELDS))
        .first()
    ) or {}
    return {name: secret_state(row.get(f"raw_{name}")) for name in SECRET_FIELDS}


def secrets_unreadable() -> bool:
    return SecretState.UNREADABLE in secret_states().values()


def form_action_urls() -> list[str]:
    """The saved EMIS address, for the pages' CSP ``form-action``: the guest
    card's upload form posts to our URL, which redirects there."""
    address = stored_address()
    return [address] if address else []


def connection_is_active() -> bool:
    return EmisConnection.objects.filter(pk=1, is_active=True).exists()


def webhook_url() -> str:
    """The address EMIS must send its webhooks to (told to EMIS by e-mail)."""
    base = getattr(settings, "PMS_PUBLIC_URL", "").rstrip("/")
    return f"{base}/api/v1/emis/webhook/"
