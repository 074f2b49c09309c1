"""The EMIS entry of the integrations registry (registered in apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emis.errors import EmisError
from integrations.registry import Connector, ConnectorAction

from .selectors import connection_is_active, secrets_unreadable


def problem() -> str:
    if secrets_unreadable():
        return _(
            "The stored passwords cannot be decrypted with the current "
            "encryption key (PMS_ENCRYPTION_KEYS). Put the old key back after "
            "the new one, or enter the passwords again."
        )
    return ""


def error_message(code: str) -> str | None:
    try:
        return EmisError(code).message
    except ValueError:  # a code from an older version of the client
        return None


CONNECTOR = Connector(
    slug="emis",
    name=gettext_lazy("EMIS Service"),
    urls="emis.connection.urls",
    api_urls="emis.connection.api",
    is_active=connection_is_active,
    problem=problem,
    error_message=error_message,
    actions=[ConnectorAction(gettext_lazy("Sync now"), "emis:sync_now")],
)
