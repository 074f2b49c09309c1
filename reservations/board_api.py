"""``GET /api/v1/arrivals/?date=YYYY-MM-DD``: the arrivals board's rows.

Front desk role, as the board. Rows come in the board's order (arriving, in
house, departing, departed yesterday, left earlier with the arrival notice
due that day; by reservation, then stay), paged like every API list.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from personal_data.access_log import Kind, record_accesses_selected

from .board import BoardGuest, BoardList, board_rows, board_stays
from .board_day import BadDay, board_day
from .models import Stay


class BoardWarningSerializer(serializers.Serializer):
    """A document check's finding (``reservations/checks.py``)."""

    code = serializers.CharField()
    message = serializers.CharField()


class ArrivalSerializer(serializers.Serializer):
    """One guest of the board: deadlines are ISO date-times in the hotel's
    time zone, null where the guest needs no migration notice or while the
    citizenship is unknown. ``notice_needed`` tells these apart: true,
    false, or null when no citizenship is set (the warning
    ``citizenship_unknown`` says so too). ``list`` is the board's list of
    the row, ``departed`` for yesterday's departures (their departure notice
    is due on the board's day), ``left_earlier`` for a foreign guest who
    left before yesterday and whose arrival notice is due on the board's day
    (arrived on Friday, left on Saturday: due on Monday)."""

    stay_id = serializers.IntegerField(source="stay.pk")
    person_id = serializers.IntegerField(source="stay.person_id")
    reservation_id = serializers.IntegerField(source="stay.reservation_id")
    list = serializers.ChoiceField(choices=[c.value for c in BoardList])
    surname = serializers.CharField(source="person.surname")
    given_names = serializers.CharField(source="person.given_names")
    patronymic = serializers.CharField(source="person.patronymic")
    citizenship = serializers.CharField(source="person.citizenship")
    registration_from = serializers.DateField(source="stay.registration_from")
    registration_to = serializers.DateField(source="stay.registration_to")
    ready = serializers.BooleanField()
    warnings = BoardWarningSerializer(many=True)
    arrival_notice_due = serializers.DateTimeField(allow_null=True)
    departure_notice_due = serializers.DateTimeField(allow_null=True)
    notice_needed = serializers.BooleanField(allow_null=True)

    def to_representation(self, instance: BoardGuest):
        data = super().to_representation(instance)
        # In the hotel's zone, whatever the API's: "…T23:59:59+03:00".
        for key in ("arrival_notice_due", "departure_notice_due"):
            value = getattr(instance, key)
            data[key] = _hotel_time(value) if value else None
        return data


def _hotel_time(value: dt.datetime) -> str:
    local = value.astimezone(_hotel_zone())
    offset = local.utcoffset() or dt.timedelta()
    if offset.total_seconds() % 60:
        # RFC 3339 offsets are whole minutes; a zone's local mean time (Moscow
        # before 1919: +02:30:17, reachable with the board's 1900) is not.
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return local.isoformat()


_DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
}


def _hotel_zone():
    return timezone.get_default_timezone()


@extend_schema(
    tags=["reservations"],
    parameters=[
        OpenApiParameter(
            "date",
            # A day of 1900–2100 (board_day.py), or blank: today.
            {"anyOf": [_DAY_SCHEMA, {"type": "string", "maxLength": 0}]},
            description=(
                "The board's day (YYYY-MM-DD, years 1900–2100); today, hotel "
                "time, when omitted or empty."
            ),
        )
    ],
)
class ArrivalsView(generics.ListAPIView):
    """Who arrives, stays and departs on a day, with their documents' state
    and the migration notices' deadlines."""

    serializer_class = ArrivalSerializer

    def get_queryset(self):
        return board_stays(self.day())

    def day(self) -> dt.date:
        try:
            return board_day(self.request.query_params.get("date"))
        except BadDay as bad:
            raise ValidationError({"date": [bad.message]}) from None

    def list(self, request, *args, **kwargs):
        day = self.day()
        page = self.paginate_queryset(self.get_queryset())
        rows = board_rows(page, day=day)
        data = self.get_serializer(rows, many=True).data
        # The page's guests' names, citizenship and checks: one INSERT (a
        # page of up to 200, more than SQLite takes as parameters of one).
        page_ids = [row.stay.pk for row in rows]
        listed = Stay.objects.filter(pk__in=page_ids).values_list(
            "person_id", flat=True
        )
        record_accesses_selected(request, listed, Kind.ARRIVALS_API)
        return self.get_paginated_response(data)
