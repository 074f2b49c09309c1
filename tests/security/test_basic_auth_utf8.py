"""Issue 8, item 3: EMIS credentials may hold any Unicode character.

HTTP Basic is built as RFC 7617 ``charset="UTF-8"`` says (NFC, UTF-8,
base64); ``requests`` alone encodes Latin-1 and answered a password with "Ω"
or a Cyrillic letter with a 500 in "Проверить подключение", every pull and
every upload link. A credential that cannot be sent at all (":" in the API
login, a control character) is refused on the form and in the API.
"""

from __future__ import annotations

import base64
import json
import sys
import unicodedata

import pytest
import requests
from django.core.signals import got_request_exception
from django.utils.html import escape
from django.views.debug import ExceptionReporter, get_exception_reporter_class

from emis.client import EmisClient, Utf8BasicAuth
from emis.errors import EmisError
from emis.models import EmisConnection, EmisJob
from emis.upload import upload_link_create
from integrations.models import ConnectorCall
from legal_entities.models import LegalEntity
from reservations.models import Person
from tests.factories import enqueue_pull, make_guest, make_reservation, work_pull
from tests.support.emis_connection import connection_body, connection_form, sandbox_form
from tests.support.sandbox import sample_person, start_sandbox

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english", "no_emis_sleep"),
]

BASE = "https://emis.test"
PING = f"{BASE}/api/v1/ping"
SESSIONS = f"{BASE}/api/v1/web-sessions"
EDIT = "/integrations/emis/"
API = "/api/v1/integrations/emis/"
API_TEST = "/api/v1/integrations/emis/test/"

OMEGA_PASSWORD = "Пароль-Ω"  # Cyrillic letters and U+03A9: not Latin-1
# base64 of the UTF-8 bytes of "pms-api:Пароль-Ω", worked out by hand once:
# 70 6d 73 2d 61 70 69 3a d0 9f d0 b0 d1 80 d0 be d0 bb d1 8c 2d ce a9
OMEGA_HEADER = "Basic cG1zLWFwaTrQn9Cw0YDQvtC70Ywtzqk="
CYRILLIC_LOGIN = "пмс-апи"
CYRILLIC_HEADER = "Basic 0L/QvNGBLdCw0L/QuDrOqS3Qv9Cw0YDQvtC70Yw="  # "пмс-апи:Ω-пароль"

# The accounts of the sandbox this module starts: none of them Latin-1.
SANDBOX_API_LOGIN = "пмс-api-Ω"
SANDBOX_API_PASSWORD = "Секрет-Ω-ключ-№7"
SANDBOX_WEB_LOGIN = "веб-Ω"
SANDBOX_WEB_PASSWORD = "Веб-пароль-Ω-ё"


def _ping_ok(http) -> None:
    http.get(PING, json={"status": "ok", "api_version": "1"})


# The connection with an Omega API password and a non-Latin-1 web password.
OMEGA = {"web_password": "Веб-Ω", "api_password": OMEGA_PASSWORD}


def _form(**values) -> dict:
    return connection_form(**{**OMEGA, **values})


def _api_body(**values) -> dict:
    return connection_body(**{**OMEGA, **values})


def _client(**values) -> EmisClient:
    """An EMIS client for ``BASE``; by default "pms-api" with the Omega password."""
    account = {"api_login": "pms-api", "api_password": OMEGA_PASSWORD}
    return EmisClient(base_url=BASE, **{**account, **values})


# --- the header, byte for byte ---------------------------------------------


def test_ping_sends_utf8_basic_exactly(http):
    _ping_ok(http)
    emis = _client()
    assert emis.ping()["status"] == "ok"
    assert http.calls[0].request.headers["Authorization"] == OMEGA_HEADER


def test_a_cyrillic_login_too(http):
    _ping_ok(http)
    _client(api_login=CYRILLIC_LOGIN, api_password="Ω-пароль").ping()
    assert http.calls[0].request.headers["Authorization"] == CYRILLIC_HEADER


