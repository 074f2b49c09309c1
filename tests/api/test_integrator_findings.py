"""Issue 14, the outside integrator's findings: each answer below was a 500,
an HTML page or a shape the document did not name (pms/api.py,
pms/openapi.py, pms/strict_json.py, pms/middleware.py)."""

from __future__ import annotations

import json

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


# --- B2: under /api/ every answer is JSON, DEBUG or not ---------------------------


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # as scripts/run.sh runs the product


@pytest.mark.usefixtures("debug")
@pytest.mark.parametrize(
    "path", ["/api/v1/persons/abc/", "/api/v1/no-such-thing/", "/api/nothing"]
)
def test_an_unknown_api_path_is_a_json_404_under_debug(api_front_desk, path):
    response = api_front_desk.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("debug_on", [True, False])
def test_a_missing_slash_is_a_308_to_the_slashed_url(api_admin, settings, debug_on):
    settings.DEBUG = debug_on
    response = api_admin.post(
        "/api/v1/legal-entities?x=1", {"name": "A"}, format="json"
    )
    assert response.status_code == 308  # same method, same body
    assert response["Location"] == "/api/v1/legal-entities/?x=1"
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.usefixtures("debug")
def test_an_unexpected_error_is_a_json_500_under_debug(api_admin, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret-detail-xyz")

    monkeypatch.setattr("legal_entities.api.LegalEntityViewSet.list", explode)
    api_admin.raise_request_exception = False
    response = api_admin.get("/api/v1/legal-entities/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}
    assert b"secret-detail-xyz" not in response.content


# --- B3, m5: a bad legal entity is a 400 in the API's shapes, the same on both -----


def _inactive_entity():
    entity = make_legal_entity(name="ООО Спящая")
    entity.is_active = False
    entity.save(update_fields=["is_active"])
    return entity


@pytest.mark.parametrize("action", ["pull", "upload-link"])
def test_an_inactive_legal_entity_is_a_400_with_its_code(api_front_desk, action):
    entity = _inactive_entity()
    stay = make_guest(make_reservation(entity))
    response = api_front_desk.post(
        f"/api/v1/persons/{stay.person_id}/emis/{action}/",
        {"legal_entity": entity.pk},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "legal_entity_inactive"
    assert "ООО Спящая" in body["detail"]


@pytest.mark.parametrize("action", ["pull", "upload-link"])
def test_an_unknown_legal_entity_is_a_field_error_on_both(api_front_desk, action):
    stay = make_guest(make_reservation())
    response = api_front_desk.post(
        f"/api/v1/persons/{stay.person_id}/emis/{action}/",
        {"legal_entity": MAX_QUERY_INT},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["legal_entity"]


# --- m2: an unknown method is a translated JSON 405 naming the path's methods ------


@pytest.mark.parametrize("method", ["TRACE", "FOO"])
def test_an_unknown_method_names_the_paths_own_methods(api_admin, method):
    response = api_admin.generic(method, "/api/v1/legal-entities/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}
    assert set(response["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}


def test_an_unknown_methods_answer_is_translated(api_admin, settings):
    settings.LANGUAGE_CODE = "ru"
    response = api_admin.generic("TRACE", "/api/v1/legal-entities/")
    assert response.json() == {"detail": 'Метод "TRACE" не разрешен.'}


# --- m6: every pattern in the document is one tools can use -------------------------


def _patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_no_pattern_holds_a_surrogate_range(document):
    for pattern in _patterns(document):
        assert "\\ud8" not in pattern.lower() and "\\udf" not in pattern.lower()


def test_a_lone_surrogate_in_a_credential_is_still_refused(api_admin):
    body = json.dumps({"api_login": "a\ud800"})  # ASCII: the escape "\\ud800"
    response = api_admin.patch(
        "/api/v1/integrations/emis/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "api_login" in response.json()


# --- m7: the document's own 401 is JSON ---------------------------------------------


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema/swagger/"])
def test_the_schema_without_a_login_is_a_json_401(api_anonymous, path):
    response = api_anonymous.get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_the_schema_still_comes_as_yaml_and_the_page_as_html(admin_client_):
    assert admin_client_.get("/api/schema/")["Content-Type"].startswith(
        "application/vnd.oai.openapi;"  # YAML
    )
    assert "html" in admin_client_.get("/api/schema/swagger/")["Content-Type"]


# --- m4: each server rule is named in its operation's description --------------------


@pytest.mark.parametrize(
    ("path", "method", "words"),
    [
        ("/api/v1/reservations/{reservation_id}/guests/", "post", "already a guest"),
        ("/api/v1/reservations/{reservation_id}/guests/", "post", "1900–2100"),
        ("/api/v1/emis/name-policy/preview/", "post", "at least one script"),
        ("/api/v1/integrations/emis/", "put", "passwords given again"),
        ("/api/v1/integrations/emis/", "patch", "credentials it refuses"),
        ("/api/v1/persons/{person_id}/merge/", "post", "must exist"),
        ("/api/v1/persons/{person_id}/emis/conflicts/resolve/", "post", "open conflict"),
    ],
)
def test_the_server_rules_are_in_the_descriptions(document, path, method, words):
    assert words in document["paths"][path][method]["description"]


def test_the_missing_slash_answer_is_translated(api_admin, settings):
    settings.LANGUAGE_CODE = "ru"
    response = api_admin.post("/api/v1/legal-entities", {}, format="json")
    assert response.json() == {"detail": "Перемещено навсегда."}
