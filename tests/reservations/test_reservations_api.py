"""/api/v1/reservations/."""

import pytest

from reservations.models import Reservation
from tests.factories import make_guest, make_legal_entity, make_reservation

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservations/"


def _payload(entity, **extra):
    return {
        "legal_entity": entity.pk,
        "arrival": "2026-11-27",
        "departure": "2026-11-30",
        **extra,
    }


def test_create_with_all_fields(api_front_desk):
    entity = make_legal_entity()
    payload = _payload(
        entity,
        status="confirmed",
        phone="8 912 345-67-89",
        email="a@b.ru",
        contact_method="email",
        organization="Org",
        payer="Payer",
        agency="Agency",
        note="VIP",
    )
    response = api_front_desk.post(URL, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["guests_count"] == 0
    assert body["phone"] == "+79123456789"  # stored as E.164
    assert body["legal_entity"] == entity.pk
    reservation = Reservation.objects.get(pk=body["id"])
    assert (reservation.note, reservation.agency) == ("VIP", "Agency")


def test_departure_before_arrival_is_a_departure_error(api_front_desk):
    entity = make_legal_entity()
    response = api_front_desk.post(
        URL, _payload(entity, departure="2026-11-26"), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["departure"]


def test_partial_update_checks_dates_against_the_stored_ones(api_front_desk):
    reservation = make_reservation()  # 2026-11-27 .. 2026-11-30
    url = f"{URL}{reservation.pk}/"
    response = api_front_desk.patch(url, {"arrival": "2026-12-05"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["departure"]
    response = api_front_desk.patch(url, {"departure": "2026-12-01"}, format="json")
    assert response.status_code == 200
    reservation.refresh_from_db()
    assert str(reservation.departure) == "2026-12-01"


def test_per_field_errors(api_front_desk):
    response = api_front_desk.post(
        URL,
        {
            "legal_entity": 999999,
            "arrival": "soon",
            "status": "maybe",
            "phone": "12",
            "email": "nope",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {
        "legal_entity",
        "arrival",
        "departure",
        "status",
        "phone",
        "email",
    }
    assert not Reservation.objects.exists()


def test_inactive_legal_entity_cannot_be_chosen(api_front_desk):
    entity = make_legal_entity(is_active=False)
    response = api_front_desk.post(URL, _payload(entity), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["legal_entity"]


def test_list_counts_guests(api_front_desk):
    reservation = make_reservation()
    make_guest(reservation, "Репин")
    make_guest(reservation, "Серов")
    make_reservation()
    rows = api_front_desk.get(URL).json()["results"]
    counts = {row["id"]: row["guests_count"] for row in rows}
    assert counts[reservation.pk] == 2
    assert sorted(counts.values()) == [0, 2]


def test_put_updates_and_retrieve_shows_it(api_front_desk):
    reservation = make_reservation()
    entity = make_legal_entity()
    url = f"{URL}{reservation.pk}/"
    response = api_front_desk.put(url, _payload(entity, note="late"), format="json")
    assert response.status_code == 200
    body = api_front_desk.get(url).json()
    assert (body["legal_entity"], body["note"]) == (entity.pk, "late")
    assert api_front_desk.get(f"{URL}999999/").status_code == 404
