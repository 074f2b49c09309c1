"""Template helpers of personal data: the masked document number and the
guest card's last reads."""

from __future__ import annotations

from django import template

from pms.masking import mask_number

from ..access_log import person_last_reads as _last_reads
from ..models import PersonalDataAccess

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    """A document number as lists show it, to every role: the last two
    characters (``pms.masking.mask_number``, the one masking rule)."""
    return mask_number(value)


@register.simple_tag
def person_last_reads(person_id: int) -> list[PersonalDataAccess]:
    return _last_reads(person_id=person_id)
