"""/api/v1/integrations/emis/: passwords write-only, admin role."""

import logging

import pytest
import responses
from cryptography.fernet import Fernet

from emis.models import EmisConnection
from tests.support.emis_connection import (
    API_PASSWORD,
    WEB_PASSWORD,
    raw_row,
    save_connection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"

URL = "/api/v1/integrations/emis/"
TEST_URL = "/api/v1/integrations/emis/test/"
FULL = {
    "base_url": "https://emis.test",
    "web_login": "pms-web",
    "web_password": WEB_PASSWORD,
    "api_login": "pms-api",
    "api_password": API_PASSWORD,
    "is_active": True,
}


def test_front_desk_is_refused(front_desk_client):
    assert front_desk_client.get(URL).status_code == 403
    assert (
        front_desk_client.put(URL, FULL, content_type="application/json").status_code
        == 403
    )
    assert front_desk_client.post(TEST_URL).status_code == 403
    assert not EmisConnection.objects.exists()


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_get_before_anything_is_saved(admin_client_):
    body = admin_client_.get(URL).json()
    assert body == {
        "base_url": "",
        "web_login": "",
        "api_login": "",
        "is_active": False,
        "web_password_set": False,
        "api_password_set": False,
        "secrets_error": None,
    }


@responses.activate
def test_put_saves_and_never_returns_passwords(admin_client_, caplog):
    # Saving an active connection asks EMIS first: answered at the HTTP seam.
    responses.get(
        "https://emis.test/api/v1/ping", json={"status": "ok", "api_version": "1"}
    )
    caplog.set_level(logging.DEBUG)
    response = admin_client_.put(URL, FULL, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["web_password_set"] is True and body["api_password_set"] is True
    assert "web_password" not in body and "api_password" not in body
    text = response.content.decode() + admin_client_.get(URL).content.decode()
    assert API_PASSWORD not in text and WEB_PASSWORD not in text
    assert API_PASSWORD not in caplog.text and WEB_PASSWORD not in caplog.text
    assert API_PASSWORD not in str(raw_row())
    assert EmisConnection.load().api_password == API_PASSWORD


def test_activation_rule_gives_400_per_missing_field(admin_client_):
    data = {**FULL, "base_url": "", "api_password": None}
    response = admin_client_.put(URL, data, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"base_url", "api_password"}
    assert not EmisConnection.objects.filter(is_active=True).exists()


def test_patch_keeps_omitted_passwords_and_null_clears(admin_client_):
    save_connection()
    response = admin_client_.patch(
        URL, {"web_login": "web2"}, content_type="application/json"
    )
    assert response.status_code == 200
    conn = EmisConnection.load()
    assert (conn.web_login, conn.web_password) == ("web2", WEB_PASSWORD)

    response = admin_client_.patch(
        URL, {"is_active": False, "web_password": None}, content_type="application/json"
    )
    assert response.json()["web_password_set"] is False
    response = admin_client_.patch(
        URL, {"is_active": True}, content_type="application/json"
    )
    assert response.status_code == 400 and "web_password" in response.json()


def test_put_requires_the_public_fields(admin_client_):
    response = admin_client_.put(
        URL, {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 400
    assert {"base_url", "web_login", "api_login"} <= set(response.json())


def test_bad_url_is_a_field_error(admin_client_):
    data = {**FULL, "base_url": "not a url"}
    response = admin_client_.put(URL, data, content_type="application/json")
    assert response.status_code == 400 and "base_url" in response.json()


def test_lost_key_is_reported_not_a_500(admin_client_, settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection()
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    body = admin_client_.get(URL).json()
    assert body["api_password_set"] is True
    assert "cannot be decrypted" in body["secrets_error"]


@responses.activate
def test_test_endpoint_ok_and_refused(admin_client_):
    save_connection()
    responses.get(
        "https://emis.test/api/v1/ping", json={"status": "ok", "api_version": "1"}
    )
    # The API takes JSON only (issue 14): an empty body says so too.
    answer = admin_client_.post(TEST_URL, content_type="application/json")
    assert answer.json() == {"ok": True}

    responses.replace(responses.GET, "https://emis.test/api/v1/ping", status=401)
    body = admin_client_.post(
        TEST_URL, {"api_password": "wrong"}, content_type="application/json"
    ).json()
    assert body["ok"] is False
    assert body["error"]["code"] == "api_auth_failed"
    assert body["error"]["message"]


def test_test_endpoint_without_values(admin_client_):
    body = admin_client_.post(TEST_URL, content_type="application/json").json()
    assert body["ok"] is False and body["error"]["code"] == "incomplete"


def test_schema_generates(admin_client_):
    assert admin_client_.get("/api/schema/").status_code == 200
