"""The "Загрузить новые документы" link: a one-time EMIS web session for one
person, asked for on every click and recorded as an ``UploadLinkClick``.

The web credentials travel from this server to EMIS only; the operator's
browser gets nothing but EMIS's single-use URL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from integrations.services import connector_call_record
from legal_entities.models import LegalEntity
from reservations.models import Person, Reservation

from .client import CONNECTOR, EmisClient
from .errors import EmisError
from .models import EmisConnection, UploadLinkClick
from .scope import person_scope_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadLink:
    url: str
    expires_at: str


def integration_active() -> bool:
    """Whether the EMIS connection is switched on, read without decrypting
    its passwords (a missing encryption key must not break the guest card)."""
    flags = EmisConnection.objects.filter(pk=1).values_list("is_active", flat=True)
    return bool(flags.first())


def _hint(person: Person) -> dict[str, str | None]:
    # Lets EMIS prefill its form; only what the operator already typed.
    return {
        "surname": person.surname or None,
        "given_names": person.given_names or None,
    }


_DEFAULT_PORTS = {"http": 80, "https": 443}
# Only what a browser and urlsplit read alike: no user info, no backslash, no
# percent-encoding or non-ASCII that a browser would normalise differently.
_NETLOC = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in, or None when a
    browser might read the address differently from us."""
    if _UNSAFE.search(url):
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not _NETLOC.fullmatch(parts.netloc):
        return None
    try:
        port = parts.port
    except ValueError:  # out of range
        return None
    if not parts.hostname:
        return None
    return scheme, parts.hostname, _DEFAULT_PORTS[scheme] if port is None else port


def _shown(origin: tuple[str, str, int] | None) -> str:
    # Scheme, host and port only: the path and query are the credential.
    if origin is None:
        return "a malformed address"
    return "{}://{}:{}".format(*origin)


def _checked(session: dict, *, base_url: str) -> UploadLink:
    """Pin EMIS's one-time URL to the configured EMIS address: the operator's
    browser is sent there, so another scheme, host or port is refused."""
    url = session.get("url") if isinstance(session, dict) else None
    origin = _origin(url) if isinstance(url, str) else None
    if origin is None or origin != _origin(base_url):
        _record_bad_answer(foreign=_shown(origin))
        raise EmisError(
            "emis_bad_answer", detail="web session url off the configured address"
        )
    return UploadLink(url=url, expires_at=str(session.get("expires_at") or ""))


def _record_bad_answer(*, foreign: str) -> None:
    """Leave the refused answer in the call log (Разное → Стыковки shows it as
    the last error). The client logged the call itself as a success: EMIS
    did answer 201, it is the content we refuse."""
    logger.warning("emis web session url refused: points to %s", foreign)
    connector_call_record(
        connector=CONNECTOR,
        operation="web_session_url",
        ok=False,
        http_status=201,
        error_code="emis_bad_answer",
        error_message=f"upload URL points to {foreign}"[:500],
    )


def _ask_emis(
    *, person: Person, legal_entity: LegalEntity, reservation: Reservation | None
) -> UploadLink:
    # The clerk's request waits for this call: it fits the request budget.
    client = EmisClient.from_connection(budget=settings.EMIS_REQUEST_BUDGET)
    session = client.create_web_session(
        legal_entity_id=legal_entity.pk,
        person_id=person.pk,
        reservation_id=reservation.pk if reservation else None,
        hint=_hint(person),
    )
    return _checked(session, base_url=client.base_url)


def upload_link_create(
    *,
    person: Person,
    legal_entity: LegalEntity,
    reservation: Reservation | None = None,
    user=None,
) -> UploadLink:
    """Ask EMIS for a fresh upload URL; record the click whatever happens.

    Raises ``ScopeError`` (nothing asked, no click) when the legal entity is
    inactive or the person has no stay with it, ``EmisError`` when EMIS
    refuses, is down, is not configured or names a URL off its address.
    """
    person_scope_check(
        person_id=person.pk, legal_entity=legal_entity, reservation=reservation
    )
    error_code = "internal_error"
    try:
        link = _ask_emis(
            person=person, legal_entity=legal_entity, reservation=reservation
        )
        error_code = ""
        return link
    except EmisError as exc:
        error_code = exc.code
        raise
    finally:
        _record(
            person=person,
            legal_entity=legal_entity,
            reservation=reservation,
            user=user,
            error_code=error_code,
        )


def _record(*, person, legal_entity, reservation, user, error_code: str) -> None:
    # A click succeeded when it has no error code: one value says both.
    ok = not error_code
    UploadLinkClick.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        person=person,
        legal_entity=legal_entity,
        reservation=reservation,
        ok=ok,
        error_code=error_code,
    )
    # The URL itself is a one-time credential: never logged.
    logger.info(
        "emis upload link person_id=%s legal_entity_id=%s ok=%s error=%s",
        person.pk,
        legal_entity.pk,
        ok,
        error_code or "-",
    )


# Permanent, but a problem of this PMS's own setup, not of EMIS's answer.
_OUR_SIDE = {"not_configured", "secrets_unreadable"}


# Failures a retry from the guest card cannot fix: the clerk is sent to an
# administrator instead of being offered "Try again".
_ADMIN_NEEDED = {
    "api_auth_failed",
    "web_auth_failed",
    "emis_bad_answer",
    "not_configured",
    "secrets_unreadable",
}
_CLERK_MESSAGES = {
    "web_auth_failed": _(
        "EMIS does not accept the web login; ask your administrator to check "
        "Misc → Integrations"
    ),
    "rate_limited": _(
        "EMIS asks to slow down: too many requests right now. Try again in a "
        "minute."
    ),
}


def clerk_message(error: EmisError) -> str:
    """What the clerk reads on the upload error page."""
    return str(_CLERK_MESSAGES.get(error.code, error.message))


def clerk_may_retry(error: EmisError) -> bool:
    return error.code not in _ADMIN_NEEDED


def error_http_status(error: EmisError) -> int:
    """503 while EMIS (or our integration) is unavailable and a retry may
    help; 502 when EMIS answered but refused or broke the contract."""
    if error.code in _OUR_SIDE or not error.permanent:
        return 503
    return 502
