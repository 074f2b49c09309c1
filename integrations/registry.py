"""The connectors this PMS knows, as code (like Django's app registry).

A connector package registers one ``Connector`` from its AppConfig.ready();
the integrations page, its URLs and the REST API are built from this list, so
adding a connector touches no shared module (see integrations/README.md).

Other modules add status lines to a connector's row without editing it:
``add_status_provider("emis", my_callable)`` from their own ready(); the
callable takes no argument and returns ``StatusLine``s (or plain strings).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger("integrations")


@dataclass(frozen=True)
class StatusLine:
    text: str
    level: str = ""  # "", "ok", "warn" or "err": the badge colour


StatusProvider = Callable[[], Iterable["StatusLine | str"]]


@dataclass(frozen=True)
class ConnectorAction:
    """A button on the connector's row that POSTs to ``url_name`` (shown
    while the connector is active). Its view answers an htmx request with a
    fragment for the row (e.g. a job's progress), a plain POST with a
    redirect back to the list."""

    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class ConnectorState:
    active: bool
    last_success_at: dt.datetime | None = None
    last_error: str = ""  # plain words, "" when no call ever failed
    last_error_at: dt.datetime | None = None
    # A configuration problem found without calling out (e.g. stored secrets
    # that the current encryption key cannot read), in plain words.
    problem: str = ""
    lines: list[StatusLine] = field(default_factory=list)

    @property
    def error_is_current(self) -> bool:
        """The last call failed (no success since the last error)."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_error_at > self.last_success_at


@dataclass
class Connector:
    """What a connector package declares.

    - ``is_active`` answers without decrypting anything and must not raise.
    - ``problem`` returns a configuration problem in plain words, or "".
    - ``error_message`` turns a stored error code into the current language's
      plain words (None: show the stored English text).
    - ``urls`` / ``api_urls``: dotted modules included under
      ``/integrations/<slug>/`` and ``/api/v1/integrations/<slug>/``.
    - ``actions``: buttons on the row, such as "Синхронизировать сейчас".
    """

    slug: str
    name: str
    urls: str
    api_urls: str
    is_active: Callable[[], bool]
    problem: Callable[[], str] = lambda: ""
    error_message: Callable[[str], str | None] = lambda code: None
    edit_url_name: str = "edit"
    status_providers: list[StatusProvider] = field(default_factory=list)
    actions: list[ConnectorAction] = field(default_factory=list)

    @property
    def edit_url(self) -> str:
        return reverse(f"integrations:{self.slug}:{self.edit_url_name}")

    def state(self) -> ConnectorState:
        return connector_states([self])[self.slug]

    def status_lines(self) -> list[StatusLine]:
        lines: list[StatusLine] = []
        for provider in self.status_providers:
            try:
                produced = list(provider())
            except Exception:  # a broken provider must not break the page
                logger.exception("status provider of %s failed", self.slug)
                produced = [StatusLine(_("Status unavailable"), "warn")]
            lines.extend(_as_line(p) for p in produced)
        return lines


def _as_line(item: StatusLine | Mapping | str) -> StatusLine:
    if isinstance(item, StatusLine):
        return item
    if isinstance(item, Mapping) and "text" in item:
        return StatusLine(str(item["text"]), str(item.get("level", "")))
    return StatusLine(str(item))


_connectors: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    _connectors[connector.slug] = connector
    return connector


def connectors() -> list[Connector]:
    return list(_connectors.values())


def get(slug: str) -> Connector:
    return _connectors[slug]


def add_status_provider(slug: str, provider: StatusProvider) -> None:
    """Add a status-line callable to a registered connector (idempotent)."""
    providers = _connectors[slug].status_providers
    if provider not in providers:
        providers.append(provider)


def connector_states(items: list[Connector] | None = None) -> dict[str, ConnectorState]:
    """Every connector's state; the call history costs two queries in all."""
    from .selectors import connector_call_summary

    items = connectors() if items is None else items
    summary = connector_call_summary(slugs=[c.slug for c in items])
    states = {}
    for c in items:
        calls = summary.get(c.slug)
        last_error = ""
        if calls and calls.last_error_code:
            last_error = (
                c.error_message(calls.last_error_code) or calls.last_error_message
            )
        states[c.slug] = ConnectorState(
            active=c.is_active(),
            last_success_at=calls.last_success_at if calls else None,
            last_error=last_error,
            last_error_at=calls.last_error_at if calls else None,
            problem=c.problem(),
            lines=c.status_lines(),
        )
    return states
