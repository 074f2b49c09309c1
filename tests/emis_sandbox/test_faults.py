"""Fault injection on the contract API (and only there)."""

import threading

import pytest
import requests

from tests.support.processes import wait_until
from tests.support.sandbox import sample_person

pytestmark = pytest.mark.sandbox


@pytest.fixture
def api(emis_sandbox):
    with emis_sandbox.api() as session:
        yield session


def ping(sandbox, api, **kwargs):
    kwargs.setdefault("timeout", 10)
    return api.get(f"{sandbox.base_url}/api/v1/ping", **kwargs)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "api_auth_failed"),
        (403, "web_auth_failed"),
        (404, "person_not_found"),
        (500, "internal_error"),
        (503, "service_unavailable"),
    ],
)
def test_forced_status_answers_the_contract_error_body(emis_sandbox, api, status, code):
    emis_sandbox.set_faults(status=status)

    resp = ping(emis_sandbox, api)

    assert resp.status_code == status
    assert resp.json()["error"]["code"] == code


def test_forced_429_carries_retry_after(emis_sandbox, api):
    emis_sandbox.set_faults(status=429, retry_after=7)

    resp = ping(emis_sandbox, api)

    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    assert resp.json()["error"]["code"] == "rate_limited"


def test_error_rate_one_fails_every_request_and_zero_none(emis_sandbox, api):
    emis_sandbox.set_faults(error_rate=1.0)
    assert {ping(emis_sandbox, api).status_code for _ in range(5)} == {500}

    emis_sandbox.set_faults(error_rate=0.0)
    assert {ping(emis_sandbox, api).status_code for _ in range(5)} == {200}


def test_malformed_json_is_a_200_that_does_not_parse(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_person("1"))
    emis_sandbox.set_faults(malformed_json=True)

    resp = api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")

    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    with pytest.raises(requests.JSONDecodeError):
        resp.json()


def test_drop_connection_closes_without_an_answer(emis_sandbox, api):
    emis_sandbox.set_faults(drop_connection=True)

    with pytest.raises(requests.ConnectionError):
        ping(emis_sandbox, api)


def test_truncate_body_drops_the_connection_mid_body(emis_sandbox, api):
    emis_sandbox.save_persons_bulk("17", [sample_person(str(n)) for n in range(50)])
    emis_sandbox.set_faults(truncate_body=True)

    with pytest.raises(
        (requests.exceptions.ChunkedEncodingError, requests.ConnectionError)
    ):
        api.get(
            f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17", timeout=10
        )


def test_latency_delays_the_answer_past_a_client_timeout(emis_sandbox, api):
    emis_sandbox.set_faults(latency_ms=1500, times=1)

    with pytest.raises(requests.Timeout):
        ping(emis_sandbox, api, timeout=0.5)


def test_a_slow_request_does_not_block_others(emis_sandbox, api):
    emis_sandbox.set_faults(latency_ms=1500, paths=["/api/v1/changes"])
    before = emis_sandbox.request_counts().get("/api/v1/changes", 0)
    slow = threading.Thread(
        target=lambda: emis_sandbox.api().get(
            f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17", timeout=10
        ),
        daemon=True,
    )
    slow.start()
    # The sandbox counts a request on arrival, before the fault's latency.
    wait_until(
        lambda: emis_sandbox.request_counts().get("/api/v1/changes", 0) > before,
        timeout=10,
        what="the slow request reaching the sandbox",
        interval=0.02,
    )

    # Served while the slow request is still sleeping in another thread.
    assert ping(emis_sandbox, api, timeout=2).status_code == 200
    assert slow.is_alive()
    slow.join()


def test_times_limits_the_fault_then_it_clears_itself(emis_sandbox, api):
    emis_sandbox.set_faults(status=503, times=2)

    statuses = [ping(emis_sandbox, api).status_code for _ in range(4)]

    assert statuses == [503, 503, 200, 200]
    current = requests.get(
        f"{emis_sandbox.base_url}/_sandbox/faults",
        headers=emis_sandbox.control_headers,
    )
    assert current.json() == {"faults": None}


def test_paths_limit_the_fault_to_those_prefixes(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_person("1"))
    emis_sandbox.set_faults(status=500, paths=["/api/v1/persons"])

    person = api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")

    assert person.status_code == 500
    assert ping(emis_sandbox, api).status_code == 200


def test_requests_outside_the_paths_do_not_use_up_times(emis_sandbox, api):
    emis_sandbox.set_faults(status=500, times=1, paths=["/api/v1/changes"])

    assert ping(emis_sandbox, api).status_code == 200
    changes = api.get(f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17")
    assert changes.status_code == 500
    again = api.get(f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17")
    assert again.status_code == 200


def test_faults_spare_the_control_api_and_the_upload_page(emis_sandbox):
    emis_sandbox.set_faults(status=503)

    saved = emis_sandbox.save_person("17", sample_person("1"))
    assert saved["version"] == 1
    assert emis_sandbox.request_counts() == {}
    # The contract call to open a page fails, but a page opened before works.
    emis_sandbox.clear_faults()
    url = emis_sandbox.open_web_session("1")
    emis_sandbox.set_faults(status=503)
    assert requests.get(url, timeout=10).status_code == 200


def test_delete_clears_the_faults(emis_sandbox, api):
    emis_sandbox.set_faults(status=500)
    emis_sandbox.clear_faults()

    assert ping(emis_sandbox, api).status_code == 200


def test_fault_applies_even_before_authentication(emis_sandbox):
    emis_sandbox.set_faults(status=503)
    resp = requests.get(f"{emis_sandbox.base_url}/api/v1/ping", timeout=10)
    assert resp.status_code == 503


@pytest.mark.parametrize(
    "body",
    [
        {"status": 200},
        {"status": "500"},
        {"error_rate": 2},
        {"times": 0},
        {"paths": "/api/v1/ping"},
        {"drop_connection": "yes"},
        {"typo": True},
    ],
)
def test_bad_fault_specs_are_400(emis_sandbox, body):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/faults",
        headers=emis_sandbox.control_headers,
        json=body,
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "bad_request"
