"""The "Загрузить новые документы" link: a one-time EMIS web session for one
person, asked for on every click and recorded as an ``UploadLinkClick``.

The web credentials travel from this server to EMIS only; the operator's
browser gets nothing but EMIS's single-use URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from integrations.connectors.emis.models import EmisConnection
from legal_entities.models import LegalEntity
from reservations.models import Person, Reservation

from .client import EmisClient
from .errors import EmisError
from .models import UploadLinkClick

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


def _checked(session: dict) -> UploadLink:
    url = session.get("url") if isinstance(session, dict) else None
    # We redirect the operator's browser to this URL: accept only an
    # absolute http(s) address, never a script or relative URL.
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise EmisError("bad_response", detail="web session without an http(s) url")
    if not urlsplit(url).netloc:
        raise EmisError("bad_response", detail="web session url has no host")
    return UploadLink(url=url, expires_at=str(session.get("expires_at") or ""))


def _ask_emis(
    *, person: Person, legal_entity: LegalEntity, reservation: Reservation | None
) -> UploadLink:
    session = EmisClient.from_connection().create_web_session(
        legal_entity_id=legal_entity.pk,
        person_id=person.pk,
        reservation_id=reservation.pk if reservation else None,
        hint=_hint(person),
    )
    return _checked(session)


def upload_link_create(
    *,
    person: Person,
    legal_entity: LegalEntity,
    reservation: Reservation | None = None,
    user=None,
) -> UploadLink:
    """Ask EMIS for a fresh upload URL; record the click whatever happens.

    Raises ``EmisError`` when EMIS refuses, is down or is not configured.
    """
    ok, error_code = False, "internal_error"
    try:
        link = _ask_emis(
            person=person, legal_entity=legal_entity, reservation=reservation
        )
        ok, error_code = True, ""
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
            ok=ok,
            error_code=error_code,
        )


def _record(*, person, legal_entity, reservation, user, ok: bool, error_code: str):
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


def error_http_status(error: EmisError) -> int:
    """503 while EMIS (or our integration) is unavailable and a retry may
    help; 502 when EMIS answered but refused or broke the contract."""
    if error.code in _OUR_SIDE or not error.permanent:
        return 503
    return 502
