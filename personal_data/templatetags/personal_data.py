"""Template helpers of personal data: the masked document number, the
guest card's last reads, and what the card's personal-data part needs that
the reservations views do not pass (reservations imports nothing of
personal_data): the person's erasures, and whether the reader may export
or erase."""

from __future__ import annotations

from django import template

from personal_data.selectors import (
    PLACEHOLDER,
    person_erasures,
    person_holds_personal_data,
)
from pms.masking import mask_document, mask_number
from pms.roles import Role, has_role

from ..access_log import person_last_reads as _last_reads
from ..models import PersonalDataAccess

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    """A document number as lists show it, to every role: the last two
    characters (``pms.masking.mask_number``, the one masking rule)."""
    return mask_number(value)


@register.filter
def masked_document(record) -> str:
    """A document's, visa's or migration card's series and number as lists
    show them, to every role: masked as one (``pms.masking.mask_document``)."""
    return mask_document(record.series, record.number)


@register.simple_tag
def person_last_reads(person_id: int) -> list[PersonalDataAccess]:
    return _last_reads(person_id=person_id)


@register.simple_tag(takes_context=True)
def personal_data_state(context, person) -> dict:
    """The erasures of an erased ``person`` (oldest first), whether the
    reader may export or erase, and whether anything is left to erase. No
    query for a profile with a name: only an erased one has the placeholder
    surname (a typed name needs a letter)."""
    request = context.get("request")
    saved = person is not None and person.pk is not None
    erased = saved and person.surname == PLACEHOLDER
    can_manage = saved and request is not None and has_role(request.user, Role.ADMIN)
    return {
        "erasures": person_erasures(person.pk) if erased else [],
        "can_manage": can_manage,
        "can_erase": can_manage
        and (not erased or person_holds_personal_data(person.pk)),
    }
