"""The guest profile page (new and existing guest), attaching a returning
guest, and a person's change history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import (
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from personal_data.access_log import Kind, record_access, record_accesses
from pms.ids import id_or_404
from pms.masking import mask_number, mask_text
from pms.roles import Role, can_see_document_numbers, has_role, role_required
from pms.submissions import Outcome, page_context, submit_once, with_token

from . import history
from .aliases import person_id_resolve
from .checks import StayChecks, stay_checks
from .duplicates import duplicates_of
from .guest_forms import GuestProfileForms
from .models import (
    Person,
    PersonChange,
    Reservation,
    Stay,
)
from .name_scripts import policy_script
from .selectors import next_stay_id, person_history, person_search, stay_detail
from .services import guest_add, guest_attach, guest_update
from .views import card_url


def _reservation_or_404(pk: int) -> Reservation:
    return get_object_or_404(Reservation.objects.select_related("legal_entity"), pk=pk)


def _saved(request: HttpRequest, stay: Stay) -> HttpResponse:
    messages.success(
        request, _("Guest saved. Person ID: %(id)s.") % {"id": stay.person_id}
    )
    return _to_guest(request, stay.get_absolute_url())


def _to_guest(request: HttpRequest, url: str) -> HttpResponse:
    if "_emis" in request.POST:
        # The EMIS dialog opens itself on ?emis=1, now that the guest exists.
        return redirect(f"{url}?emis=1")
    return redirect(url)


@role_required(Role.FRONT_DESK)
def guest_new(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _reservation_or_404(pk)
    if opened := with_token(request):  # this form saves once
        return opened
    forms = GuestProfileForms(
        data=request.POST or None, person=None, stay=None, reservation=reservation
    )
    outcome: Outcome | None = None
    if request.method == "POST" and forms.is_valid():
        saved: list[Stay] = []

        def create() -> str:
            saved.append(
                guest_add(
                    reservation=reservation,
                    person_values=forms.new_person_values(),
                    stay_values=forms.new_stay_values(),
                    records=forms.record_edits(),
                    user=request.user,
                )
            )
            return saved[0].get_absolute_url()

        outcome = submit_once(request, form="guest_new", create=create)
        if outcome.created:  # else Back then Save: no twin, the typing kept
            return _saved(request, saved[0])
    query = request.GET.get("q", "").strip()
    matches = person_search(query=query, reservation_id=pk)
    # The results show birth dates, phones and documents: a read of each.
    record_accesses(request, [p.pk for p in matches], Kind.SEARCH)
    context = {
        "forms": forms,
        "reservation": reservation,
        "person": None,
        "stay": None,
        "query": query,
        "matches": matches,
        # A save refused for its input; a form saved before says so itself.
        "not_saved": request.method == "POST" and outcome is None,
        **page_context(request, outcome),
    }
    return render(request, "reservations/guest.html", context)


def _stay_or_404(pk: int, stay_id: int) -> Stay:
    try:
        return stay_detail(reservation_id=pk, stay_id=stay_id)
    except Stay.DoesNotExist as exc:
        raise Http404 from exc


def _checks(stay: Stay) -> StayChecks:
    script = policy_script(stay.reservation.legal_entity_id)
    return stay_checks(stay, name_script=script)


def _guest_forms(stay: Stay, data=None) -> GuestProfileForms:
    return GuestProfileForms(
        data=data, person=stay.person, stay=stay, reservation=stay.reservation
    )


@role_required(Role.FRONT_DESK)
def guest_edit(request: HttpRequest, pk: int, stay_id: int) -> HttpResponse:
    stay = _stay_or_404(pk, stay_id)
    # Judged as stored, before the posted values are set on the instances.
    checks = _checks(stay)
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
        forms = _rebased(forms, stay, conflicts)
    return _guest_page(request, stay, forms, conflicts, checks)


@require_POST
@role_required(Role.FRONT_DESK)
def guest_refresh(request: HttpRequest, pk: int, stay_id: int) -> HttpResponse:
    """The card again, as stored now, with everything the user typed and has
    not saved kept (posted by htmx when EMIS data arrives, or by "Обновить
    карточку"): no reload loses typing."""
    stay = _stay_or_404(pk, stay_id)
    checks = _checks(stay)
    forms = _guest_forms(stay, request.POST)
    conflicts = forms.conflicts()
    return _guest_page(
        request, stay, _rebased(forms, stay, conflicts), conflicts, checks
    )


def _rebased(
    forms: GuestProfileForms, stay: Stay, conflicts: list
) -> GuestProfileForms:
    untouched = forms.untouched_records()
    rebased = _guest_forms(stay, forms.rebased_data())
    rebased.show_stored(untouched, stay.person)
    rebased.mark_conflicts(conflicts)
    return rebased


def _guest_page(
    request: HttpRequest,
    stay: Stay,
    forms: GuestProfileForms,
    conflicts: list,
    checks: StayChecks,
) -> HttpResponse:
    record_access(request, stay.person_id, Kind.GUEST_CARD)
    context = {
        "forms": forms,
        "reservation": stay.reservation,
        "person": stay.person,
        "stay": stay,
        "history": history_rows(stay.person_id, request.user),
        "conflicts": conflicts,
        # The same checks as the Гости tab, the board and the API.
        "checks": checks,
        "arrived": request.POST.get("_arrived") == "1",
        "next_stay_id": next_stay_id(stay=stay),
        # A save that did not go through says so at the top, whatever the
        # reason (a field's error, a record deleted meanwhile); a refresh
        # (also a POST) saves nothing and is no failure.
        "not_saved": request.method == "POST"
        and request.resolver_match.url_name == "guest",
        # The documents are prefetched: one query for the other holders.
        "duplicates": duplicates_of(stay.person.documents.all()).get(
            stay.person_id, []
        ),
        "can_merge": has_role(request.user, Role.ADMIN),
    }
    return render(request, "reservations/guest.html", context)


@require_POST
@role_required(Role.FRONT_DESK)
def guest_attach_view(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _reservation_or_404(pk)
    person = get_object_or_404(Person, pk=id_or_404(request.POST.get("person_id")))
    try:
        stay = guest_attach(reservation=reservation, person=person, user=request.user)
    except ValidationError as exc:
        # The service's words: the API refuses the same with the same.
        for message in exc.messages:
            messages.error(request, message)
        return redirect(card_url(pk, "guests"))
    messages.success(
        request,
        _("Guest added with their existing person ID %(id)s.") % {"id": person.pk},
    )
    return redirect(stay)


def person_history_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Read-only history; support sees it too, without the values."""
    user = request.user
    if not (has_role(user, Role.FRONT_DESK) or has_role(user, Role.SUPPORT)):
        raise PermissionDenied
    survivor = person_id_resolve(person_id)
    if survivor != person_id:  # a merged person's ID: their history is there
        return redirect("reservations:person_history", survivor)
    person = get_object_or_404(Person, pk=person_id)
    record_access(request, person.pk, Kind.HISTORY)
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
    # A decision that changed nothing ("the profile's value kept against
    # EMIS's"): shown in words instead of the old and new values.
    decision: str = ""
    change_id: int = 0
    # A masked number staff may reveal (``personal_data.access_log_views``), or "".
    reveal_url: str = ""
    revealed: bool = False  # this row's number is shown in full


# What support sees instead of a history value (152-FZ: only what the role
# needs; which field changed, when and by whom is enough to check a policy).
_HIDDEN = gettext_lazy("hidden")

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
        """A stored value as staff read it: a code ("M", "passport_rf") as
        its label ("Мужской"), a date (stored ISO) as the language writes
        it (дд.мм.гггг), the parts of a name by their names."""
        field = self.model_field
        if not value:
            return value
        if self.name == "transliterated_parts":
            return ", ".join(_part_label(p.strip()) for p in value.split(","))
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateField) and not isinstance(
            field, models.DateTimeField
        ):
            try:
                return formats.date_format(
                    date.fromisoformat(value), "SHORT_DATE_FORMAT"
                )
            except ValueError:
                return value
        return value


def _part_label(part: str) -> str:
    try:
        return str(Person._meta.get_field(part).verbose_name)
    except FieldDoesNotExist:
        return part


def history_rows(
    person_id: int, user, *, reveal: int | None = None
) -> list[HistoryRow]:
    """Document numbers are masked for everyone here (the full number is in
    the card's form only) but in the row ``reveal`` (a staff member asked,
    and the access log says so); roles that may not see personal data
    (support) get which field changed, when and by whom, and no value."""
    see_values = can_see_document_numbers(user)
    sources = {key: str(name) for key, name in PersonChange.Source.choices}
    rows = []
    changes = person_history(person_id=person_id)
    titles = history.record_titles(changes)  # one title per record
    for change in changes:
        model = history.ENTITY_MODELS.get(change.entity)
        ref = _FieldRef(model, change.field, titles[change.pk])
        old, new = ref.display(change.old_value), ref.display(change.new_value)
        label = mask_text(ref.label())  # another writer may key rows by number
        revealed = see_values and change.sensitive and change.pk == reveal
        masked = change.sensitive and not revealed
        if masked:
            old, new = mask_number(old), mask_number(new)
        if not see_values:
            old, new = (str(_HIDDEN) if value else "" for value in (old, new))
        reveal_url = (
            _reveal_url(person_id, change.pk)
            if masked and see_values and (old or new)
            else ""
        )
        decision = ""
        if see_values and change.source == PersonChange.Source.KEEP_PROFILE:
            # Stored as EMIS's value → the profile's, but nothing changed.
            decision = _kept_profile(profile=new, emis=old)
            old = new = ""
        rows.append(
            HistoryRow(
                field=label,
                old=old,
                new=new,
                decision=decision,
                source=sources.get(change.source, change.source),
                user=change.user.get_username() if change.user else "",
                created_at=change.created_at,
                change_id=change.pk,
                reveal_url=reveal_url,
                revealed=revealed,
            )
        )
    return rows


def _kept_profile(*, profile: str, emis: str) -> str:
    return _("Profile value kept: %(profile)s; EMIS: %(emis)s") % {
        "profile": profile or "—",
        "emis": emis or "—",
    }


def _reveal_url(person_id: int, change_id: int) -> str:
    return reverse("personal_data:history_reveal", args=[person_id, change_id])
