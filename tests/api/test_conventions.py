"""Issue 14: every API answer is JSON in the one error shape, the bugs the
outside Schemathesis run found stay fixed, and the document says what the
API does (pms/api.py, pms/openapi.py, pms/pagination.py, pms/strict_json.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from pms.pagination import MAX_QUERY_INT
from tests.factories import VALID_INN, make_legal_entity, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --- JSON answers from Django's own error paths ---------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/persons/abc/",  # not a number: the URL resolver's 404
        f"/api/v1/persons/{MAX_QUERY_INT + 1}/",  # no row can have it
        "/api/v1/persons/0/emis/pull/",
        f"/api/v1/reservations/{MAX_QUERY_INT + 1}/",
        "/api/v1/no-such-thing/",
    ],
)
def test_unknown_api_path_is_a_json_404(api_front_desk, path):
    response = api_front_desk.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_page_outside_the_api_stays_html(front_desk_client):
    response = front_desk_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed_is_json_with_allow(api_admin):
    response = api_admin.delete("/api/v1/legal-entities/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert "GET" in response["Allow"]


def test_unexpected_error_is_a_json_500_that_tells_nothing(admin_user, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret-detail-xyz")

    monkeypatch.setattr("legal_entities.api.LegalEntityViewSet.list", explode)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/api/v1/legal-entities/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}
    assert b"secret-detail-xyz" not in response.content


def test_a_browser_asking_for_html_gets_json(api_front_desk):
    response = api_front_desk.get("/api/v1/reservations/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_options_on_the_emis_connection_answers(api_admin):
    """Was a 500: DRF's metadata looked for a queryset the view has none of."""
    response = api_admin.options("/api/v1/integrations/emis/")
    assert response.status_code == 200
    assert "PUT" in response.json()["actions"]


# --- paging -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"limit": 2**63}, "limit"),  # was a 500 (64-bit overflow)
        ({"limit": 2**64 + 5}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"offset": 2**63}, "offset"),
        ({"offset": "1.5"}, "offset"),
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/reservations/", "/api/v1/legal-entities/"])
def test_bad_paging_parameter_is_a_400_naming_it(api_front_desk, url, query, name):
    response = api_front_desk.get(url, query)
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_a_large_limit_is_clamped_not_refused(api_front_desk):
    for _ in range(3):
        make_legal_entity()
    response = api_front_desk.get("/api/v1/legal-entities/", {"limit": 2**63 - 1})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


# --- JSON bodies at their JSON types ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", 5), ("inn", 7707083893), ("is_active", "true"), ("is_active", 1)],
)
def test_a_value_of_another_json_type_is_refused(api_admin, field, value):
    body = {"name": "ООО Ромашка", "inn": VALID_INN, field: value}
    response = api_admin.post("/api/v1/legal-entities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_same_values_at_their_types_are_taken(api_admin):
    body = {"name": "ООО Ромашка", "inn": VALID_INN, "is_active": True}
    assert (
        api_admin.post("/api/v1/legal-entities/", body, format="json").status_code
        == 201
    )


def test_a_related_id_is_a_number_not_a_string(api_admin):
    entity = make_legal_entity()
    body = {
        "legal_entity": str(entity.pk),
        "arrival": "2026-12-01",
        "departure": "2026-12-03",
    }
    response = api_admin.post("/api/v1/reservations/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["legal_entity"]


def test_a_date_is_only_yyyy_mm_dd(api_admin):
    reservation = make_reservation()
    url = f"/api/v1/reservations/{reservation.pk}/"
    assert (
        api_admin.patch(url, {"arrival": "20261127"}, format="json").status_code == 400
    )
    assert (
        api_admin.patch(url, {"arrival": "2026-11-27"}, format="json").status_code
        == 200
    )


def test_max_length_counts_what_was_sent(api_admin):
    """DRF trims before it counts; the document's maxLength cannot."""
    body = {"name": "ООО Ромашка", "inn": VALID_INN, "ogrn": "\u0085" * 16}
    response = api_admin.post("/api/v1/legal-entities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["ogrn"]


def test_a_form_encoded_body_is_refused(api_admin):
    response = api_admin.post(
        "/api/v1/legal-entities/", {"name": "X", "inn": VALID_INN}, format="multipart"
    )
    assert response.status_code == 415


@pytest.mark.parametrize("query", [{"status": ""}, {"person": ""}])
def test_a_blank_filter_is_refused(api_admin, query):
    response = api_admin.get("/api/v1/emis/deliveries/", query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_a_blank_board_date_is_today_as_no_date_is(api_front_desk):
    """Like a blank ``?limit=`` (the default): a blank day is today, as a
    form's empty date field sends it — not a filter left blank."""
    blank = api_front_desk.get("/api/v1/arrivals/", {"date": ""})
    assert blank.status_code == 200
    assert blank.json() == api_front_desk.get("/api/v1/arrivals/").json()


# --- the document ---------------------------------------------------------------


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_its_errors(document):
    for path, method, operation in _operations(document):
        codes = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if "requestBody" in operation:
            assert {"400", "415"} <= codes, (method, path)
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert "application/json" in response["content"], (method, path, code)


def test_only_the_login_takes_more_than_json(document):
    for path, _method, operation in _operations(document):
        if "requestBody" in operation and path != "/api/v1/auth/token/":
            assert list(operation["requestBody"]["content"]) == ["application/json"]


def test_the_person_patch_documents_its_version_check(document):
    patch = document["paths"]["/api/v1/persons/{person_id}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert "ETag" in patch["responses"]["412"]["headers"]
    assert "ETag" in patch["responses"]["200"]["headers"]


def test_a_merged_persons_redirect_is_documented(document):
    person = document["paths"]["/api/v1/persons/{person_id}/"]
    assert "Location" in person["get"]["responses"]["301"]["headers"]
    assert "Location" in person["patch"]["responses"]["308"]["headers"]


def test_request_rules_are_in_the_document(document):
    schemas = document["components"]["schemas"]
    entity = schemas["LegalEntityRequest"]["properties"]
    assert "[0-9]{10}|[0-9]{12}" in entity["inn"]["pattern"]
    assert entity["name"]["minLength"] == 1
    person = schemas["PatchedPersonRequest"]["properties"]
    assert "-?" not in person["discount"]["pattern"]  # a discount is >= 0
    rule, blank = person["citizenship"]["anyOf"]
    assert "[Rr][Uu][Ss]" in rule["pattern"]
    assert blank == {"type": "string", "maxLength": 0}


def test_creates_link_to_reads_and_updates(document):
    create = document["paths"]["/api/v1/reservations/"]["post"]
    links = create["responses"]["201"]["links"]
    assert links["V1ReservationsRetrieve"] == {
        "operationId": "v1_reservations_retrieve",
        "parameters": {"id": "$response.body#/id"},
    }
    guests = document["paths"]["/api/v1/reservations/{reservation_id}/guests/"]
    links = guests["post"]["responses"]["201"]["links"]
    assert links["V1PersonsPartialUpdate"]["parameters"] == {
        "person_id": "$response.body#/person_id"
    }
