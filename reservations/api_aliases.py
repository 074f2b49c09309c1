"""What every person URL of the API answers for a merged person's ID (an
alias): a redirect to the same URL of the survivor."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from pms.api import Moved

from .aliases import person_id_resolve
from .models import Person


def raise_if_alias(request: Request, person_id: int, route: str) -> None:
    """Moved (301/308) to the survivor's ``route`` when ``person_id`` is a
    merged person's ID; nothing otherwise."""
    survivor = person_id_resolve(person_id)
    if survivor == person_id:
        return
    location = reverse(route, kwargs={"person_id": survivor})
    if request.META.get("QUERY_STRING"):
        location += "?" + request.META["QUERY_STRING"]
    message = _("Person ID %(id)s was merged into person ID %(into)s.") % {
        "id": person_id,
        "into": survivor,
    }
    raise Moved(
        location=location,
        method=request.method,
        detail={"detail": message, "person_id": survivor},
    )


def person_or_moved(request: Request, person_id: int, route: str) -> None:
    """404 for an unknown ID, a redirect for an alias, else nothing."""
    if not Person.objects.filter(pk=person_id).exists():
        raise_if_alias(request, person_id, route)
        raise NotFound
