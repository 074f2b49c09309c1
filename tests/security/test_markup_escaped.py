"""Markup arriving from EMIS is stored as text and shown as text on every
page that shows it; the API returns it verbatim as a JSON string."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from pms.roles import Role
from reservations.models import IdentityDocument, MigrationCard, Person, Visa
from tests.emis.conftest import russian, webhook_body
from tests.factories import make_guest, make_reservation, make_user

from .conftest import post_webhook

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
ATTR = "' onmouseover='alert(3)"
CLOSE = "</textarea></title><script>alert(4)</script>"
BOLD = "<b>bold</b><script>alert(5)</script>"
# Raw markup that must never reach a page (compared in lower case: the name
# policy may title-case a name, "<Script>Alert(1)</Script>").
RAW = ("<script>alert(", "<img src=x", "onmouseover='alert", "<b>bold</b>")


@pytest.fixture
def hostile(connection):
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Репин")
    data = russian(stay.person_id)
    data["surname"] = {"cyrillic": SCRIPT, "latin": IMG}
    data["given_names"] = {"cyrillic": ATTR, "latin": "ILIA"}
    data["birth_place"] = CLOSE
    data["documents"][0]["issuer"] = BOLD
    data["visas"] = [
        {
            "series": "25",
            "number": "1234567",
            "category": SCRIPT,
            "entries": "single",
            "valid_from": "2026-11-01",
            "valid_to": "2026-11-30",
            "issuing_country": "RUS",
        }
    ]
    data["migration_card"] = {
        "series": "4618",
        "number": "7654321",
        "entry_date": "2026-11-20",
        "valid_to": "2026-12-19",
        "visit_purpose": IMG,
    }
    body = webhook_body(data, reservation.legal_entity_id)
    assert post_webhook(Client(), body).json() == {"status": "applied"}
    return reservation, stay


def test_markup_is_stored_as_text(hostile):
    _reservation, stay = hostile
    person = Person.objects.get(pk=stay.person_id)
    assert (person.surname_cyrillic, person.surname_latin) == (SCRIPT, IMG)
    assert (person.given_names_cyrillic, person.birth_place) == (ATTR, CLOSE)
    assert IdentityDocument.objects.get(person=person).issuer == BOLD
    assert Visa.objects.get(person=person).category == SCRIPT
    assert MigrationCard.objects.get(person=person).visit_purpose == IMG


def _assert_escaped(html: str, where: str) -> None:
    lower = html.lower()
    for raw in RAW:
        assert raw not in lower, f"{where}: raw {raw!r}"
    assert "&lt;script&gt;alert(" in lower, f"{where}: the value is not shown"


def test_markup_is_escaped_on_every_staff_page(hostile, front_desk_client):
    reservation, stay = hostile
    pages = {
        "guest card": reverse("reservations:guest", args=[reservation.pk, stay.pk]),
        "Гости tab": reverse("reservations:card", args=[reservation.pk])
        + "?tab=guests",
        "history": reverse("reservations:person_history", args=[stay.person_id]),
    }
    for where, url in pages.items():
        response = front_desk_client.get(url)
        assert response.status_code == 200, where
        _assert_escaped(response.content.decode(), where)


def test_markup_is_escaped_on_pages_listing_reservations(hostile, front_desk_client):
    reservation, _stay = hostile
    listing = front_desk_client.get(reverse("reservations:list"))
    assert listing.status_code == 200
    _assert_escaped(listing.content.decode(), "reservation list")
    # The card's first tab counts the guests without naming them.
    card = front_desk_client.get(reverse("reservations:card", args=[reservation.pk]))
    assert card.status_code == 200
    html = card.content.decode()
    assert f"Карточка заявки {reservation.pk}" in html and "Гости (1)" in html
    for raw in RAW:
        assert raw not in html.lower(), "reservation card"


def test_markup_is_escaped_in_the_django_admin(hostile, client):
    _reservation, stay = hostile
    client.force_login(make_user(Role.SUPPORT))
    pages = {
        "admin person list": "/admin/reservations/person/",
        "admin person search": "/admin/reservations/person/?q=script",
        "admin person page": f"/admin/reservations/person/{stay.person_id}/change/",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_escaped(response.content.decode(), where)


def test_the_api_returns_the_markup_as_a_json_string(hostile, front_desk_client):
    reservation, stay = hostile
    person = front_desk_client.get(reverse("api-person", args=[stay.person_id]))
    assert person["Content-Type"].startswith("application/json")
    body = person.json()
    assert body["cyrillic"]["surname"] == SCRIPT
    assert body["latin"]["surname"] == IMG
    assert body["birth_place"] == CLOSE
    assert body["documents"][0]["issuer"] == BOLD
    guests = front_desk_client.get(
        reverse("api-reservation-guests", args=[reservation.pk])
    )
    assert guests["Content-Type"].startswith("application/json")
    assert [g["surname"] for g in guests.json()] == [SCRIPT]