def test_the_same_password_typed_decomposed_sends_the_same_bytes(http):
    """RFC 7617: the credentials are NFC before UTF-8 ("й" as и + U+0306)."""
    _ping_ok(http)
    composed = "пароль-й"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    for password in (composed, decomposed):
        _client(api_password=password).ping()
    first, second = (c.request.headers["Authorization"] for c in http.calls)
    assert first == second


@pytest.mark.parametrize(
    "call",
    ["get_person", "changes", "create_web_session"],
)
def test_every_call_carries_the_utf8_header(http, call):
    http.get(f"{BASE}/api/v1/persons/160848", json={"person_id": "160848"})
    http.get(
        f"{BASE}/api/v1/changes",
        json={"items": [], "next_cursor": "c", "has_more": False},
    )
    http.post(SESSIONS, status=201, json={"url": f"{BASE}/s/x", "expires_at": "t"})
    emis = _client(web_login="веб-логин", web_password="Веб-Ω")
    calls = {
        "get_person": lambda: emis.get_person(person_id=160848, legal_entity_id=17),
        "changes": lambda: emis.changes(legal_entity_id=17, cursor=None),
        "create_web_session": lambda: emis.create_web_session(
            legal_entity_id=17, person_id=160848
        ),
    }
    calls[call]()
    request = http.calls[0].request
    assert request.headers["Authorization"] == OMEGA_HEADER
    if call == "create_web_session":  # the web account travels in UTF-8 JSON
        body = json.loads(request.body)
        assert (body["login"], body["password"]) == ("веб-логин", "Веб-Ω")


@pytest.mark.parametrize(
    "login, password",
    [("pms:api", "x"), ("pms-api", "line\nbreak"), ("pms\tapi", "x"), ("a", "\ud800")],
)
def test_a_credential_that_cannot_be_sent_is_a_clear_error_and_no_request(
    http, login, password
):
    emis = _client(api_login=login, api_password=password)
    with pytest.raises(EmisError) as info:
        emis.ping()
    assert info.value.code == "not_configured"
    assert len(http.calls) == 0
    call = ConnectorCall.objects.get()
    assert (call.operation, call.ok, call.error_code) == (
        "ping",
        False,
        "not_configured",
    )


def test_no_repr_or_str_shows_a_credential():
    emis = _client(web_login="pms-web", web_password="Веб-Ω")
    auth = Utf8BasicAuth("pms-api", OMEGA_PASSWORD)
    # The auth object is what requests' own frames hold as ``auth``.
    shown = " ".join(
        [repr(emis), str(emis), repr(emis._api_auth), repr(auth), str(auth)]
    )
    for secret in (OMEGA_PASSWORD, "Веб-Ω", OMEGA_HEADER, OMEGA_HEADER[6:]):
        assert secret not in shown
    # What the client used to rely on: Latin-1 only, hence the 500.
    with pytest.raises(UnicodeEncodeError):
        requests.auth._basic_auth_str("pms-api", OMEGA_PASSWORD)


# --- the page and the API ----------------------------------------------------


def test_test_button_with_an_omega_password_is_no_500(admin_client_, http):
    _ping_ok(http)
    page = admin_client_.post(EDIT, _form(action="test"), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert 'data-ok="true"' in page.content.decode()
    assert http.calls[0].request.headers["Authorization"] == OMEGA_HEADER


def test_saving_and_the_api_test_with_an_omega_password(admin_client_, http):
    _ping_ok(http)
    # ":" is refused in the API login only: the web login travels in JSON.
    assert admin_client_.post(EDIT, _form(web_login="pms:веб")).status_code == 302
    conn = EmisConnection.load()
    assert (conn.api_password, conn.web_login) == (OMEGA_PASSWORD, "pms:веб")
    # The API takes JSON only (issue 14): an empty body says so too.
    answer = admin_client_.post(API_TEST, content_type="application/json")
    assert answer.json() == {"ok": True}
    assert {c.request.headers["Authorization"] for c in http.calls} == {OMEGA_HEADER}


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("api_login", "pms:api", "cannot contain"),
        ("api_login", "pms\x1bapi", "control characters"),
        ("api_password", "pass\nword", "control characters"),
        ("api_password", "pass\x7fword", "control characters"),
        ("web_password", "pass\tword", "control characters"),
        ("web_login", "web\u0085login", "control characters"),
    ],
)
def test_the_form_refuses_a_credential_that_cannot_be_sent(
    admin_client_, http, field, value, words
):
    page = admin_client_.post(EDIT, _form(**{field: value}))
    assert page.status_code == 200
    assert words in " ".join(page.context["form"].errors[field])
    assert not EmisConnection.objects.exists()
    tested = admin_client_.post(
        EDIT, _form(**{field: value}, action="test"), HTTP_HX_REQUEST="true"
    )
    assert 'data-ok="false"' in tested.content.decode()
    assert len(http.calls) == 0  # neither the save nor a test sent anything


