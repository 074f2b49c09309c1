"""What the guest card's personal-data part needs that the reservations
views do not pass (reservations imports nothing of personal_data): the
person's latest erasure, and whether the reader may export or erase."""

from __future__ import annotations

from django import template

from personal_data.erasure import PLACEHOLDER
from personal_data.selectors import person_erasure_latest
from pms.roles import Role, has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_data_state(context, person) -> dict:
    """The latest erasure of an erased ``person``, and whether the reader
    may export or erase. No query for a profile with a name: only an erased
    one has the placeholder surname (a typed name needs a letter)."""
    request = context.get("request")
    saved = person is not None and person.pk is not None
    erased = saved and person.surname == PLACEHOLDER
    return {
        "erasure": person_erasure_latest(person.pk) if erased else None,
        "can_manage": saved
        and request is not None
        and has_role(request.user, Role.ADMIN),
    }
