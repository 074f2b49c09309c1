"""Issue 8, item 15 (the connection form): saving runs the same check as
"Проверить подключение" when the result would be active and the address, the
API credentials or the switch itself is new.

- EMIS refuses the API credentials: not activated (a field error on the API
  password and a plain message; the API answers 400 naming the fields);
- EMIS does not answer: saved, with the warning "Сохранено, но EMIS не
  ответил: проверьте подключение позже" and the failed call in the log;
- saving inactive never asks EMIS.
"""

from __future__ import annotations

import pytest
import requests
import responses

from emis.models import EmisConnection
from integrations.models import ConnectorCall
from tests.factories import make_emis_connection
from tests.support.emis_connection import connection_body, connection_form, sandbox_form

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english", "no_emis_sleep"),
]

BASE = "https://emis.test"
PING = f"{BASE}/api/v1/ping"
EDIT = "/integrations/emis/"
API = "/api/v1/integrations/emis/"
API_PASSWORD = "Api-Pw-7Jq"
WEB_PASSWORD = "Web-Pw-3Rt"
FORM = connection_form(web_password=WEB_PASSWORD, api_password=API_PASSWORD)
BODY = connection_body(web_password=WEB_PASSWORD, api_password=API_PASSWORD)


def _refuses(http) -> None:
    http.get(
        PING,
        status=401,
        json={"error": {"code": "api_auth_failed", "message": "wrong"}},
    )


def _accepts(http) -> None:
    http.get(PING, json={"status": "ok", "api_version": "1"})


def _store(is_active: bool = True) -> None:
    api, web = ("pms-api", API_PASSWORD), ("pms-web", WEB_PASSWORD)
    make_emis_connection(BASE, api=api, web=web, is_active=is_active)


def _calls() -> list[tuple[str, bool, str]]:
    return list(
        ConnectorCall.objects.order_by("id").values_list(
            "operation", "ok", "error_code"
        )
    )


# --- refused API credentials are not activated ---------------------------------


def test_form_refuses_to_activate_credentials_emis_refuses(admin_client_, http):
    _refuses(http)
    page = admin_client_.post(EDIT, FORM)
    assert page.status_code == 200
    form = page.context["form"]
    assert "EMIS refused" in form.errors["api_password"][0]
    assert "cannot be activated" in " ".join(form.non_field_errors())
    assert "cannot be activated" in page.content.decode()
    assert not EmisConnection.objects.filter(is_active=True).exists()
    assert EmisConnection.load().api_password == ""  # nothing was stored
    assert _calls() == [("ping", False, "api_auth_failed")]


def test_form_saves_the_same_values_inactive_without_asking(admin_client_, http):
    _refuses(http)
    assert admin_client_.post(EDIT, FORM).status_code == 200  # refused active
    inactive = admin_client_.post(EDIT, {**FORM, "is_active": ""})
    assert inactive.status_code == 302
    conn = EmisConnection.load()
    assert (conn.is_active, conn.api_password) == (False, API_PASSWORD)
    assert len(http.calls) == 1  # only the refused active save asked EMIS


def test_form_activates_what_emis_accepts(admin_client_, http):
    _accepts(http)
    page = admin_client_.post(EDIT, FORM, follow=True)
    assert "EMIS connection saved." in page.content.decode()
    assert EmisConnection.load().is_active
    assert _calls() == [("ping", True, "")]
    request = http.calls[0].request
    assert request.url == PING and request.headers["Authorization"].startswith("Basic")


def test_api_refuses_to_activate_with_a_400_naming_the_fields(admin_client_, http):
    _refuses(http)
    response = admin_client_.put(API, BODY, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"api_password", "non_field_errors"}
    assert "EMIS refused" in body["api_password"][0]
    assert not EmisConnection.objects.filter(is_active=True).exists()
    inactive = admin_client_.put(
        API, {**BODY, "is_active": False}, content_type="application/json"
    )
    assert inactive.status_code == 200 and inactive.json()["warning"] is None
    assert len(http.calls) == 1


