"""Reservations: the list, a new reservation, and the card with its tabs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from personal_data.access_log import Kind, record_accesses
from pms.roles import Role, role_required
from pms.submissions import Outcome, page_context, submit_once, with_token

from .forms import (
    ReservationBookingForm,
    ReservationCreateForm,
    ReservationFilterForm,
    ReservationRequestForm,
)
from .models import Reservation
from .selectors import (
    ReservationCard,
    reservation_card,
    reservation_guests_version,
    reservation_list,
)
from .services import reservation_create, reservation_update

PAGE_SIZE = 25


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    # Set for tabs whose data lives outside this module: shown, not linked.
    disabled_reason: str = ""


_OUTSIDE = gettext_lazy("Kept in the main PMS; not part of this module.")
TABS = (
    Tab("request", gettext_lazy("Request")),
    Tab("booking", gettext_lazy("Booking")),
    Tab("services", gettext_lazy("Services"), _OUTSIDE),
    Tab("guests", gettext_lazy("Guests")),
    Tab("group", gettext_lazy("Group"), _OUTSIDE),
    Tab("inventory", gettext_lazy("Inventory"), _OUTSIDE),
)
EDIT_FORMS = {"request": ReservationRequestForm, "booking": ReservationBookingForm}


def card_url(reservation_id: int, tab: str = "request") -> str:
    return f"{reservation_url(reservation_id)}?tab={tab}"


def reservation_url(reservation_id: int) -> str:
    return reverse("reservations:card", args=[reservation_id])


@role_required(Role.FRONT_DESK)
def reservations_list(request: HttpRequest) -> HttpResponse:
    filters = ReservationFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    reservations = reservation_list(
        status=values.get("status", ""), surname=values.get("surname", "").strip()
    )
    page = Paginator(reservations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "reservations/list.html", context)


@role_required(Role.FRONT_DESK)
def reservation_new(request: HttpRequest) -> HttpResponse:
    form = ReservationCreateForm(request.POST or None)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        created: list[Reservation] = []

        def create() -> str:
            created.append(reservation_create(values=form.cleaned_data))
            return card_url(created[0].pk, "guests")

        outcome = submit_once(request, form="reservation_new", create=create)
        if outcome.created:  # else Back then Create: no twin, the typing kept
            messages.success(
                request, _("Reservation %(id)s created.") % {"id": created[0].pk}
            )
            return redirect(outcome.url)
    if opened := with_token(request):  # this form saves once
        return opened
    context = {"form": form, **page_context(request, outcome)}
    return render(request, "reservations/new.html", context)


@role_required(Role.FRONT_DESK)
def reservation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tab = request.GET.get("tab", "request")
    if tab not in {"request", "booking", "guests"}:
        tab = "request"
    if tab == "guests":
        try:
            card = reservation_card(pk)
        except Reservation.DoesNotExist as exc:
            raise Http404 from exc
        context = _guests_context(request, card)
        guest_count = len(card.guests)
    else:
        reservation = get_object_or_404(
            Reservation.objects.select_related("legal_entity").annotate(
                guest_count=Count("stays")
            ),
            pk=pk,
        )
        form = EDIT_FORMS[tab](request.POST or None, instance=reservation)
        if request.method == "POST" and form.is_valid():
            reservation_update(reservation_id=pk, values=form.changed_values())
            messages.success(request, _("Reservation saved."))
            return redirect(card_url(pk, tab))
        context = {"form": form, "reservation": reservation}
        guest_count = reservation.guest_count
    context.update({"tab": tab, "tabs": TABS, "guest_count": guest_count})
    return render(request, "reservations/card.html", context)


def _guests_context(request: HttpRequest, card: ReservationCard) -> dict:
    """The tab shows each guest's phone and e-mail: recorded as a read of
    every listed person (one INSERT, the IDs already loaded)."""
    listed = [row.stay.person_id for row in card.guests]
    record_accesses(request, listed, Kind.GUEST_LIST)
    version = reservation_guests_version(card.reservation.pk)
    return {"card": card, "reservation": card.reservation, "guests_version": version}


@require_GET
@role_required(Role.FRONT_DESK)
def guests_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Asked by the open Гости tab every few seconds (as the guest card asks
    emis:person_state): 204 while the reservation's guests version is the
    tab's ``?v=``, else the tab's guests drawn again, to replace it in place.
    So EMIS data that arrived by webhook, pull or sync shows without a
    reload."""
    if request.GET.get("v", "") == reservation_guests_version(pk):
        return HttpResponse(status=204)
    try:
        card = reservation_card(pk)
    except Reservation.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request, "reservations/_tab_guests.html", _guests_context(request, card)
    )
