"""POST /api/v1/persons/{id}/erase/ and GET /api/v1/persons/{id}/export/:
admins only, the reason required, 409 while a stay is current or future,
the export holding everything, history included, and recorded as a read."""

from __future__ import annotations

import pytest

from personal_data.models import PersonalDataAccess, PersonErasure
from reservations.models import Person
from reservations.services import stay_create

from .conftest import EMAIL, NUMBER, PHONE, SURNAME, coming

pytestmark = pytest.mark.django_db


def _erase(client, person_id, body):
    return client.post(f"/api/v1/persons/{person_id}/erase/", body, format="json")


def test_an_admin_erases_with_a_reason(api_admin, guest):
    response = _erase(api_admin, guest.person.pk, {"reason": "Заявление от 20.11.2026"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person_id"] == guest.person.pk and body["rule"] == "request"
    assert body["reason"] == "Заявление от 20.11.2026" and body["user_id"] is not None
    assert Person.objects.get(pk=guest.person.pk).phone == ""


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_the_reason_is_required(api_admin, guest, body):
    response = _erase(api_admin, guest.person.pk, body)
    assert response.status_code == 400
    assert "reason" in str(response.json())
    assert not PersonErasure.objects.exists()


def test_409_while_the_guest_has_a_current_or_future_stay(api_admin, guest):
    stay_create(reservation=coming(guest.legal_entity), person=guest.person)
    response = _erase(api_admin, guest.person.pk, {"reason": "Заявление"})
    assert response.status_code == 409
    assert response.json()["code"] == "person_has_current_stay"
    assert Person.objects.get(pk=guest.person.pk).phone == PHONE


def test_only_admins(api_front_desk, api_support, guest):
    for client in (api_front_desk, api_support):
        assert _erase(client, guest.person.pk, {"reason": "x"}).status_code == 403
        assert (
            client.get(f"/api/v1/persons/{guest.person.pk}/export/").status_code == 403
        )
    assert not PersonErasure.objects.exists()


def test_an_unknown_person_is_404_and_a_merged_id_moves(api_admin, guest):
    assert _erase(api_admin, 999999, {"reason": "x"}).status_code == 404
    response = api_admin.get(f"/api/v1/persons/{guest.duplicate_id}/export/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/persons/{guest.person.pk}/export/")


def test_the_export_holds_everything_and_is_recorded(api_admin, guest):
    response = api_admin.get(f"/api/v1/persons/{guest.person.pk}/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["person"]["surname_cyrillic"] == SURNAME[0]
    assert (data["person"]["phone"], data["person"]["email"]) == (PHONE, EMAIL)
    assert data["documents"][0]["number"] == NUMBER
    assert {row["field"] for row in data["history"]} >= {"surname", "phone", "number"}
    assert any(row["new_value"] == NUMBER for row in data["history"])
    assert len(data["stays"]) == 2  # its own and the merged duplicate's
    assert (
        data["stays"][0]["reservation"]["legal_entity"]["id"] == guest.legal_entity.pk
    )
    assert "phone" not in data["stays"][0]["reservation"]  # the booker's
    assert [a["id"] for a in data["merged_ids"]] == [guest.duplicate_id]
    assert data["emis_conflicts"] and data["emis_jobs"] and data["emis_deliveries"]
    reads = PersonalDataAccess.objects.filter(person_id=guest.person.pk)
    assert list(reads.values_list("kind", flat=True)) == ["export"]


def test_the_export_after_an_erasure_says_so(api_admin, guest):
    _erase(api_admin, guest.person.pk, {"reason": "Заявление"})
    data = api_admin.get(f"/api/v1/persons/{guest.person.pk}/export/").json()
    assert data["documents"] == [] and data["person"]["phone"] == ""
    assert data["erasures"][0]["reason"] == "Заявление"


def test_a_second_erasure_of_nothing_is_409_until_data_is_typed_in_again(
    api_admin, api_front_desk, guest
):
    pid = guest.person.pk
    assert _erase(api_admin, pid, {"reason": "Заявление 1"}).status_code == 200
    again = _erase(api_admin, pid, {"reason": "Заявление 2"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_erased"
    assert list(PersonErasure.objects.values_list("reason", flat=True)) == [
        "Заявление 1"
    ]
    # Staff may type into the erased profile (no stay needed): then there is
    # something to erase again.
    patch = api_front_desk.patch(
        f"/api/v1/persons/{pid}/", {"phone": "+79001112233"}, format="json"
    )
    assert patch.status_code == 200, patch.content
    assert _erase(api_admin, pid, {"reason": "Заявление 2"}).status_code == 200
    assert PersonErasure.objects.filter(person_id=pid).count() == 2