@pytest.mark.parametrize(
    "field, value",
    [
        ("api_login", "pms:api"),
        ("api_login", "pms\x01api"),
        ("api_password", "pass\r\nword"),
        ("web_login", "web\nlogin"),
    ],
)
def test_the_api_refuses_a_credential_that_cannot_be_sent(
    admin_client_, http, field, value
):
    body = json.dumps(_api_body(**{field: value}))
    response = admin_client_.put(API, body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not EmisConnection.objects.exists()
    if field.startswith("api_"):
        tested = admin_client_.post(
            API_TEST, json.dumps({field: value}), content_type="application/json"
        )
        assert tested.status_code == 400 and field in tested.json()
    assert len(http.calls) == 0


# --- no secret in an error report ---------------------------------------------


def _explode(*args, **kwargs):
    raise RuntimeError("a bug below the EMIS client")


@pytest.fixture
def reports():
    """The full error report Django would mail to the admins for each 500
    (every frame's local variables and the POST data), as HTML."""
    found: list[str] = []

    def build(sender, request, **kwargs):
        reporter = get_exception_reporter_class(request)(
            request, *sys.exc_info(), is_email=True
        )
        found.append(reporter.get_traceback_html())

    got_request_exception.connect(build)
    yield found
    got_request_exception.disconnect(build)


def _assert_hidden(text: str, typed: str) -> None:
    assert "a bug below the EMIS client" in text  # the report it is
    for secret in (typed, Utf8BasicAuth("pms-api", typed)._header):
        for form in (secret, escape(secret), json.dumps(secret)[1:-1]):
            assert form not in text


@pytest.mark.parametrize("where", ["test", "save", "api-test", "api-put"])
def test_a_crash_report_shows_no_password(admin_client_, monkeypatch, reports, where):
    """``sensitive_variables`` / ``sensitive_post_parameters`` on every view
    and function holding one: neither the typed password nor the Basic
    header built from it is in any frame or in the POST data."""
    monkeypatch.setattr(requests.Session, "request", _explode)
    admin_client_.raise_request_exception = False
    typed = "Typed-Ω-never-shown"
    if where in ("test", "save"):
        data = _form(api_password=typed, web_password=typed, action=where)
        response = admin_client_.post(EDIT, data)
    elif where == "api-test":
        body = {"base_url": BASE, "api_login": "pms-api", "api_password": typed}
        response = admin_client_.post(API_TEST, body, content_type="application/json")
    else:
        body = _api_body(api_password=typed, web_password=typed)
        response = admin_client_.put(API, body, content_type="application/json")
    assert response.status_code == 500
    assert len(reports) == 1
    _assert_hidden(reports[0], typed)


def test_a_crash_in_a_web_session_call_shows_no_web_password(monkeypatch):
    monkeypatch.setattr(requests.Session, "request", _explode)
    typed = "Typed-Ω-never-shown"
    emis = _client(api_password=typed, web_login="pms-web", web_password=typed)
    try:
        emis.create_web_session(legal_entity_id=17, person_id=160848)
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
        # From the client's frame down: this test's own frame holds ``typed``.
        report = ExceptionReporter(None, exc_type, exc, tb.tb_next, is_email=True)
        _assert_hidden(report.get_traceback_html(), typed)
    else:
        pytest.fail("the crash did not happen")


# --- end to end against a sandbox whose accounts are not Latin-1 ---------------


@pytest.fixture(scope="module")
def emis_sandbox_process(tmp_path_factory):
    """Replaces the suite's sandbox for this module: one holding Unicode
    accounts, given on the command line as an operator would."""
    process = start_sandbox(
        tmp_path_factory.mktemp("emis-sandbox-utf8"),
        "--api-login",
        SANDBOX_API_LOGIN,
        "--api-password",
        SANDBOX_API_PASSWORD,
        "--web-login",
        SANDBOX_WEB_LOGIN,
        "--web-password",
        SANDBOX_WEB_PASSWORD,
    )
    process.api_login, process.api_password = SANDBOX_API_LOGIN, SANDBOX_API_PASSWORD
    process.web_login, process.web_password = SANDBOX_WEB_LOGIN, SANDBOX_WEB_PASSWORD
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.sandbox
def test_sandbox_test_button_save_pull_and_upload_link_with_unicode_accounts(
    emis_sandbox, admin_client_, django_capture_on_commit_callbacks
):
    assert emis_sandbox.api_password == SANDBOX_API_PASSWORD  # this module's one
    form = sandbox_form(emis_sandbox)

    tested = admin_client_.post(
        EDIT, {**form, "action": "test"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-ok="true"' in tested.content.decode(), tested.content.decode()
    wrong = {**form, "api_password": SANDBOX_API_PASSWORD + "ё", "action": "test"}
    refused = admin_client_.post(EDIT, wrong, HTTP_HX_REQUEST="true")
    assert 'data-code="api_auth_failed"' in refused.content.decode()

    saved = admin_client_.post(EDIT, form, follow=True)
    assert (
        saved.status_code == 200 and "EMIS connection saved." in saved.content.decode()
    )
    assert EmisConnection.load().is_active

    reservation = make_reservation()
    stay = make_guest(reservation)
    legal_entity = reservation.legal_entity
    emis_sandbox.save_person(legal_entity.pk, sample_person(stay.person_id))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(
            person_id=stay.person_id, legal_entity_id=legal_entity.pk, user=None
        )
    work_pull(job)
    assert (job.status, job.result) == (EmisJob.Status.SUCCEEDED, "applied"), vars(job)

    link = upload_link_create(
        person=Person.objects.get(pk=stay.person_id),
        legal_entity=LegalEntity.objects.get(pk=legal_entity.pk),
        reservation=reservation,
    )
    assert link.url.startswith(emis_sandbox.base_url + "/s/")
    assert (
        not ConnectorCall.objects.filter(ok=False)
        .exclude(error_code="api_auth_failed")
        .exists()
    )


@pytest.mark.sandbox
def test_sandbox_decodes_basic_as_utf8_only(emis_sandbox):
    """The sandbox keeps the contract: UTF-8 (NFC) is accepted; the same
    account in other bytes is an ordinary 401, never a 500."""
    http = requests.Session()
    http.trust_env = False  # never through a proxy

    def ping(raw: bytes) -> requests.Response:
        header = "Basic " + base64.b64encode(raw).decode()
        return http.get(
            emis_sandbox.base_url + "/api/v1/ping",
            headers={"Authorization": header},
            timeout=10,
        )

    pair = f"{SANDBOX_API_LOGIN}:{SANDBOX_API_PASSWORD}"
    assert ping(pair.encode("utf-8")).status_code == 200
    assert ping(unicodedata.normalize("NFD", pair).encode("utf-8")).status_code == 200
    refused = ping(pair.encode("utf-16"))
    assert refused.status_code == 401
    assert 'charset="UTF-8"' in refused.headers["WWW-Authenticate"]
    assert ping(b"\xff\xfe:\x80").status_code == 401
    assert ping(pair.encode("utf-8") + b"\n").status_code == 401
