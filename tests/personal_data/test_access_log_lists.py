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
