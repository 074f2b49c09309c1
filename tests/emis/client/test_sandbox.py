"""The client against the real sandbox process, one fault at a time."""

import socket

import pytest

from emis.client import EmisClient
from emis.errors import EmisError
from integrations.models import ConnectorCall
from tests.support.sandbox import sample_person

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    waited = []
    monkeypatch.setattr("emis.client.time.sleep", waited.append)
    return waited


def _client(sandbox, **overrides):
    values = {
        "base_url": sandbox.base_url,
        "api_login": sandbox.api_login,
        "api_password": sandbox.api_password,
        "web_login": sandbox.web_login,
        "web_password": sandbox.web_password,
        "read_timeout": 5,
    }
    values.update(overrides)
    client = EmisClient(**values)
    client.session.trust_env = False
    return client


def _error(call) -> EmisError:
    with pytest.raises(EmisError) as info:
        call()
    return info.value


def test_ping_get_person_changes_and_web_session(emis_sandbox):
    emis_sandbox.save_person("17", sample_person("160848"))
    emis = _client(emis_sandbox)
    assert emis.ping()["status"] == "ok"
    person = emis.get_person(person_id=160848, legal_entity_id=17)
    assert person["person_id"] == "160848"
    page = emis.changes(legal_entity_id=17, cursor=None)
    assert [p["person_id"] for p in page["items"]] == ["160848"]
    again = emis.changes(legal_entity_id=17, cursor=page["next_cursor"])
    assert again["items"] == []
    session = emis.create_web_session(
        legal_entity_id=17,
        person_id=160848,
        reservation_id=5708,
        hint={"surname": "Репин"},
    )
    assert session["url"].startswith("http")
    operations = list(
        ConnectorCall.objects.order_by("id").values_list("operation", "ok")
    )
    assert operations == [
        ("ping", True),
        ("get_person", True),
        ("changes", True),
        ("changes", True),
        ("web_session", True),
    ]


def test_wrong_api_password_is_api_auth_failed(emis_sandbox):
    error = _error(_client(emis_sandbox, api_password="wrong").ping)
    assert (error.code, error.http_status) == ("api_auth_failed", 401)


def test_wrong_web_password_is_web_auth_failed(emis_sandbox):
    emis = _client(emis_sandbox, web_password="wrong")
    error = _error(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert (error.code, error.http_status) == ("web_auth_failed", 403)


def test_unknown_person_is_person_not_found(emis_sandbox):
    emis = _client(emis_sandbox)
    error = _error(lambda: emis.get_person(person_id=999999, legal_entity_id=17))
    assert error.code == "person_not_found"


def test_429_with_retry_after_then_success(emis_sandbox, sleeps):
    emis_sandbox.set_faults(status=429, retry_after=1, times=1)
    assert _client(emis_sandbox).ping()["status"] == "ok"
    assert sleeps == [1.0]
    assert ConnectorCall.objects.get().attempts == 2


def test_long_retry_after_is_handed_to_the_caller(emis_sandbox, sleeps):
    emis_sandbox.set_faults(status=429, retry_after=30, times=1)
    error = _error(_client(emis_sandbox).ping)
    assert (error.code, error.retry_after) == ("rate_limited", 30.0)
    assert sleeps == []


def test_500_then_success(emis_sandbox, sleeps):
    emis_sandbox.set_faults(status=500, times=1)
    emis_sandbox.save_person("17", sample_person("160848"))
    emis = _client(emis_sandbox)
    assert emis.get_person(person_id=160848, legal_entity_id=17)["version"] == 1
    assert sleeps == [0.2]


def test_persistent_500_is_server_error(emis_sandbox, sleeps):
    emis_sandbox.set_faults(status=500)
    error = _error(_client(emis_sandbox).ping)
    assert error.code == "server_error" and not error.permanent
    assert sleeps == [0.2, 0.4]


def test_latency_above_read_timeout_is_timeout(emis_sandbox):
    emis_sandbox.set_faults(latency_ms=1500, times=1, paths=["/api/v1/web-sessions"])
    emis = _client(emis_sandbox, read_timeout=0.3)
    error = _error(lambda: emis.create_web_session(legal_entity_id=17, person_id=1))
    assert error.code == "timeout"
    assert ConnectorCall.objects.get().attempts == 1  # a POST is not sent twice


def test_slow_get_is_retried_after_a_timeout(emis_sandbox):
    emis_sandbox.set_faults(latency_ms=1500, times=1)
    emis = _client(emis_sandbox, read_timeout=0.3)
    assert emis.ping()["status"] == "ok"
    assert ConnectorCall.objects.get().attempts == 2


def test_malformed_json_is_bad_response(emis_sandbox):
    emis_sandbox.set_faults(malformed_json=True)
    assert _error(_client(emis_sandbox).ping).code == "bad_response"


def test_dropped_connection_is_unreachable(emis_sandbox):
    emis_sandbox.set_faults(drop_connection=True)
    error = _error(_client(emis_sandbox).ping)
    assert error.code == "unreachable" and not error.permanent


def test_truncated_body_is_transient_and_retried(emis_sandbox):
    emis_sandbox.set_faults(truncate_body=True)
    error = _error(_client(emis_sandbox).ping)
    assert error.code in ("unreachable", "bad_response")
    emis_sandbox.set_faults(truncate_body=True, times=1)
    assert _client(emis_sandbox).ping()["status"] == "ok"


def test_port_with_nothing_listening_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    emis = EmisClient(
        base_url=f"http://127.0.0.1:{port}", api_login="a", api_password="b"
    )
    error = _error(emis.ping)
    assert error.code == "unreachable"
    assert ConnectorCall.objects.get().attempts == 3
