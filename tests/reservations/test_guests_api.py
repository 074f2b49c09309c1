"""/api/v1/reservations/{id}/guests/: the person ID is created once and kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pms.roles import Role
from reservations.models import (
    DocumentKind,
    IdentityDocument,
    MigrationCard,
    Person,
    Stay,
    Visa,
)
from tests.factories import (
    VALID_INN,
    make_guest,
    make_person,
    make_reservation,
    make_user,
)

pytestmark = pytest.mark.django_db


def _guests_url(reservation_id: int) -> str:
    return f"/api/v1/reservations/{reservation_id}/guests/"


def test_the_whole_flow_keeps_one_person_id(api_admin):
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "front", "password": "pass-12345"}
    )
    assert token.status_code == 400  # no such user yet
    make_user(Role.FRONT_DESK, username="front")
    key = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "front", "password": "pass-12345"})
        .json()["token"]
    )
    desk = APIClient()
    desk.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    entity = api_admin.post(
        "/api/v1/legal-entities/",
        {"name": "ООО Отель", "inn": VALID_INN},
        format="json",
    ).json()
    reservation = desk.post(
        "/api/v1/reservations/",
        {
            "legal_entity": entity["id"],
            "arrival": "2026-11-27",
            "departure": "2026-11-30",
        },
        format="json",
    ).json()

    stay = desk.post(
        _guests_url(reservation["id"]), {"surname": "Репин"}, format="json"
    )
    assert stay.status_code == 201
    stay = stay.json()
    person_id = stay["person_id"]
    assert isinstance(person_id, int)
    assert stay["registration_from"] == "2026-11-27"
    assert stay["registration_to"] == "2026-11-30"
    # Only a surname so far: no citizenship nor document yet, and the API says
    # so with the checks every page shows.
    assert [w["code"] for w in stay["warnings"]] == [
        "citizenship_unknown",
        "no_identity_document",
    ]
    assert stay["card_issued"] is False

    person_url = f"/api/v1/persons/{person_id}/"
    edited = desk.patch(person_url, {"given_names": "Илья"}, format="json").json()
    assert edited["id"] == person_id
    assert desk.get(person_url).json()["given_names"] == "Илья"
    listed = desk.get(_guests_url(reservation["id"])).json()
    assert [row["person_id"] for row in listed] == [person_id]
    assert listed[0]["given_names"] == "Илья"

    second = desk.post(
        "/api/v1/reservations/",
        {
            "legal_entity": entity["id"],
            "arrival": "2027-01-10",
            "departure": "2027-01-12",
        },
        format="json",
    ).json()
    attached = desk.post(
        _guests_url(second["id"]), {"person_id": person_id}, format="json"
    )
    assert attached.status_code == 201
    assert attached.json()["person_id"] == person_id
    assert attached.json()["registration_from"] == "2027-01-10"
    assert attached.json()["id"] != stay["id"]

    other = desk.post(
        _guests_url(reservation["id"]), {"surname": "Серов"}, format="json"
    )
    assert other.json()["person_id"] != person_id
    assert Person.objects.filter(surname="Репин").count() == 1


def test_new_guest_with_person_and_stay_fields(api_front_desk):
    reservation = make_reservation()
    response = api_front_desk.post(
        _guests_url(reservation.pk),
        {
            "surname": "Щеглова",
            "given_names": "Юлия",
            "phone": "+7 912 345 67 89",
            "citizenship": "rus",
            "latin": {"surname": "SHCHEGLOVA"},
            "registration_from": "2026-11-28",
            "card_issued": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    stay = Stay.objects.select_related("person").get(pk=response.json()["id"])
    person = stay.person
    assert (person.given_names, person.phone, person.citizenship) == (
        "Юлия",
        "+79123456789",
        "RUS",
    )
    assert person.surname_latin == "SHCHEGLOVA"
    assert str(stay.registration_from) == "2026-11-28"
    assert str(stay.registration_to) == "2026-11-30"
    assert stay.card_issued is True
    assert person.changes.filter(field="surname", new_value="Щеглова").exists()


def test_surname_is_required_for_a_new_person(api_front_desk):
    reservation = make_reservation()
    for payload in ({}, {"surname": ""}, {"given_names": "Илья"}):
        response = api_front_desk.post(
            _guests_url(reservation.pk), payload, format="json"
        )
        assert response.status_code == 400
        assert "surname" in response.json()
    assert not Person.objects.exists()


def test_unknown_person_id_is_a_clear_400(api_front_desk):
    reservation = make_reservation()
    response = api_front_desk.post(
        _guests_url(reservation.pk),
        {"person_id": 999999},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"person_id": ["No person with ID 999999."]}


def test_person_already_in_the_reservation_is_a_400(api_front_desk):
    stay = make_guest(make_reservation())
    response = api_front_desk.post(
        _guests_url(stay.reservation_id), {"person_id": stay.person_id}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["person_id"]
    assert Stay.objects.count() == 1


def test_person_id_with_person_fields_is_refused(api_front_desk):
    person = make_person("Репин")
    response = api_front_desk.post(
        _guests_url(make_reservation().pk),
        {"person_id": person.pk, "surname": "Другой"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["person_id"]
    person.refresh_from_db()
    assert person.surname == "Репин"


def test_registration_dates_are_checked_per_field(api_front_desk):
    reservation = make_reservation()  # 2026-11-27 .. 2026-11-30
    response = api_front_desk.post(
        _guests_url(reservation.pk),
        {"surname": "Репин", "registration_from": "2026-12-05"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["registration_to"]
    assert not Person.objects.exists()


def test_unknown_reservation_is_404(api_front_desk):
    assert api_front_desk.get(_guests_url(999999)).status_code == 404
    response = api_front_desk.post(_guests_url(999999), {"surname": "X"}, format="json")
    assert response.status_code == 404
    assert not Person.objects.exists()


def test_stay_detail_patch_and_delete_keeps_the_person(api_front_desk):
    stay = make_guest(make_reservation(), "Репин")
    url = f"{_guests_url(stay.reservation_id)}{stay.pk}/"
    body = api_front_desk.get(url).json()
    assert body["surname"] == "Репин" and body["person_id"] == stay.person_id

    response = api_front_desk.patch(
        url, {"card_issued": True, "registration_to": "2026-11-29"}, format="json"
    )
    assert response.status_code == 200
    stay.refresh_from_db()
    assert stay.card_issued and str(stay.registration_to) == "2026-11-29"

    bad = api_front_desk.patch(url, {"registration_to": "2026-11-01"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["registration_to"]

    assert api_front_desk.delete(url).status_code == 204
    assert not Stay.objects.filter(pk=stay.pk).exists()
    assert Person.objects.filter(pk=stay.person_id).exists()
    assert api_front_desk.get(url).status_code == 404


def test_stay_of_another_reservation_is_404(api_front_desk):
    stay = make_guest(make_reservation())
    other = make_reservation()
    url = f"{_guests_url(other.pk)}{stay.pk}/"
    assert api_front_desk.get(url).status_code == 404
    assert api_front_desk.delete(url).status_code == 404
    assert Stay.objects.filter(pk=stay.pk).exists()


def _add_documents(person: Person) -> None:
    IdentityDocument.objects.create(
        person=person, kind=DocumentKind.NATIONAL_PASSPORT, number="C01X00T47"
    )
    Visa.objects.create(person=person, number="123456789")
    MigrationCard.objects.create(person=person, series="4517", number="1234567")


def _count_list_queries(client, reservation_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_guests_url(reservation_id))
    assert response.status_code == 200
    return len(queries), response.json()


def test_guest_list_makes_a_fixed_number_of_queries(api_front_desk):
    small, large = make_reservation(), make_reservation()
    _add_documents(make_guest(small).person)
    for index in range(30):
        stay = make_guest(large, f"Гость{index}")
        _add_documents(stay.person)
    make_guest(large, "Без документов")

    one, small_rows = _count_list_queries(api_front_desk, small.pk)
    many, large_rows = _count_list_queries(api_front_desk, large.pk)
    assert len(small_rows) == 1 and len(large_rows) == 31
    assert one == many, (one, many)
    # token+user, groups, reservation, stays, docs, visas, the access log's
    # INSERT (one for all listed guests)
    assert many <= 7, many
