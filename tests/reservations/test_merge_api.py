"""POST /api/v1/persons/{id}/merge/ and what the API answers for a merged
person's ID afterwards."""

import pytest

from reservations.models import IdentityDocument, Person, PersonAlias, Stay
from reservations.services import person_merge, stay_create
from tests.factories import make_guest, make_person, make_reservation

pytestmark = pytest.mark.django_db


def _merge(client, person_id, into):
    return client.post(
        f"/api/v1/persons/{person_id}/merge/", {"into": into}, format="json"
    )


@pytest.fixture
def pair():
    older = make_guest(make_reservation(), surname="Репин").person
    newer = make_guest(make_reservation(), surname="Repin").person
    for person in (older, newer):
        IdentityDocument.objects.create(
            person=person, kind="passport_rf", series="4510", number="123456"
        )
    return older, newer


def test_admin_merges_and_gets_the_survivor(api_admin, pair):
    older, newer = pair
    response = _merge(api_admin, newer.pk, older.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == older.pk
    assert response["ETag"] == api_admin.get(f"/api/v1/persons/{older.pk}/")["ETag"]
    assert [d["number"] for d in body["documents"]] == ["123456"]  # kept once
    assert not Person.objects.filter(pk=newer.pk).exists()
    assert Stay.objects.filter(person=older).count() == 2


def test_only_admins_merge(api_front_desk, api_support, api_anonymous, pair):
    older, newer = pair
    assert _merge(api_front_desk, newer.pk, older.pk).status_code == 403
    assert _merge(api_support, newer.pk, older.pk).status_code == 403
    assert _merge(api_anonymous, newer.pk, older.pk).status_code == 401
    assert Person.objects.filter(pk=newer.pk).exists()


@pytest.mark.usefixtures("english")
def test_refusals_are_409_with_the_api_error_shape(api_admin, pair):
    older, newer = pair
    itself = _merge(api_admin, older.pk, older.pk)
    assert itself.status_code == 409
    assert itself.json() == {
        "detail": "A person cannot be merged into itself.",
        "code": "merge_into_itself",
    }
    person_merge(person_id=newer.pk, into_id=older.pk)
    third = make_person("Третий")
    into_alias = _merge(api_admin, third.pk, newer.pk)
    assert into_alias.status_code == 409
    assert into_alias.json() == {
        "detail": (
            f"Person ID {newer.pk} was itself merged into person ID {older.pk}: "
            f"merge into {older.pk} instead."
        ),
        "code": "merge_into_alias",
    }
    merged_again = _merge(api_admin, newer.pk, third.pk)
    assert merged_again.status_code == 409
    assert merged_again.json()["code"] == "already_merged"
    repeated = _merge(api_admin, newer.pk, older.pk)  # the same merge twice
    assert repeated.status_code == 409
    assert repeated.json()["code"] == "already_merged"


@pytest.mark.usefixtures("english")
def test_guests_of_one_reservation_are_refused_with_the_reservation(api_admin, pair):
    older, newer = pair
    shared = make_reservation()
    stay_create(reservation=shared, person=older)
    stay_create(reservation=shared, person=newer)
    response = _merge(api_admin, newer.pk, older.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "same_reservation"
    assert f"reservation {shared.pk}" in response.json()["detail"]


def test_bad_requests(api_admin, pair):
    older, newer = pair
    assert _merge(api_admin, newer.pk, "x").status_code == 400
    unknown_into = _merge(api_admin, newer.pk, 987654)
    assert unknown_into.status_code == 400 and "into" in unknown_into.json()
    assert _merge(api_admin, 987654, older.pk).status_code == 404


def test_an_alias_redirects_to_the_survivor(api_front_desk, pair):
    older, newer = pair
    person_merge(person_id=newer.pk, into_id=older.pk)
    response = api_front_desk.get(f"/api/v1/persons/{newer.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/persons/{older.pk}/"
    assert response.json()["person_id"] == older.pk
    followed = api_front_desk.get(response["Location"])
    assert followed.status_code == 200 and followed.json()["id"] == older.pk
    # A write is redirected with its method kept, never applied to nobody.
    patch = api_front_desk.patch(
        f"/api/v1/persons/{newer.pk}/", {"phone": "+79990001122"}, format="json"
    )
    assert patch.status_code == 308
    assert patch["Location"] == f"/api/v1/persons/{older.pk}/"
    duplicates = api_front_desk.get(f"/api/v1/persons/{newer.pk}/duplicates/?x=1")
    assert duplicates.status_code == 301
    assert duplicates["Location"] == f"/api/v1/persons/{older.pk}/duplicates/?x=1"
    assert api_front_desk.get("/api/v1/persons/987654/").status_code == 404


def test_an_api_client_attaching_an_old_id_attaches_the_survivor(api_front_desk, pair):
    older, newer = pair
    person_merge(person_id=newer.pk, into_id=older.pk)
    reservation = make_reservation()
    response = api_front_desk.post(
        f"/api/v1/reservations/{reservation.pk}/guests/",
        {"person_id": newer.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["person_id"] == older.pk
    assert PersonAlias.objects.get(pk=newer.pk).person_id == older.pk
