"""Issue 14, the outside integrator's findings: each answer below was a 500,
an HTML page or a shape the document did not name (pms/api.py,
pms/openapi.py, pms/strict_json.py, pms/middleware.py)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from pms.pagination import MAX_QUERY_INT
from tests.factories import make_guest, make_legal_entity, make_person, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOO_BIG = MAX_QUERY_INT + 1


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


# --- B1: an ID in a body past 64 bits is a 400, and the document bounds it --------


def test_a_guests_person_id_past_64_bits_is_a_400(api_front_desk):
    reservation = make_reservation()
    response = api_front_desk.post(
        f"/api/v1/reservations/{reservation.pk}/guests/",
        {"person_id": TOO_BIG},
        format="json",
    )
    assert response.status_code == 400
    assert "person_id" in response.json()


def test_a_merge_into_past_64_bits_is_a_400(api_admin):
    person = make_person()
    response = api_admin.post(
        f"/api/v1/persons/{person.pk}/merge/",
        {"into": 99999999999999999999},
        format="json",
    )
    assert response.status_code == 400
    assert "into" in response.json()


@pytest.mark.parametrize("value", [TOO_BIG, 0, -1])
def test_a_related_id_out_of_range_is_a_400(api_front_desk, value):
    response = api_front_desk.post(
        "/api/v1/reservations/",
        {"legal_entity": value, "check_in": "2026-03-01", "check_out": "2026-03-02"},
        format="json",
    )
    assert response.status_code == 400
    assert "legal_entity" in response.json()


def test_a_document_id_past_64_bits_is_a_400(api_admin):
    stay = make_guest(make_reservation())
    response = api_admin.patch(
        f"/api/v1/persons/{stay.person_id}/",
        {"documents": [{"id": TOO_BIG}]},
        format="json",
    )
    assert response.status_code == 400, response.content


def test_the_document_bounds_every_id_in_a_body(document):
    schemas = document["components"]["schemas"]
    bounded = {
        ("GuestCreateRequest", "person_id"),
        ("MergeRequestRequest", "into"),
        ("ReservationRequest", "legal_entity"),
    }
    for name, field in bounded:
        schema = schemas[name]["properties"][field]
        assert schema["minimum"] == 1, (name, field)
        assert schema["maximum"] == MAX_QUERY_INT, (name, field)
    for name, schema in schemas.items():
        for field, rule in schema.get("properties", {}).items():
            if name.endswith("Request") and rule.get("type") == "integer":
                assert rule.get("maximum") is not None, (name, field)
