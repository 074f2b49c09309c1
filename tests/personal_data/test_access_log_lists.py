"""Reads the access log once missed: the Гости tab and the API's guest
list (phone and e-mail), a person's EMIS conflicts (the profile's and
EMIS's values) and possible duplicates (others' names and birth dates)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from emis.models import EmisConflict
from personal_data.models import PersonalDataAccess
from pms.roles import Role
from reservations.models import IdentityDocument
from reservations.services import person_update
from tests.factories import make_guest, make_person, make_reservation

from .conftest import logged_in

pytestmark = pytest.mark.django_db
Kind = PersonalDataAccess.Kind
TABLE = PersonalDataAccess._meta.db_table


def _logged(kind) -> list[tuple]:
    rows = PersonalDataAccess.objects.filter(kind=kind).order_by("id")
    return list(rows.values_list("username", "person_id"))


def test_the_guests_tab_records_every_listed_guest_in_one_insert():
    reservation = make_reservation()
    guests = [make_guest(reservation, surname=f"Гость{n}") for n in range(3)]
    person_update(person_id=guests[0].person_id, values={"phone": "+79217001122"})
    client = logged_in(Role.FRONT_DESK, username="clerk")
    url = reverse("reservations:card", args=[reservation.pk])

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url, {"tab": "guests"})

    assert "+79217001122" in page.content.decode()  # the tab shows contacts
    assert _logged(Kind.GUEST_LIST) == [("clerk", g.person_id) for g in guests]
    log_queries = [q["sql"] for q in ctx.captured_queries if TABLE in q["sql"]]
    assert [sql.split()[0].upper() for sql in log_queries] == ["INSERT"]


def test_the_api_guest_list_records_every_listed_guest(api_front_desk):
    reservation = make_reservation()
    guests = [make_guest(reservation, surname=f"Гость{n}") for n in range(2)]
    url = reverse("api-reservation-guests", args=[reservation.pk])
    assert api_front_desk.get(url).status_code == 200
    assert [pid for _user, pid in _logged(Kind.GUEST_LIST)] == [
        g.person_id for g in guests
    ]


def test_reading_a_persons_conflicts_is_recorded(api_front_desk):
    person = make_guest(make_reservation()).person
    url = f"/api/v1/persons/{person.pk}/emis/conflicts/"
    assert api_front_desk.get(url).json() == []
    assert _logged(Kind.CONFLICTS) == []  # no value shown
    EmisConflict.objects.create(
        person=person,
        entity="person",
        entity_id=0,
        field="birth_place",
        path="birth_place",
        profile_value="г. Тотьма",
        emis_value="ГОР. ТОТЬМА",
        since=timezone.now(),
    )
    assert len(api_front_desk.get(url).json()) == 1
    assert [pid for _user, pid in _logged(Kind.CONFLICTS)] == [person.pk]


def test_reading_a_persons_duplicates_is_recorded(api_front_desk):
    person, twin = make_person("Репин"), make_person("Repin", birth_date="1985-04-12")
    for owner in (person, twin):
        IdentityDocument.objects.create(
            person=owner, kind="passport_rf", series="4510", number="123456"
        )
    url = f"/api/v1/persons/{person.pk}/duplicates/"
    assert len(api_front_desk.get(url).json()) == 1
    assert [pid for _user, pid in _logged(Kind.DUPLICATES)] == [person.pk, twin.pk]


# --- The arrivals board, its API and the name policy's preview ----------------


def _board_guests(count: int):
    from reservations.deadlines import hotel_today

    today = hotel_today()
    reservation = make_reservation(arrival=today, departure=today)
    return [make_guest(reservation, surname=f"Гость{n}") for n in range(count)]


def _log_statements(ctx) -> list[str]:
    return [
        q["sql"].split()[0].upper() for q in ctx.captured_queries if TABLE in q["sql"]
    ]


def test_the_arrivals_board_records_every_listed_guest_in_one_insert():
    guests = _board_guests(3)
    client = logged_in(Role.FRONT_DESK, username="clerk")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("reservations:board"))
    assert "Гость2" in page.content.decode()
    logged = sorted(_logged(Kind.ARRIVALS_BOARD))
    assert logged == [("clerk", g.person_id) for g in guests]
    assert _log_statements(ctx) == ["INSERT"]


def test_the_arrivals_api_records_the_guests_of_its_page_in_one_insert(
    api_front_desk,
):
    guests = _board_guests(3)
    with CaptureQueriesContext(connection) as ctx:
        answer = api_front_desk.get("/api/v1/arrivals/", {"limit": 2})
    assert answer.status_code == 200 and len(answer.json()["results"]) == 2
    # The page's guests, not the day's: the third was not shown.
    logged = sorted(pid for _user, pid in _logged(Kind.ARRIVALS_API))
    assert logged == [g.person_id for g in guests[:2]]
    assert _log_statements(ctx) == ["INSERT"]


def test_a_refused_day_records_nothing(api_front_desk):
    _board_guests(1)
    assert api_front_desk.get("/api/v1/arrivals/", {"date": "x"}).status_code == 400
    assert not PersonalDataAccess.objects.exists()


def test_the_name_policy_preview_records_the_guests_it_shows(support_client):
    shown = make_person("Крупкин", surname_latin="KRUPKIN", surname_cyrillic="Крупкин")
    make_person("Ручной")  # no Latin form: not renamed, not shown
    with CaptureQueriesContext(connection) as ctx:
        page = support_client.get(
            "/admin/emis/namepolicy/preview/", {"script": "latin"}
        )
    assert f'data-person="{shown.pk}"' in page.content.decode()
    rows = PersonalDataAccess.objects.filter(kind=Kind.NAME_POLICY_PREVIEW)
    assert list(rows.values_list("person_id", flat=True)) == [shown.pk]
    assert _log_statements(ctx) == ["INSERT"]
