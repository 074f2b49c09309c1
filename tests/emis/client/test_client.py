"""The EMIS client against a mocked HTTP seam (``responses``)."""

import datetime as dt
import json
import logging

import pytest
import requests
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.http import http_date
from urllib3.exceptions import MaxRetryError, NewConnectionError

from emis.client import EmisClient
from emis.errors import EmisError
from emis.models import EmisConnection
from integrations.models import ConnectorCall

BASE = "https://emis.test"
API_PASSWORD = "api-Secret-71"
WEB_PASSWORD = "web-Secret-93"
PING = f"{BASE}/api/v1/ping"
PERSON = f"{BASE}/api/v1/persons/160848"
CHANGES = f"{BASE}/api/v1/changes"
SESSIONS = f"{BASE}/api/v1/web-sessions"

pytestmark = pytest.mark.django_db


@pytest.fixture
def emis():
    return EmisClient(
        base_url=BASE + "/",
        api_login="pms-api",
        api_password=API_PASSWORD,
        web_login="pms-web",
        web_password=WEB_PASSWORD,
    )


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    """Every backoff/Retry-After wait, recorded instead of slept."""
    waited = []
    monkeypatch.setattr("emis.client.time.sleep", waited.append)
    return waited


def _error_body(code):
    return {"error": {"code": code, "message": "text from EMIS"}}


def _code(call):
    with pytest.raises(EmisError) as info:
        call()
    return info.value


# --- success and what is sent -----------------------------------------------


def test_ping_sends_basic_auth_and_both_timeouts(emis, http, settings):
    settings.EMIS_CONNECT_TIMEOUT = 1.5
    settings.EMIS_READ_TIMEOUT = 4
    emis = EmisClient(base_url=BASE, api_login="pms-api", api_password=API_PASSWORD)
    http.get(PING, json={"status": "ok", "api_version": "1"})
    assert emis.ping() == {"status": "ok", "api_version": "1"}
    request = http.calls[0].request
    assert request.req_kwargs["timeout"] == (1.5, 4.0)
    assert request.headers["Authorization"] == requests.auth._basic_auth_str(
        "pms-api", API_PASSWORD
    )


@pytest.mark.parametrize(
    "operation",
    ["ping", "get_person", "changes", "create_web_session"],
)
def test_every_call_has_connect_and_read_timeouts(emis, http, operation):
    http.get(PING, json={"status": "ok", "api_version": "1"})
    http.get(PERSON, json={"person_id": "160848"})
    http.get(CHANGES, json={"items": [], "next_cursor": "c1", "has_more": False})
    http.post(SESSIONS, status=201, json={"url": "https://e/x", "expires_at": "t"})
    calls = {
        "ping": lambda: emis.ping(),
        "get_person": lambda: emis.get_person(person_id=160848, legal_entity_id=17),
        "changes": lambda: emis.changes(legal_entity_id=17, cursor=None),
        "create_web_session": lambda: emis.create_web_session(
            legal_entity_id=17, person_id=160848
        ),
    }
    calls[operation]()
    assert http.calls[0].request.req_kwargs["timeout"] == (3.05, 10.0)


def test_web_session_sends_web_credentials_and_ids_as_digit_strings(emis, http):
    http.post(
        SESSIONS,
        status=201,
        json={"url": "https://emis.test/s/abc", "expires_at": "2026-11-27T09:15:00Z"},
    )
    answer = emis.create_web_session(
        legal_entity_id=17,
        person_id=160848,
        reservation_id=5708,
        hint={"surname": "Репин", "given_names": None},
    )
    assert answer["url"] == "https://emis.test/s/abc"
    sent = json.loads(http.calls[0].request.body)
    assert sent == {
        "login": "pms-web",
        "password": WEB_PASSWORD,
        "legal_entity_id": "17",
        "person_id": "160848",
        "reservation_id": "5708",
        "hint": {"surname": "Репин", "given_names": None},
    }


def test_web_session_leaves_out_optional_keys(emis, http):
    http.post(SESSIONS, status=201, json={"url": "https://e/x", "expires_at": "t"})
    emis.create_web_session(legal_entity_id="17", person_id="160848")
    sent = json.loads(http.calls[0].request.body)
    assert "reservation_id" not in sent and "hint" not in sent


