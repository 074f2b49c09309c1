"""Which guests the PMS may exchange with EMIS under which legal entity.

EMIS files arrival notifications per legal entity, so a pull or an upload
link names one. It must be an active legal entity, and the person must have
a stay in one of its reservations (in the given reservation, when one is
named): otherwise documents of one hotel's guest would travel under another
legal entity's EMIS account. One check, used by the page, the API and the
worker alike, so they can never disagree.

Nor may EMIS fill again a profile whose personal data was erased
(``personal_data``): the guest's next visit — a stay ending after the
erasure — is a new lawful processing, EMIS's old data for them is not.
"""

from __future__ import annotations

from django.db.models import Exists
from django.utils.translation import gettext as _

from legal_entities.models import LegalEntity
from personal_data.selectors import erased_and_not_back
from reservations.models import Person, Reservation, Stay

INACTIVE = "legal_entity_inactive"
NO_STAY = "no_stay_with_legal_entity"
ERASED = "person_data_erased"
CODES = (INACTIVE, NO_STAY, ERASED)
_STATUS = {INACTIVE: 403, NO_STAY: 400, ERASED: 409}
# The REST API's statuses (issue 14): there a legal entity named in the body
# is a rule of the request, inactive as unknown: 400. The pages keep 403.
_API_STATUS = {INACTIVE: 400, NO_STAY: 400, ERASED: 409}


class ScopeError(ValueError):
    """The named legal entity does not cover this person. ``http_status`` is
    403 for an inactive legal entity (as the contract answers an inactive
    integration), 400 when the person has no stay with it, 409 when their
    personal data was erased and they have not come again since."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        self.http_status = _STATUS[code]
        super().__init__(message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    @property
    def api_status(self) -> int:
        return _API_STATUS[self.code]

    def as_api_error(self) -> dict[str, str]:
        """The API's error shape (``{"detail", "code"}``, pms/openapi.py)."""
        return {"detail": self.message, "code": self.code}


def scope_message(code: str, legal_entity: LegalEntity) -> str:
    """The plain words for ``code``, in the current language."""
    if code == INACTIVE:
        return _("The legal entity “%(name)s” (ID %(id)s) is not active.") % {
            "name": legal_entity.name,
            "id": legal_entity.pk,
        }
    if code == ERASED:
        return _(
            "The guest's personal data was erased and they have no stay since: "
            "EMIS data for them is not taken until they come again."
        )
    return _(
        "The guest has no stay in a reservation of the legal entity "
        "“%(name)s” (ID %(id)s)."
    ) % {"name": legal_entity.name, "id": legal_entity.pk}


def person_scope_check(
    *,
    person_id: int,
    legal_entity: LegalEntity,
    reservation: Reservation | None = None,
) -> None:
    """Raise ``ScopeError`` unless ``legal_entity`` is active, the person
    has a stay in its reservations (in ``reservation``, when given) and
    their data was not erased since their last stay."""
    if not legal_entity.is_active:
        raise ScopeError(INACTIVE, scope_message(INACTIVE, legal_entity))
    stays = Stay.objects.filter(
        person_id=person_id, reservation__legal_entity_id=legal_entity.pk
    )
    if reservation is not None:
        stays = stays.filter(reservation_id=reservation.pk)
    # Both in one query: the webhook pays nothing for the erasure rule.
    has_stay, erased = (
        Person.objects.filter(pk=person_id)
        .annotate(has_stay=Exists(stays), erased=erased_and_not_back())
        .values_list("has_stay", "erased")
        .first()
    ) or (False, False)
    if not has_stay:
        raise ScopeError(NO_STAY, scope_message(NO_STAY, legal_entity))
    if erased:
        raise ScopeError(ERASED, scope_message(ERASED, legal_entity))
