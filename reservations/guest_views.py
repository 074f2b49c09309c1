"""The guest profile page (new and existing guest), attaching a returning
guest, and a person's change history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import (
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pms.masking import mask_number, mask_text
from pms.roles import Role, can_see_document_numbers, has_role, role_required

from . import history
from .aliases import person_id_resolve
from .duplicates import duplicates_of
from .guest_forms import GuestProfileForms
from .models import (
    Person,
    PersonChange,
    Reservation,
    Stay,
)
from .selectors import next_stay_id, person_history, person_search, stay_detail
from .services import guest_add, guest_attach, guest_update
from .views import card_url


def _reservation_or_404(pk: int) -> Reservation:
    return get_object_or_404(Reservation.objects.select_related("legal_entity"), pk=pk)


def _saved(request: HttpRequest, stay: Stay) -> HttpResponse:
    url = stay.get_absolute_url()
    if "_emis" in request.POST:
        # The EMIS dialog opens itself on ?emis=1, now that the guest exists.
        return redirect(f"{url}?emis=1")
    messages.success(
        request, _("Guest saved. Person ID: %(id)s.") % {"id": stay.person_id}
    )
    return redirect(url)


@role_required(Role.FRONT_DESK)
def guest_new(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _reservation_or_404(pk)
    forms = GuestProfileForms(
        data=request.POST or None, person=None, stay=None, reservation=reservation
    )
    if request.method == "POST" and forms.is_valid():
        stay = guest_add(
            reservation=reservation,
            person_values=forms.new_person_values(),
            stay_values=forms.new_stay_values(),
            records=forms.record_edits(),
            user=request.user,
        )
        return _saved(request, stay)
    query = request.GET.get("q", "").strip()
    context = {
        "forms": forms,
        "reservation": reservation,
        "person": None,
        "stay": None,
        "query": query,
        "matches": person_search(query=query, exclude_reservation_id=pk),
    }
    return render(request, "reservations/guest.html", context)


def _stay_or_404(pk: int, stay_id: int) -> Stay:
    try:
        return stay_detail(reservation_id=pk, stay_id=stay_id)
    except Stay.DoesNotExist as exc:
        raise Http404 from exc


def _guest_forms(stay: Stay, data=None) -> GuestProfileForms:
    return GuestProfileForms(
        data=data, person=stay.person, stay=stay, reservation=stay.reservation
    )


@role_required(Role.FRONT_DESK)
def guest_edit(request: HttpRequest, pk: int, stay_id: int) -> HttpResponse:
    stay = _stay_or_404(pk, stay_id)
    forms = _guest_forms(stay, request.POST or None)
    conflicts: list = []
    if request.method == "POST" and forms.is_valid():
        # Saved over a newer version: only this user's changes are written,
        # so a field someone else changed meanwhile is overwritten only when
        # this user changed it too — then nothing is saved yet and the page
        # shows both values (the save after that keeps the user's).
        conflicts = forms.conflicts() if forms.is_stale() else []
        if not conflicts:
            guest_update(
                stay=stay,
                person_values=forms.person.changed_values(),
                stay_values=forms.stay.changed_values(),
                records=forms.record_edits(),
                user=request.user,
            )
            return _saved(request, stay)
        forms = _rebased(forms, stay)
    return _guest_page(request, stay, forms, conflicts)


@require_POST
@role_required(Role.FRONT_DESK)
def guest_refresh(request: HttpRequest, pk: int, stay_id: int) -> HttpResponse:
    """The card again, as stored now, with everything the user typed and has
    not saved kept (posted by htmx when EMIS data arrives, or by "Обновить
    карточку"): no reload loses typing."""
    stay = _stay_or_404(pk, stay_id)
    forms = _guest_forms(stay, request.POST)
    conflicts = forms.conflicts()
    return _guest_page(request, stay, _rebased(forms, stay), conflicts)


def _rebased(forms: GuestProfileForms, stay: Stay) -> GuestProfileForms:
    untouched = forms.untouched_records()
    rebased = _guest_forms(stay, forms.rebased_data())
    rebased.show_stored(untouched, stay.person)
    return rebased


def _guest_page(
    request: HttpRequest, stay: Stay, forms: GuestProfileForms, conflicts: list
) -> HttpResponse:
    context = {
        "forms": forms,
        "reservation": stay.reservation,
        "person": stay.person,
        "stay": stay,
        "history": history_rows(stay.person_id, request.user),
        "conflicts": conflicts,
        "arrived": request.POST.get("_arrived") == "1",
        "next_stay_id": next_stay_id(stay=stay),
        # A save that did not go through says so at the top, whatever the
        # reason (a field's error, a record deleted meanwhile).
        "not_saved": request.method == "POST"
        and request.resolver_match.url_name == "guest",
        # The documents are prefetched: one query for the other holders.
        "duplicates": duplicates_of(stay.person.documents.all()).get(stay.person_id, []),
        "can_merge": has_role(request.user, Role.ADMIN),
    }
    return render(request, "reservations/guest.html", context)


@require_POST
@role_required(Role.FRONT_DESK)
def guest_attach_view(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _reservation_or_404(pk)
    person = get_object_or_404(Person, pk=request.POST.get("person_id") or 0)
    try:
        stay = guest_attach(reservation=reservation, person=person, user=request.user)
    except ValidationError:
        messages.error(request, _("This person is already a guest of the reservation."))
        return redirect(card_url(pk, "guests"))
    messages.success(
        request,
        _("Guest added with their existing person ID %(id)s.") % {"id": person.pk},
    )
    return redirect(stay)


def person_history_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Read-only history; support sees it too, with numbers masked."""
    user = request.user
    if not (has_role(user, Role.FRONT_DESK) or has_role(user, Role.SUPPORT)):
        raise PermissionDenied
    survivor = person_id_resolve(person_id)
    if survivor != person_id:  # a merged person's ID: their history is there
        return redirect("reservations:person_history", survivor)
    person = get_object_or_404(Person, pk=person_id)
    context = {"person": person, "history": history_rows(person.pk, user)}
    return render(request, "reservations/person_history.html", context)


# --- History rows -------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    field: str
    old: str
    new: str
    source: str
    user: str
    created_at: datetime


# Person fields without a verbose name of their own.
_EXTRA_LABELS = {
    "transliterated_parts": gettext_lazy("names to check (transliterated)"),
    history.MERGED_ID_FIELD: gettext_lazy("person ID (duplicates merged)"),
}


@dataclass(frozen=True)
class _FieldRef:
    model: type[models.Model] | None
    name: str
    title: str  # which record: "Паспорт … 4510 ****56", "" for the person

    @property
    def model_field(self):
        try:
            field = self.model._meta.get_field(self.name) if self.model else None
        except FieldDoesNotExist:
            return None
        return field if getattr(field, "concrete", False) else None  # not a relation

    def label(self) -> str:
        field = self.model_field
        label = _EXTRA_LABELS.get(self.name) or (
            field.verbose_name if field else self.name
        )
        return f"{self.title}: {label}" if self.title else str(capfirst(label))

    def display(self, value: str) -> str:
        """A stored code ("M", "passport_rf") as its label ("Мужской")."""
        field = self.model_field
        if value and field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return value


def history_rows(person_id: int, user) -> list[HistoryRow]:
    see_numbers = can_see_document_numbers(user)
    sources = dict(PersonChange.Source.choices)
    rows = []
    changes = person_history(person_id=person_id)
    titles = history.record_titles(changes)  # one title per record
    for change in changes:
        model = history.ENTITY_MODELS.get(change.entity)
        ref = _FieldRef(model, change.field, titles[change.pk])
        old, new = ref.display(change.old_value), ref.display(change.new_value)
        label = ref.label()
        if not see_numbers:
            label = mask_text(label)  # another writer may key rows by number
            if change.sensitive:
                old, new = mask_number(old), mask_number(new)
        rows.append(
            HistoryRow(
                field=label,
                old=old,
                new=new,
                source=str(sources.get(change.source, change.source)),
                user=change.user.get_username() if change.user else "",
                created_at=change.created_at,
            )
        )
    return rows
