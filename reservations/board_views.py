"""The arrivals board: the front desk's landing page (``reservations/board.py``
reads it). Any day by ``?date=YYYY-MM-DD``, today (hotel time) by default:
typed (дд.мм.гггг), picked in the calendar (a native date input, whose value
is ISO whatever the language) or by the links to the day before and after,
which answer the ←/→ keys. The day is read by ``board_day.board_day``; a
bad one shows today and says so."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from personal_data.access_log import Kind, record_accesses_selected
from pms.roles import Role, role_required

from . import deadlines
from .board import arrivals_board, board_stays
from .board_day import BadDay, board_day, day_heading, neighbour
from .forms import DateInput

LIST_LABELS = {
    "arriving": _("Arriving"),
    "in_house": _("In house"),
    "departing": _("Departing"),
    "departed": _("Departed yesterday"),
    "left_earlier": _("Left earlier, arrival notice due this day"),
}


class BoardDateForm(forms.Form):
    """The date field the page shows (the day is read by ``board_day``)."""

    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(attrs={"data-autosubmit": ""}),
    )


def board_url(day: dt.date | None) -> str:
    """The board of ``day``; "" for None (no such day: no link)."""
    if day is None:
        return ""
    return f"{reverse('reservations:board')}?date={day.isoformat()}"


@require_GET
@role_required(Role.FRONT_DESK)
def board(request: HttpRequest) -> HttpResponse:
    try:
        day, bad_date = board_day(request.GET.get("date"), typed=True), False
    except BadDay:
        day, bad_date = deadlines.hotel_today(), True
    board = arrivals_board(day)
    # Names, citizenship and the checks of every guest listed: a read of
    # each, one INSERT however many (a board can list hundreds).
    listed = board_stays(day).values_list("person_id", flat=True)
    record_accesses_selected(request, listed, Kind.ARRIVALS_BOARD)
    context = {
        "board": board,
        "day": day,
        "day_heading": day_heading(day),
        "today": deadlines.hotel_today(),
        "form": BoardDateForm(initial={"date": day}),
        "bad_date": bad_date,
        "previous_url": board_url(neighbour(day, -1)),
        "next_url": board_url(neighbour(day, 1)),
        "list_labels": LIST_LABELS,
    }
    return render(request, "reservations/board.html", context)
