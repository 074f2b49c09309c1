"""Разное → Стыковки and the EMIS connection page."""

import pytest
import responses
from cryptography.fernet import Fernet
from django.urls import reverse

from emis.models import EmisConnection
from integrations.models import ConnectorCall

from .helpers import (
    API_PASSWORD,
    WEB_PASSWORD,
    connection_form,
    raw_row,
    save_connection,
)

pytestmark = pytest.mark.django_db

LIST = "/integrations/"
EDIT = "/integrations/emis/"
FORM = connection_form()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _emis_accepts() -> None:
    """Saving an active connection asks EMIS first: answered at the HTTP seam."""
    responses.get(
        "https://emis.test/api/v1/ping", json={"status": "ok", "api_version": "1"}
    )


def test_urls_are_named():
    assert reverse("integrations:list") == LIST
    assert reverse("integrations:emis:edit") == EDIT


@pytest.mark.parametrize("url", [LIST, EDIT])
def test_front_desk_and_support_are_refused(front_desk_client, url):
    assert front_desk_client.get(url).status_code == 403
    assert front_desk_client.post(url, FORM).status_code == 403
    assert not EmisConnection.objects.filter(is_active=True).exists()


def test_support_is_refused(support_client):
    assert support_client.get(LIST).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_emis_with_its_state(admin_client_):
    page = admin_client_.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "EMIS Service" in html
    assert "Inactive" in html
    assert f'href="{EDIT}"' in html
    assert "Edit" in html


def test_list_shows_last_success_and_last_error_in_plain_words(admin_client_):
    save_connection()
    ConnectorCall.objects.create(connector="emis", operation="ping", ok=True)
    ConnectorCall.objects.create(
        connector="emis",
        operation="changes",
        ok=False,
        error_code="api_auth_failed",
        error_message="stored text",
    )
    html = admin_client_.get(LIST).content.decode()
    assert "Active" in html
    assert "EMIS refused the API credentials" in html  # from the code, translated
    assert 'class="error"' in html  # the failure is newer than the success


def test_list_is_in_russian_by_default(admin_client_, settings):
    settings.LANGUAGE_CODE = "ru"
    html = admin_client_.get(LIST, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Стыковки" in html
    assert "Редактировать" in html


def test_list_query_count_does_not_grow_with_calls(
    admin_client_, django_assert_max_num_queries
):
    save_connection()
    ConnectorCall.objects.bulk_create(
        ConnectorCall(connector="emis", operation="ping", ok=i % 2 == 0)
        for i in range(30)
    )
    with django_assert_max_num_queries(12):
        assert admin_client_.get(LIST).status_code == 200


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