def test_ids_that_are_not_digits_are_refused_before_any_call(emis, http):
    with pytest.raises(ValueError):
        emis.get_person(person_id="1/../2", legal_entity_id=17)
    with pytest.raises(ValueError):
        emis.changes(legal_entity_id="-1", cursor=None)
    assert len(http.calls) == 0


def test_get_person_returns_the_object_as_received(emis, http):
    person = {"person_id": "160848", "version": 4, "extra": {"kept": True}}
    http.get(PERSON, json=person)
    assert emis.get_person(person_id=160848, legal_entity_id=17) == person
    assert http.calls[0].request.params == {"legal_entity_id": "17"}


def test_changes_passes_cursor_and_caps_limit(emis, http):
    page = {"items": [{"person_id": "1"}], "next_cursor": "c2", "has_more": True}
    http.get(CHANGES, json=page)
    assert emis.changes(legal_entity_id=17, cursor="c1", limit=9999) == page
    assert http.calls[0].request.params == {
        "legal_entity_id": "17",
        "cursor": "c1",
        "limit": "500",
    }


def test_changes_without_cursor_starts_from_the_beginning(emis, http):
    http.get(CHANGES, json={"items": [], "next_cursor": None, "has_more": False})
    emis.changes(legal_entity_id=17, cursor=None)
    assert "cursor" not in http.calls[0].request.params


# --- failure classes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "bad_request"),
        (401, "api_auth_failed"),
        (403, "web_auth_failed"),
        (404, "person_not_found"),
        (418, "bad_response"),
    ],
)
def test_permanent_statuses_are_classified_and_not_retried(emis, http, status, code):
    http.get(PERSON, status=status, json=_error_body(code))
    error = _code(lambda: emis.get_person(person_id=160848, legal_entity_id=17))
    assert error.code == code
    assert error.http_status == status
    assert error.permanent
    assert error.message  # plain words for staff
    assert len(http.calls) == 1


def test_web_password_refused_is_web_auth_failed(emis, http):
    http.post(SESSIONS, status=403, json=_error_body("web_auth_failed"))
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "web_auth_failed"


def test_404_from_ping_means_the_address_is_not_emis(emis, http):
    http.get(PING, status=404, body="<html>Not Found</html>")
    assert _code(emis.ping).code == "bad_response"


def test_404_with_contract_body_on_any_call_is_person_not_found(emis, http):
    http.get(CHANGES, status=404, json=_error_body("person_not_found"))
    error = _code(lambda: emis.changes(legal_entity_id=17, cursor=None))
    assert error.code == "person_not_found"


def test_5xx_is_retried_with_backoff_then_raised(emis, http, sleeps):
    http.get(PING, status=503, body="busy")
    error = _code(emis.ping)
    assert error.code == "unavailable" and not error.permanent
    assert error.message == "EMIS временно недоступен, попробуйте через несколько минут."
    assert len(http.calls) == 3
    assert sleeps == [0.2, 0.4]


def test_5xx_then_success(emis, http, sleeps):
    http.get(PING, status=500, json=_error_body("internal"))
    http.get(PING, json={"status": "ok", "api_version": "1"})
    assert emis.ping()["status"] == "ok"
    assert len(http.calls) == 2 and sleeps == [0.2]
    row = ConnectorCall.objects.get()
    assert row.ok and row.attempts == 2


def test_post_is_not_retried_after_a_5xx(emis, http):
    http.post(SESSIONS, status=500)
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "server_error"
    assert error.message == "Внутренняя ошибка EMIS."
    assert len(http.calls) == 1


def test_429_honours_retry_after_then_succeeds(emis, http, sleeps):
    http.get(PING, status=429, headers={"Retry-After": "2"}, json=_error_body("rl"))
    http.get(PING, json={"status": "ok", "api_version": "1"})
    assert emis.ping()["status"] == "ok"
    assert len(http.calls) == 2
    assert sleeps == [2.0]


def test_429_on_post_is_retried_since_emis_did_not_process_it(emis, http, sleeps):
    http.post(SESSIONS, status=429, headers={"Retry-After": "1"})
    http.post(SESSIONS, status=201, json={"url": "https://e/x", "expires_at": "t"})
    assert emis.create_web_session(legal_entity_id=17, person_id=1)["url"]
    assert sleeps == [1.0]


