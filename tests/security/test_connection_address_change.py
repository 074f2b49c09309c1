"""Issue 8, item 4: a stored EMIS password is only ever sent to the stored
address.

Changing the address and pressing "Проверить подключение" with the password
fields left empty used to send the stored API password to the newly typed
host (and, once saved, the upload link sent the web password there). Now a
changed address needs both passwords typed again, for a test and for a save,
on the page and in the API; nothing is sent anywhere until they are.
"""

from __future__ import annotations

import base64

import pytest

from emis.client import EmisClient
from emis.connection.services import address_key
from emis.models import EmisConnection
from integrations.models import ConnectorCall
from tests.factories import make_emis_connection
from tests.security.conftest import emis_opens_upload
from tests.support.emis_connection import connection_form

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english", "no_emis_sleep"),
]

STORED = "https://emis.test"
EVIL = "https://evil.example"
API_PASSWORD = "Stored-Api-Pw-5kQ"
WEB_PASSWORD = "Stored-Web-Pw-8zX"
EDIT = "/integrations/emis/"
API = "/api/v1/integrations/emis/"
API_TEST = "/api/v1/integrations/emis/test/"
OK = {"status": "ok", "api_version": "1"}


@pytest.fixture
def stored(db):
    return make_emis_connection(
        STORED, api=("pms-api", API_PASSWORD), web=("pms-web", WEB_PASSWORD)
    )


@pytest.fixture
def http(http):
    """Every host answers: the stored one, the attacker's, any other."""
    others = ("http://emis.test", "https://emis.test:8443", "https://emis.test:443")
    for host in (STORED, EVIL, *others):
        http.get(f"{host}/api/v1/ping", json=OK)
        emis_opens_upload(f"{host}/s/x", base=host, mock=http)
    return http


def _leaks(mock) -> list[str]:
    """Requests that carried a stored password, in any form."""
    basic = base64.b64encode(f"pms-api:{API_PASSWORD}".encode()).decode()
    found = []
    for call in mock.calls:
        text = f"{call.request.headers} {call.request.body!r}"
        if any(s in text for s in (API_PASSWORD, WEB_PASSWORD, basic)):
            found.append(call.request.url)
    return found


def _form(**values) -> dict:
    """The page's form with a new address and the password fields left empty."""
    typed = {"base_url": EVIL, "web_password": "", "api_password": "", "action": "test"}
    return connection_form(**{**typed, **values})


def _unchanged() -> None:
    conn = EmisConnection.load()
    assert (conn.base_url, conn.api_password, conn.web_password) == (
        STORED,
        API_PASSWORD,
        WEB_PASSWORD,
    )


# --- "Проверить подключение" -------------------------------------------------


