"""The guest page by person ID (an alias leads to the survivor) and the
admin's merge of duplicate persons: a confirmation page, then a POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from personal_data.access_log import Kind, record_accesses
from pms.ids import parse_id
from pms.roles import Role, role_required

from .aliases import person_id_resolve
from .duplicates import person_duplicates
from .models import Person, Stay
from .services import MergeRefused, merge_refusal, person_merge


def person_url(person_id: int) -> str:
    return reverse("reservations:person", args=[person_id])


@role_required(Role.FRONT_DESK)
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """The card of the person's latest stay; for a merged person's ID, the
    survivor's; without a stay, the person's history."""
    survivor = person_id_resolve(person_id)
    stay = (
        Stay.objects.filter(person_id=survivor)
        .order_by("-reservation__arrival", "-pk")
        .first()
    )
    if stay is not None:
        return redirect(stay)
    if not Person.objects.filter(pk=survivor).exists():
        raise Http404
    return redirect("reservations:person_history", survivor)


@role_required(Role.ADMIN)
def person_merge_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET: what merging ``person_id`` into ``?into=`` will do, and why it
    cannot when it cannot. POST (the confirmation's button): merge."""
    data = request.POST if request.method == "POST" else request.GET
    raw_into = data.get("into", "")
    if not raw_into:
        return _page(request, person_id, None, _("Choose the person to merge into."))
    into_id = parse_id(raw_into)
    if into_id is None:  # "-1", a word, past 64 bits: an ID no person has
        return _page(request, person_id, None, _("No such person."))
    if request.method == "POST":
        try:
            survivor = person_merge(person_id=person_id, into_id=into_id, user=request.user)
        except (MergeRefused, ValidationError, Person.DoesNotExist) as exc:
            return _page(request, person_id, into_id, _reason(exc))
        messages.success(
            request,
            _("Person ID %(id)s was merged into person ID %(into)s.")
            % {"id": person_id, "into": survivor.pk},
        )
        return redirect(person_url(survivor.pk))
    try:
        refusal = merge_refusal(person_id=person_id, into_id=into_id)
    except (ValidationError, Person.DoesNotExist) as exc:
        refusal = exc
    return _page(request, person_id, into_id, _reason(refusal) if refusal else "")


def _reason(exc: Exception) -> str:
    if isinstance(exc, MergeRefused):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("No such person.")


def _page(request, person_id: int, into_id: int | None, refusal: str) -> HttpResponse:
    persons = (
        Person.objects.annotate(stay_count=Count("stays"))
        .select_related("migration_card")
        .prefetch_related("documents", "visas")
        .in_bulk([pk for pk in (person_id, into_id) if pk is not None])
    )
    merged, survivor = persons.get(person_id), persons.get(into_id)
    record_accesses(request, persons, Kind.MERGE)  # both cards side by side
    matches = []
    if merged is not None and survivor is not None:
        matches = next(
            (d.matches for d in person_duplicates(person_id) if d.person.pk == into_id),
            [],
        )
    context = {
        "merged": merged,
        "survivor": survivor,
        "merged_id": person_id,
        "into_id": into_id,
        "matches": matches,
        "refusal": refusal,
    }
    return render(
        request,
        "reservations/person_merge.html",
        context,
        status=409 if refusal and request.method == "POST" else 200,
    )

