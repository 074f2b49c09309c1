"""What the guest card's personal-data part needs that the reservations
views do not pass (reservations imports nothing of personal_data): the
person's latest erasure, and whether the reader may export or erase."""

from __future__ import annotations

from django import template

from personal_data.selectors import person_erasure_latest
from pms.roles import Role, has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_data_state(context, person) -> dict:
    """One query: the latest erasure of ``person`` (None if never)."""
    request = context.get("request")
    saved = person is not None and person.pk is not None
    return {
        "erasure": person_erasure_latest(person.pk) if saved else None,
        "can_manage": saved
        and request is not None
        and has_role(request.user, Role.ADMIN),
    }
