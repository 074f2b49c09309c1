"""The arrivals board: the front desk's landing page (``reservations/board.py``
reads it). Any day by ``?date=YYYY-MM-DD``, today (hotel time) by default:
typed (дд.мм.гггг), picked in the calendar (a native date input, whose value
is ISO whatever the language) or by the links to the day before and after,
which answer the ←/→ keys."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from pms.roles import Role, role_required

from . import deadlines
from .board import arrivals_board
from .forms import DateInput

LIST_LABELS = {
    "arriving": _("Arriving"),
    "in_house": _("In house"),
    "departing": _("Departing"),
    "departed": _("Departed yesterday"),
}


class BoardDateForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(attrs={"data-autosubmit": ""}),
    )

    def day(self) -> dt.date:
        """The day asked for; today when none, or a bad one, is given."""
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return deadlines.hotel_today()


def board_url(day: dt.date) -> str:
    return f"{reverse('reservations:board')}?date={day.isoformat()}"


@require_GET
@role_required(Role.FRONT_DESK)
def board(request: HttpRequest) -> HttpResponse:
    form = BoardDateForm(request.GET or None)
    day = form.day()
    context = {
        "board": arrivals_board(day),
        "day": day,
        "today": deadlines.hotel_today(),
        "form": BoardDateForm(initial={"date": day}),
        "bad_date": form.is_bound and not form.is_valid(),
        "previous_url": board_url(day - dt.timedelta(days=1)),
        "next_url": board_url(day + dt.timedelta(days=1)),
        "list_labels": LIST_LABELS,
    }
    return render(request, "reservations/board.html", context)