def test_switching_on_checks_the_stored_credentials(admin_client_, http):
    _store(is_active=False)
    _refuses(http)
    response = admin_client_.patch(
        API, {"is_active": True}, content_type="application/json"
    )
    assert response.status_code == 400 and "api_password" in response.json()
    assert not EmisConnection.load().is_active
    assert http.calls[0].request.url == PING  # the stored address only
    http.replace(responses.GET, PING, json={"status": "ok", "api_version": "1"})
    response = admin_client_.patch(
        API, {"is_active": True}, content_type="application/json"
    )
    assert response.status_code == 200 and EmisConnection.load().is_active


@pytest.mark.parametrize(
    "change",
    [
        {"api_password": "Another-Api-Pw"},
        {"api_login": "pms-api-2"},
    ],
)
def test_new_api_credentials_on_an_active_connection_are_checked(
    admin_client_, http, change
):
    _store()
    _refuses(http)
    page = admin_client_.post(
        EDIT, {**FORM, "web_password": "", "api_password": "", **change}
    )
    assert page.status_code == 200 and "api_password" in page.context["form"].errors
    conn = EmisConnection.load()
    assert (conn.api_login, conn.api_password) == ("pms-api", API_PASSWORD)
    # A change EMIS does not judge (the web login) is saved without asking.
    kept = {**FORM, "web_password": "", "api_password": "", "web_login": "web-2"}
    assert admin_client_.post(EDIT, kept).status_code == 302
    assert EmisConnection.load().web_login == "web-2"
    assert len(http.calls) == 1


# --- EMIS does not answer: saved, with a warning ----------------------------------


@pytest.mark.parametrize(
    "failure",
    [requests.exceptions.ConnectTimeout(), requests.exceptions.ReadTimeout()],
    ids=["unreachable", "timeout"],
)
def test_form_saves_with_a_warning_when_emis_does_not_answer(
    admin_client_, http, failure
):
    http.get(PING, body=failure)
    page = admin_client_.post(EDIT, FORM, follow=True)
    html = page.content.decode()
    assert "Saved, but EMIS did not answer: check the connection later." in html
    assert "msg-warning" in html
    assert EmisConnection.load().is_active
    assert [c[:2] for c in _calls()] == [("ping", False)]


def test_the_warning_is_in_russian(admin_client_, http, settings):
    settings.LANGUAGE_CODE = "ru"
    http.get(PING, body=requests.exceptions.ConnectTimeout())
    page = admin_client_.post(EDIT, FORM, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    assert (
        "Сохранено, но EMIS не ответил: проверьте подключение позже"
        in page.content.decode()
    )


def test_an_odd_answer_saves_with_a_warning_naming_it(admin_client_, http):
    http.get(PING, status=500)
    page = admin_client_.post(EDIT, FORM, follow=True)
    html = page.content.decode()
    assert "Saved, but the connection check failed: EMIS had an internal error." in html
    assert EmisConnection.load().is_active


def test_api_saves_with_a_warning_when_emis_does_not_answer(admin_client_, http):
    http.get(PING, body=requests.exceptions.ConnectTimeout())
    response = admin_client_.put(API, BODY, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["warning"] == (
        "Saved, but EMIS did not answer: check the connection later."
    )
    assert response.json()["is_active"] is True


# --- against the sandbox ------------------------------------------------------


@pytest.mark.sandbox
def test_sandbox_refuses_a_wrong_password_and_accepts_the_right_one(
    admin_client_, emis_sandbox
):
    form = sandbox_form(emis_sandbox, api_password="not-the-password")
    refused = admin_client_.post(EDIT, form)
    assert "api_password" in refused.context["form"].errors
    assert not EmisConnection.objects.filter(is_active=True).exists()
    right = {**form, "api_password": emis_sandbox.api_password}
    assert admin_client_.post(EDIT, right).status_code == 302
    assert EmisConnection.load().is_active
    assert [c[:2] for c in _calls()] == [("ping", False), ("ping", True)]
