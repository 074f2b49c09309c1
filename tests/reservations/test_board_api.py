"""GET /api/v1/arrivals/: the board's rows, a bad date, the roles."""

import datetime as dt

import pytest

from reservations.deadlines import hotel_today
from reservations.models import IdentityDocument

from ..factories import make_guest, make_reservation

pytestmark = pytest.mark.django_db

URL = "/api/v1/arrivals/"
D = dt.date


def _guests():
    reservation = make_reservation(arrival=D(2026, 3, 2), departure=D(2026, 3, 6))
    foreign = make_guest(
        reservation, surname="Müller", given_names="Hans", citizenship="DEU"
    )
    russian = make_guest(reservation, surname="Репин", citizenship="RUS")
    IdentityDocument.objects.create(person=russian.person, kind="passport_rf", number="1")
    leaving = make_guest(
        make_reservation(arrival=D(2026, 2, 27), departure=D(2026, 3, 3)),
        surname="Smith",
        citizenship="XXA",
    )
    return foreign, russian, leaving


def test_rows_have_the_board_shape(api_front_desk):
    foreign, russian, leaving = _guests()
    answer = api_front_desk.get(URL, {"date": "2026-03-03"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3
    rows = {row["stay_id"]: row for row in body["results"]}
    assert [row["stay_id"] for row in body["results"]] == [
        foreign.pk,
        russian.pk,
        leaving.pk,
    ]  # in house first (nobody arrives), then departing
    row = rows[foreign.pk]
    assert row == {
        "stay_id": foreign.pk,
        "person_id": foreign.person_id,
        "reservation_id": foreign.reservation_id,
        "list": "in_house",
        "surname": "Müller",
        "given_names": "Hans",
        "patronymic": "",
        "citizenship": "DEU",
        "registration_from": "2026-03-02",
        "registration_to": "2026-03-06",
        "ready": False,
        "warnings": row["warnings"],
        "arrival_notice_due": "2026-03-03T23:59:59+03:00",
        "departure_notice_due": "2026-03-07T12:00:00+03:00",
        "notice_needed": True,
    }
    assert [w["code"] for w in row["warnings"]] == [
        "no_identity_document",
        "visa_not_valid_for_stay",
        "migration_card_missing",
        # Typed in Latin only, under the (default) Cyrillic name policy.
        "name_not_in_policy_script",
    ]
    assert all(w["message"] for w in row["warnings"])
    assert rows[russian.pk]["ready"] is True
    assert rows[russian.pk]["warnings"] == []
    assert rows[russian.pk]["arrival_notice_due"] is None
    assert rows[russian.pk]["departure_notice_due"] is None
    assert rows[russian.pk]["notice_needed"] is False
    assert rows[leaving.pk]["list"] == "departing"
    assert rows[leaving.pk]["departure_notice_due"] == "2026-03-04T12:00:00+03:00"


@pytest.mark.parametrize("query", [{}, {"date": ""}])
def test_today_when_omitted_or_empty(api_front_desk, query):
    today = hotel_today()
    guest = make_guest(
        make_reservation(arrival=today, departure=today + dt.timedelta(days=1)),
        citizenship="RUS",
    )
    answer = api_front_desk.get(URL, query)
    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert (row["stay_id"], row["list"]) == (guest.pk, "arriving")


@pytest.mark.parametrize(
    "bad",
    [
        "03.03.2026",
        "2026-02-30",
        "today",
        "2026-3-3x",
        # Outside the product's years: 0001-01-01 and 9999-12-31 were a 500
        # (no day before or after them in Python's calendar).
        "0001-01-01",
        "1899-12-31",
        "2101-01-01",
        "9999-12-31",
    ],
)
def test_a_bad_date_is_a_400_in_the_error_shape(api_front_desk, bad):
    answer = api_front_desk.get(URL, {"date": bad})
    assert answer.status_code == 400
    assert list(answer.json()) == ["date"]
    assert answer.json()["date"] == [
        "Укажите дату в виде ГГГГ-ММ-ДД в пределах 1900–2100 годов."
    ]


@pytest.mark.parametrize("edge", ["1900-01-01", "2100-12-31"])
def test_the_first_and_last_days_of_the_range_are_answered(api_front_desk, edge):
    assert api_front_desk.get(URL, {"date": edge}).status_code == 200


def test_pages_are_capped(api_front_desk):
    reservation = make_reservation(arrival=D(2026, 3, 3), departure=D(2026, 3, 4))
    for i in range(3):
        make_guest(reservation, surname=f"G{i}")
    page = api_front_desk.get(URL, {"date": "2026-03-03", "limit": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_roles(api_front_desk, api_admin, api_support, api_anonymous):
    assert api_front_desk.get(URL).status_code == 200
    assert api_admin.get(URL).status_code == 200
    assert api_support.get(URL).status_code == 403
    assert api_anonymous.get(URL).status_code == 401


def test_documented_in_the_schema(api_front_desk):
    schema = api_front_desk.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/arrivals/"]["get"]
    (date,) = [p for p in operation["parameters"] if p["name"] == "date"]
    assert "today, hotel time, when omitted or empty" in date["description"]
    row = schema["components"]["schemas"]["Arrival"]["properties"]
    for key in ("stay_id", "person_id", "ready", "warnings", "arrival_notice_due"):
        assert key in row
    assert row["arrival_notice_due"]["nullable"] is True


def test_yesterdays_departures_and_unknown_citizenship(api_front_desk):
    """The API has the board's rows: yesterday's departures (their notice is
    due today by 12:00) as ``departed``; an unknown citizenship is an open
    question (``notice_needed`` null, a warning), not "no notice"."""
    left = make_guest(
        make_reservation(arrival=D(2026, 2, 20), departure=D(2026, 3, 2)),
        surname="Left",
        citizenship="DEU",
    )
    unknown = make_guest(
        make_reservation(arrival=D(2026, 3, 3), departure=D(2026, 3, 5)),
        surname="Unknown",
        citizenship="",
    )
    rows = api_front_desk.get(URL, {"date": "2026-03-03"}).json()["results"]
    assert [row["stay_id"] for row in rows] == [unknown.pk, left.pk]
    departed = rows[1]
    assert departed["list"] == "departed"
    assert departed["departure_notice_due"] == "2026-03-03T12:00:00+03:00"
    assert rows[0]["notice_needed"] is None
    assert rows[0]["arrival_notice_due"] is None
    assert rows[0]["ready"] is False
    assert rows[0]["warnings"][0]["code"] == "citizenship_unknown"


def test_a_guest_gone_before_yesterday_with_the_arrival_notice_due(api_front_desk):
    """Arrived on Friday, left on Saturday: Monday's arrival notice is a row
    of Monday's board, list ``left_earlier``."""
    gone = make_guest(
        make_reservation(arrival=D(2026, 3, 13), departure=D(2026, 3, 14)),
        surname="Rossi",
        citizenship="ITA",
    )
    (row,) = api_front_desk.get(URL, {"date": "2026-03-16"}).json()["results"]
    assert (row["stay_id"], row["list"]) == (gone.pk, "left_earlier")
    assert row["arrival_notice_due"] == "2026-03-16T23:59:59+03:00"
    assert api_front_desk.get(URL, {"date": "2026-03-17"}).json()["count"] == 0


def test_a_deadline_in_1900_is_rfc3339_in_utc(api_front_desk):
    # Moscow kept its local mean time then (+02:30:17): an offset with seconds
    # is no RFC 3339 date-time, so such a moment is given in UTC.
    make_guest(
        make_reservation(arrival=D(1900, 1, 1), departure=D(1900, 1, 3)),
        surname="Smith",
        citizenship="GBR",
    )
    row = api_front_desk.get(URL, {"date": "1900-01-01"}).json()["results"][0]
    due = row["arrival_notice_due"]
    assert due.endswith("Z"), due
    assert dt.datetime.fromisoformat(due).utcoffset() == dt.timedelta(0)
    # Whole-minute offsets stay in the hotel's time (+03:00).
    make_guest(
        make_reservation(arrival=D(2026, 3, 2), departure=D(2026, 3, 3)),
        surname="Müller",
        citizenship="DEU",
    )
    row = api_front_desk.get(URL, {"date": "2026-03-02"}).json()["results"][0]
    assert row["arrival_notice_due"] == "2026-03-03T23:59:59+03:00"
