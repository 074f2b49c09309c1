"""Token login, 401 for anonymous, 403 for the wrong role, the schema."""

import re

import pytest
from rest_framework.test import APIClient

from pms.roles import Role
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

pytestmark = pytest.mark.django_db


def test_token_login_then_token_header_authenticates():
    make_user(Role.FRONT_DESK, username="anna")
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "anna", "password": "pass-12345"},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    # The same user gets the same token again.
    again = client.post(
        "/api/v1/auth/token/", {"username": "anna", "password": "pass-12345"}
    )
    assert again.json()["token"] == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/reservations/").status_code == 200


def test_wrong_password_is_a_400_with_a_message():
    make_user(Role.FRONT_DESK, username="anna")
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "anna", "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()["non_field_errors"]
    assert errors == ["Unable to log in with provided credentials."]
    assert "token" not in response.json()


def test_missing_fields_give_per_field_errors():
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_logged_in_browser_needs_no_csrf_for_the_token_endpoint():
    make_user(Role.FRONT_DESK, username="anna")
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="anna", password="pass-12345")
    response = client.post(
        "/api/v1/auth/token/", {"username": "anna", "password": "pass-12345"}
    )
    assert response.status_code == 200


def _all_endpoints():
    stay = make_guest(make_reservation())
    r, e, p = stay.reservation_id, stay.reservation.legal_entity_id, stay.person_id
    return [
        ("get", "/api/v1/legal-entities/"),
        ("post", "/api/v1/legal-entities/"),
        ("get", f"/api/v1/legal-entities/{e}/"),
        ("patch", f"/api/v1/legal-entities/{e}/"),
        ("get", "/api/v1/reservations/"),
        ("post", "/api/v1/reservations/"),
        ("get", f"/api/v1/reservations/{r}/"),
        ("put", f"/api/v1/reservations/{r}/"),
        ("get", f"/api/v1/reservations/{r}/guests/"),
        ("post", f"/api/v1/reservations/{r}/guests/"),
        ("get", f"/api/v1/reservations/{r}/guests/{stay.pk}/"),
        ("patch", f"/api/v1/reservations/{r}/guests/{stay.pk}/"),
        ("delete", f"/api/v1/reservations/{r}/guests/{stay.pk}/"),
        ("get", f"/api/v1/persons/{p}/"),
        ("patch", f"/api/v1/persons/{p}/"),
        ("get", "/api/schema/"),
    ]


def test_anonymous_gets_401_not_a_redirect(api_anonymous):
    for method, url in _all_endpoints():
        response = getattr(api_anonymous, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_401(api_anonymous):
    api_anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_anonymous.get("/api/v1/reservations/").status_code == 401


def test_support_role_is_refused_front_desk_endpoints(api_support):
    for method, url in _all_endpoints():
        if url.startswith("/api/schema/"):
            continue
        response = getattr(api_support, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url)


def test_front_desk_reads_legal_entities_but_cannot_write(api_front_desk):
    entity = make_legal_entity(name="ООО Ромашка")
    listing = api_front_desk.get("/api/v1/legal-entities/")
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["ООО Ромашка"]
    url = f"/api/v1/legal-entities/{entity.pk}/"
    assert api_front_desk.patch(url, {"name": "X"}).status_code == 403
    assert api_front_desk.post("/api/v1/legal-entities/", {}).status_code == 403
    entity.refresh_from_db()
    assert entity.name == "ООО Ромашка"


def test_admin_does_what_front_desk_does(api_admin):
    stay = make_guest(make_reservation())
    assert api_admin.get(f"/api/v1/persons/{stay.person_id}/").status_code == 200


def test_schema_is_served_to_any_logged_in_user(support_client):
    response = support_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/reservations/{reservation_id}/guests/" in paths
    assert "/api/v1/persons/{person_id}/" in paths


def test_swagger_ui_works_offline(front_desk_client):
    response = front_desk_client.get("/api/schema/swagger/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html), html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    scripts = [a for a in assets if a.endswith((".js", ".css"))]
    assert any("swagger-ui-bundle" in a for a in scripts)
    for asset in assets:
        # Static files, and the page's own start-up script (served by the
        # split view as a separate request: the CSP allows no inline script).
        assert asset.startswith("/static/") or asset == "/api/schema/swagger/?script=", asset
        asset_response = front_desk_client.get(asset)
        assert asset_response.status_code == 200, asset
        b"".join(getattr(asset_response, "streaming_content", [b""]))


def test_swagger_needs_a_login(api_anonymous):
    assert api_anonymous.get("/api/schema/swagger/").status_code == 401