def test_test_button_with_a_new_address_sends_nothing(admin_client_, stored, http):
    page = admin_client_.post(EDIT, _form(), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert 'data-code="password_required"' in html
    assert 'data-fields="web_password api_password"' in html
    assert "enter the passwords again" in html
    assert len(http.calls) == 0 and _leaks(http) == []
    assert not ConnectorCall.objects.exists()


def test_test_button_without_htmx_says_the_same(admin_client_, stored, http):
    html = admin_client_.post(EDIT, _form()).content.decode()
    assert 'data-code="password_required"' in html
    assert len(http.calls) == 0


def test_only_the_api_password_typed_still_asks_both_typed_sends_only_them(
    admin_client_, stored, http
):
    page = admin_client_.post(
        EDIT, _form(api_password="typed-api"), HTTP_HX_REQUEST="true"
    )
    assert 'data-fields="web_password"' in page.content.decode()
    assert len(http.calls) == 0
    typed = _form(api_password="typed-api", web_password="typed-web")
    page = admin_client_.post(EDIT, typed, HTTP_HX_REQUEST="true")
    assert 'data-ok="true"' in page.content.decode()
    assert [c.request.url for c in http.calls] == [f"{EVIL}/api/v1/ping"]
    expected = EmisClient(base_url=EVIL, api_login="pms-api", api_password="typed-api")
    header = expected._api_auth._header
    assert http.calls[0].request.headers["Authorization"] == header
    assert _leaks(http) == []


SAME = [
    STORED,
    STORED + "/",
    "HTTPS://EMIS.TEST",
    "https://emis.test:443/",
    "",  # an empty field means the stored address
]
OTHER = [
    "http://emis.test",  # scheme
    "https://emis.test:8443",  # port
    "https://emis.test/other",  # path
    "https://api.emis.test",  # host
    "https://emis.test?next=evil",  # query
    "https://user@emis.test",  # user info
]


def test_only_a_different_address_needs_the_passwords(admin_client_, stored, http):
    for other in OTHER:
        page = admin_client_.post(EDIT, _form(base_url=other), HTTP_HX_REQUEST="true")
        assert 'data-code="password_required"' in page.content.decode(), other
    assert len(http.calls) == 0
    for same in SAME:  # written differently, still the stored address
        page = admin_client_.post(EDIT, _form(base_url=same), HTTP_HX_REQUEST="true")
        assert 'data-ok="true"' in page.content.decode(), same
    assert len(http.calls) == len(SAME)
    for call in http.calls:
        base = call.request.url.rsplit("/api/", 1)[0]
        assert address_key(base) == address_key(STORED)


def test_api_test_with_a_new_address_is_a_400_and_sends_nothing(
    admin_client_, stored, http
):
    response = admin_client_.post(
        API_TEST, {"base_url": EVIL}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"api_password"}
    assert len(http.calls) == 0
    typed = {"base_url": EVIL, "api_password": "typed-api"}
    assert admin_client_.post(
        API_TEST, typed, content_type="application/json"
    ).json() == {"ok": True}
    assert _leaks(http) == []


def test_the_service_itself_refuses(stored, http):
    """Whoever calls it (a view, a command, a future caller)."""
    from emis.connection.services import emis_connection_test

    result = emis_connection_test(base_url=EVIL)
    assert (result.ok, result.code, result.fields) == (
        False,
        "password_required",
        ("api_password",),
    )
    assert len(http.calls) == 0


# --- saving -------------------------------------------------------------------


def test_saving_a_new_address_needs_both_passwords_again(admin_client_, stored, http):
    page = admin_client_.post(EDIT, _form(action="save"))
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert {"api_password", "web_password"} <= set(errors)
    assert "address has changed" in errors["web_password"][0]
    _unchanged()
    assert len(http.calls) == 0


def test_saving_inactive_with_a_new_address_needs_them_too(admin_client_, stored, http):
    """Else the next upload link would send the stored web password there."""
    page = admin_client_.post(EDIT, _form(action="save", is_active=""))
    assert {"api_password", "web_password"} <= set(page.context["form"].errors)
    _unchanged()
    # Clearing both is an answer too: nothing stored is left to send.
    cleared = _form(
        action="save", is_active="", clear_api_password="on", clear_web_password="on"
    )
    assert admin_client_.post(EDIT, cleared).status_code == 302
    conn = EmisConnection.load()
    assert (conn.base_url, conn.api_password, conn.web_password) == (EVIL, "", "")
    assert len(http.calls) == 0


def test_saved_with_both_typed_the_upload_link_sends_the_new_web_password(
    admin_client_, stored, http
):
    typed = _form(action="save", api_password="new-api", web_password="new-web")
    assert admin_client_.post(EDIT, typed).status_code == 302
    EmisClient.from_connection().create_web_session(legal_entity_id=1, person_id=2)
    assert [c.request.url for c in http.calls] == [
        f"{EVIL}/api/v1/ping",  # the check on save
        f"{EVIL}/api/v1/web-sessions",
    ]
    assert _leaks(http) == []


@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_save_with_a_new_address_is_a_400_naming_both(
    admin_client_, stored, http, method
):
    body = {"base_url": EVIL, "web_login": "pms-web", "api_login": "pms-api"}
    body["is_active"] = True
    send = getattr(admin_client_, method)
    response = send(API, body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"api_password", "web_password"}
    _unchanged()
    # Without the address the stored passwords stay (and need not be typed).
    kept = admin_client_.patch(
        API, {"web_login": "w2"}, content_type="application/json"
    )
    assert kept.status_code == 200
    inactive = send(API, {**body, "is_active": False}, content_type="application/json")
    assert set(inactive.json()) == {"api_password", "web_password"}
    typed = {**body, "api_password": "new-api", "web_password": "new-web"}
    assert send(API, typed, content_type="application/json").status_code == 200
    assert EmisConnection.load().base_url == EVIL
    assert _leaks(http) == []