def test_429_with_a_long_retry_after_is_left_to_the_caller(emis, http, sleeps):
    http.get(CHANGES, status=429, headers={"Retry-After": "60"})
    error = _code(lambda: emis.changes(legal_entity_id=17, cursor=None))
    assert error.code == "rate_limited"
    assert error.retry_after == 60.0
    assert not error.permanent
    assert len(http.calls) == 1 and sleeps == []


def test_429_until_attempts_run_out_keeps_retry_after(emis, http, sleeps):
    http.get(PING, status=429, headers={"Retry-After": "1"})
    error = _code(emis.ping)
    assert error.code == "rate_limited" and error.retry_after == 1.0
    assert len(http.calls) == 3 and sleeps == [1.0, 1.0]


def test_retry_after_as_an_http_date(emis, http, sleeps):
    when = timezone.now() + dt.timedelta(seconds=3)
    http.get(PING, status=429, headers={"Retry-After": http_date(when.timestamp())})
    http.get(PING, json={"status": "ok", "api_version": "1"})
    emis.ping()
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 3


def test_read_timeout_on_get_is_retried_then_timeout(emis, http, sleeps):
    http.get(PERSON, body=requests.exceptions.ReadTimeout("slow"))
    error = _code(lambda: emis.get_person(person_id=160848, legal_entity_id=17))
    assert error.code == "timeout"
    assert len(http.calls) == 3 and sleeps == [0.2, 0.4]


def test_read_timeout_on_post_is_not_retried(emis, http):
    http.post(SESSIONS, body=requests.exceptions.ReadTimeout("slow"))
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "timeout"
    assert len(http.calls) == 1


