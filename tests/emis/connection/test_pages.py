"""The EMIS connection page (/integrations/emis/, listed on Разное → Стыковки:
tests/integrations/test_pages.py)."""

import pytest
import responses
from cryptography.fernet import Fernet

from emis.models import EmisConnection
from tests.support.emis_connection import (
    API_PASSWORD,
    WEB_PASSWORD,
    connection_form,
    raw_row,
    save_connection,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "/integrations/"
EDIT = "/integrations/emis/"
FORM = connection_form()


def _emis_accepts() -> None:
    """Saving an active connection asks EMIS first: answered at the HTTP seam."""
    responses.get(
        "https://emis.test/api/v1/ping", json={"status": "ok", "api_version": "1"}
    )


def test_anonymous_goes_to_login(client):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_edit_page_shows_webhook_address_and_no_secret(admin_client_, settings):
    settings.PMS_PUBLIC_URL = "https://apart.ecvi.ru"
    save_connection()
    html = admin_client_.get(EDIT).content.decode()
    assert "https://apart.ecvi.ru/api/v1/emis/webhook/" in html
    assert API_PASSWORD not in html and WEB_PASSWORD not in html
    assert html.count('type="password"') == 2
    assert 'value="pms-api"' in html  # logins are not secrets
    assert html.count('class="badge ok">set<') == 2


def test_activation_needs_all_five_values(admin_client_):
    data = {**FORM, "web_password": "", "base_url": ""}
    page = admin_client_.post(EDIT, data)
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert set(errors) == {"base_url", "web_password", "__all__"}
    assert "Required to activate" in errors["web_password"][0]
    assert "cannot be activated" in page.content.decode()
    assert not EmisConnection.objects.filter(is_active=True).exists()


def test_inactive_connection_can_be_saved_incomplete(admin_client_):
    data = {**FORM, "is_active": "", "api_password": "", "web_password": ""}
    response = admin_client_.post(EDIT, data)
    assert response.status_code == 302
    conn = EmisConnection.load()
    assert (conn.api_login, conn.is_active, conn.api_password) == ("pms-api", False, "")


@responses.activate
def test_saving_encrypts_and_empty_submission_keeps_secrets(admin_client_):
    _emis_accepts()
    assert admin_client_.post(EDIT, FORM).status_code == 302
    assert API_PASSWORD not in str(raw_row())
    data = {**FORM, "web_password": "", "api_password": "", "web_login": "web2"}
    assert admin_client_.post(EDIT, data).status_code == 302
    conn = EmisConnection.load()
    assert (conn.web_login, conn.web_password, conn.api_password) == (
        "web2",
        WEB_PASSWORD,
        API_PASSWORD,
    )
    assert conn.is_active


def test_clear_checkbox_clears_a_secret_and_activation_then_fails(admin_client_):
    save_connection()
    data = {**FORM, "web_password": "", "api_password": "", "clear_api_password": "on"}
    page = admin_client_.post(EDIT, data)
    assert "api_password" in page.context["form"].errors
    data["is_active"] = ""
    assert admin_client_.post(EDIT, data).status_code == 302
    assert EmisConnection.load().api_password == ""


@responses.activate
def test_lost_key_is_shown_plainly_not_a_500(admin_client_, settings):
    _emis_accepts()
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection()
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    listing = admin_client_.get(LIST)
    assert listing.status_code == 200
    assert "cannot be decrypted" in listing.content.decode()
    page = admin_client_.get(EDIT)
    assert page.status_code == 200
    assert "cannot be decrypted" in page.content.decode()
    # Staying active with an unreadable secret is refused, field by field.
    keep = {**FORM, "web_password": "", "api_password": ""}
    errors = admin_client_.post(EDIT, keep).context["form"].errors
    assert "decrypted" in errors["api_password"][0]
    # Entering the passwords again repairs it.
    assert admin_client_.post(EDIT, FORM).status_code == 302
    assert EmisConnection.load().api_password == API_PASSWORD


@responses.activate
def test_malformed_key_on_save_is_a_form_error(admin_client_, settings):
    _emis_accepts()
    settings.PMS_ENCRYPTION_KEYS = ["garbage"]
    page = admin_client_.post(EDIT, FORM)
    assert page.status_code == 200
    assert "malformed key" in page.content.decode()


@responses.activate
def test_test_button_pings_with_unsaved_values(admin_client_):
    responses.get(
        "https://new.emis.test/api/v1/ping", json={"status": "ok", "api_version": "1"}
    )
    data = {**FORM, "base_url": "https://new.emis.test", "action": "test"}
    page = admin_client_.post(EDIT, data)
    html = page.content.decode()
    assert "Connection OK" in html
    assert API_PASSWORD not in html
    assert not EmisConnection.objects.exists()  # a test saves nothing


@responses.activate
def test_test_button_with_htmx_returns_the_result_fragment(admin_client_):
    save_connection()
    responses.get("https://emis.test/api/v1/ping", status=401)
    data = {**FORM, "api_password": "", "action": "test"}  # the stored one is used
    page = admin_client_.post(EDIT, data, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html
    assert 'data-code="api_auth_failed"' in html
    assert "refused the API credentials" in html
    auth = responses.calls[0].request.headers["Authorization"]
    assert auth == responses.calls[0].request.headers["Authorization"]


def test_test_button_unreachable_address(admin_client_):
    data = {**FORM, "base_url": "http://127.0.0.1:9", "action": "test"}
    html = admin_client_.post(EDIT, data).content.decode()
    assert "unreachable" in html


def test_test_button_with_an_invalid_address(admin_client_):
    data = {**FORM, "base_url": "not an address", "action": "test"}
    html = admin_client_.post(EDIT, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-ok="false"' in html
