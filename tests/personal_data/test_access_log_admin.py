"""The Django admin's pages of guests' names are reads like any other:
support looking persons up (to check what the name policy did) leaves a
row per person shown, one INSERT per page, and a row for a person opened."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personal_data.models import PersonalDataAccess
from pms.roles import Role
from tests.factories import make_guest, make_reservation

from .conftest import logged_in

pytestmark = pytest.mark.django_db
Kind = PersonalDataAccess.Kind
TABLE = PersonalDataAccess._meta.db_table


def _logged(kind) -> list[tuple]:
    rows = PersonalDataAccess.objects.filter(kind=kind).order_by("id")
    return list(rows.values_list("username", "person_id", "detail"))


def test_support_listing_persons_records_each_person_shown_in_one_insert():
    reservation = make_reservation()
    shown = [make_guest(reservation, surname=f"Гость{n}").person for n in range(3)]
    other = make_guest(reservation, surname="Посторонний").person
    client = logged_in(Role.SUPPORT, username="helper")

    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/admin/reservations/person/", {"q": "Гость"})

    assert page.status_code == 200
    assert "Гость1" in page.content.decode()
    logged = _logged(Kind.ADMIN_LIST)
    assert sorted(pid for _u, pid, _d in logged) == sorted(p.pk for p in shown)
    assert other.pk not in {pid for _u, pid, _d in logged}
    assert {(u, d) for u, _pid, d in logged} == {("helper", "reservations.person")}
    log_queries = [q["sql"] for q in ctx.captured_queries if TABLE in q["sql"]]
    assert [sql.split()[0].upper() for sql in log_queries] == ["INSERT"]


def test_a_list_that_shows_nobody_records_nothing():
    make_guest(make_reservation(), surname="Гость")
    client = logged_in(Role.SUPPORT)
    page = client.get("/admin/reservations/person/", {"q": "Никто"})
    assert page.status_code == 200
    assert not PersonalDataAccess.objects.exists()


def test_support_opening_a_person_records_that_person():
    person = make_guest(make_reservation(), surname="Верещагин").person
    client = logged_in(Role.SUPPORT, username="helper")

    page = client.get(f"/admin/reservations/person/{person.pk}/change/")

    assert "Верещагин" in page.content.decode()
    assert _logged(Kind.ADMIN_PAGE) == [("helper", person.pk, "reservations.person")]
    client.get(f"/admin/reservations/person/{person.pk}/history/")
    assert len(_logged(Kind.ADMIN_PAGE)) == 2  # its title is the name too


def test_an_unknown_person_records_nothing():
    client = logged_in(Role.SUPPORT)
    response = client.get("/admin/reservations/person/999999/change/")
    assert response.status_code == 302  # the admin's "not found" redirect
    assert not PersonalDataAccess.objects.exists()


def test_front_desk_refused_by_the_admin_records_nothing():
    person = make_guest(make_reservation()).person
    client = logged_in(Role.FRONT_DESK)
    assert (
        client.get(f"/admin/reservations/person/{person.pk}/change/").status_code == 302
    )
    assert client.get("/admin/reservations/person/").status_code == 302
    assert not PersonalDataAccess.objects.exists()


def test_the_stay_list_and_page_record_their_guests():
    # Stays show their guest's name; only a superuser reaches them.
    stay = make_guest(make_reservation(), surname="Верещагин")
    client = logged_in(None, is_staff=True, is_superuser=True, username="root")
    assert "Верещагин" in client.get("/admin/reservations/stay/").content.decode()
    client.get(f"/admin/reservations/stay/{stay.pk}/change/")
    assert _logged(Kind.ADMIN_LIST) == [("root", stay.person_id, "reservations.stay")]
    assert _logged(Kind.ADMIN_PAGE) == [("root", stay.person_id, "reservations.stay")]
    support = logged_in(Role.SUPPORT)
    assert support.get("/admin/reservations/stay/").status_code == 403