def _refused():
    reason = NewConnectionError(None, "Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, SESSIONS, reason))


def test_connection_refused_is_unreachable_and_post_is_retried(emis, http, sleeps):
    http.post(SESSIONS, body=_refused())
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "unreachable"
    assert len(http.calls) == 3 and sleeps == [0.2, 0.4]


def test_dropped_connection_is_unreachable_and_post_is_not_retried(emis, http):
    dropped = requests.exceptions.ConnectionError(
        "Connection aborted: RemoteDisconnected"
    )
    http.post(SESSIONS, body=dropped)
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "unreachable"
    assert len(http.calls) == 1


def test_connect_timeout_is_unreachable(emis, http):
    http.get(PING, body=requests.exceptions.ConnectTimeout("no route"))
    assert _code(emis.ping).code == "unreachable"


def test_truncated_body_on_get_is_retried(emis, http, sleeps):
    http.get(PING, body=requests.exceptions.ChunkedEncodingError("IncompleteRead"))
    http.get(PING, json={"status": "ok", "api_version": "1"})
    assert emis.ping()["status"] == "ok"
    assert sleeps == [0.2]


def test_invalid_address_is_unreachable_without_retry():
    client = EmisClient(base_url="emis.local", api_login="a", api_password="b")
    error = _code(client.ping)
    assert error.code == "unreachable"
    assert ConnectorCall.objects.get().attempts == 1


@pytest.mark.parametrize(
    ("body", "content_type", "calls"),
    [
        # Not JSON at all (cut short on the way, or garbled): a GET is read
        # again within the client's bounded attempts, then it is permanent.
        ("<html>oops</html>", "text/html", 3),
        ('{"status": "ok"', "application/json", 3),  # truncated JSON
        ("[1, 2]", "application/json", 1),  # not an object
        ('{"status": "down"}', "application/json", 1),  # wrong answer
    ],
)
def test_ping_bad_bodies_are_bad_response(emis, http, body, content_type, calls):
    http.get(PING, body=body, content_type=content_type)
    error = _code(emis.ping)
    assert error.code == "bad_response"
    assert len(http.calls) == calls


def test_a_body_that_is_not_json_is_read_again_once_it_recovers(emis, http):
    http.get(PING, body='{"status": "o', content_type="application/json")
    http.get(PING, json={"status": "ok", "api_version": "1"})
    assert emis.ping()["status"] == "ok"
    assert len(http.calls) == 2


def test_a_web_session_body_that_is_not_json_is_not_posted_again(emis, http):
    http.post(SESSIONS, status=201, body="{", content_type="application/json")
    error = _code(lambda: emis.create_web_session(legal_entity_id=1, person_id=2))
    assert error.code == "bad_response"
    assert len(http.calls) == 1


@pytest.mark.parametrize(
    "page",
    [
        {"next_cursor": "c", "has_more": False},
        {"items": {}, "next_cursor": "c", "has_more": False},
        {"items": None, "next_cursor": "c", "has_more": False},
    ],
)
def test_changes_with_no_items_array_is_bad_response(emis, http, page):
    """No page at all. A page with an array is the contract reader's, which
    names the bad fields and sets a broken record apart (tests/emis/test_sync.py)."""
    http.get(CHANGES, json=page)
    error = _code(lambda: emis.changes(legal_entity_id=17, cursor=None))
    assert error.code == "bad_response"
    assert ConnectorCall.objects.get().error_code == "bad_response"


def test_web_session_without_url_is_bad_response(emis, http):
    http.post(SESSIONS, status=201, json={"expires_at": "t"})
    error = _code(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "bad_response"


def test_a_redirect_is_not_followed(emis, http):
    http.get(PING, status=302, headers={"Location": "https://elsewhere.test/"})
    assert _code(emis.ping).code == "bad_response"
    assert len(http.calls) == 1


# --- the record of each call --------------------------------------------------


def test_each_call_leaves_one_row_without_secrets_or_ids(emis, http, caplog):
    caplog.set_level(logging.DEBUG)
    http.get(PERSON, json={"person_id": "160848"})
    http.post(SESSIONS, status=403, json=_error_body("web_auth_failed"))
    emis.get_person(person_id=160848, legal_entity_id=17)
    with pytest.raises(EmisError):
        emis.create_web_session(legal_entity_id=17, person_id=160848)

    ok, failed = ConnectorCall.objects.order_by("id")
    assert (ok.connector, ok.operation, ok.ok, ok.http_status) == (
        "emis",
        "get_person",
        True,
        200,
    )
    assert (failed.operation, failed.ok, failed.http_status) == (
        "web_session",
        False,
        403,
    )
    assert failed.error_code == "web_auth_failed"
    assert "web credentials" in failed.error_message
    stored = json.dumps(list(ConnectorCall.objects.values()), default=str)
    logged = caplog.text + repr(emis)
    for text in (stored, logged):
        for secret in (API_PASSWORD, WEB_PASSWORD, "160848"):
            assert secret not in text
    assert "emis get_person ok" in caplog.text
    assert "emis web_session failed code=web_auth_failed" in caplog.text


def test_a_failing_call_log_never_hides_the_outcome(emis, http, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ConnectorCall.objects, "create", broken)
    http.get(PING, json={"status": "ok", "api_version": "1"})
    http.get(PERSON, status=401, json=_error_body("api_auth_failed"))
    assert emis.ping()["status"] == "ok"
    error = _code(lambda: emis.get_person(person_id=160848, legal_entity_id=17))
    assert error.code == "api_auth_failed"


# --- built from the saved connection -------------------------------------------


def _save_connection(**values):
    data = {
        "base_url": BASE,
        "web_login": "pms-web",
        "web_password": WEB_PASSWORD,
        "api_login": "pms-api",
        "api_password": API_PASSWORD,
        "is_active": True,
    }
    data.update(values)
    EmisConnection.objects.update_or_create(pk=1, defaults=data)


def test_from_connection_uses_the_saved_credentials(http):
    _save_connection()
    http.post(SESSIONS, status=201, json={"url": "https://e/x", "expires_at": "t"})
    EmisClient.from_connection().create_web_session(legal_entity_id=1, person_id=2)
    assert json.loads(http.calls[0].request.body)["password"] == WEB_PASSWORD


@pytest.mark.parametrize(
    "values", [{"is_active": False}, {"api_password": ""}, {"base_url": ""}]
)
def test_from_connection_inactive_or_incomplete_is_not_configured(values):
    _save_connection(**values)
    assert _code(EmisClient.from_connection).code == "not_configured"


def test_from_connection_without_any_row_is_not_configured():
    assert _code(EmisClient.from_connection).code == "not_configured"


def test_from_connection_with_a_lost_key_is_a_clear_error(settings, tmp_path):
    _save_connection()
    settings.PMS_ENCRYPTION_KEY_FILE = tmp_path / "other.key"  # a new, wrong key
    error = _code(EmisClient.from_connection)
    assert error.code == "secrets_unreadable"
    with translation.override("en"):
        assert "encryption key" in error.message
