"""Starting the sandbox: command-line and env options, ready line, failures."""

import socket

import pytest
import requests

from tests.support.sandbox import SandboxError, start_sandbox

pytestmark = pytest.mark.sandbox


def test_options_come_from_the_env_and_the_banner_prints_logins_only(tmp_path):
    env = {
        "EMIS_SANDBOX_API_LOGIN": "hotel-api",
        "EMIS_SANDBOX_API_PASSWORD": "api-pw",
        "EMIS_SANDBOX_WEB_LOGIN": "hotel-web",
        "EMIS_SANDBOX_WEB_PASSWORD": "web-pw",
    }
    process = start_sandbox(tmp_path, "--session-ttl", "0", env=env)
    try:
        base = process.base_url
        assert process.banner[-1] == f"EMIS sandbox ready on {base}"
        for value in ("hotel-api", "hotel-web", base, process.control_token):
            assert any(value in line for line in process.banner[:-1])
        # Passwords never reach stdout (terminals, CI logs, `docker logs`).
        for secret in ("api-pw", "web-pw"):
            assert not any(secret in line for line in process.banner)
        ok = requests.get(f"{base}/api/v1/ping", auth=("hotel-api", "api-pw"))
        default = requests.get(
            f"{base}/api/v1/ping", auth=("pms-api", "sandbox-api-secret")
        )
        assert (ok.status_code, default.status_code) == (200, 401)
        created = requests.post(
            f"{base}/api/v1/web-sessions",
            auth=("hotel-api", "api-pw"),
            json={
                "login": "hotel-web",
                "password": "web-pw",
                "legal_entity_id": "1",
                "person_id": "2",
            },
        )
        assert created.status_code == 201
        # --session-ttl 0: the link is already expired when opened.
        assert requests.get(created.json()["url"]).status_code == 410
    finally:
        process.stop()
    assert process.popen.returncode is not None


def test_a_sandbox_that_cannot_start_fails_with_its_stderr(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SandboxError, match="Address already in use"):
            start_sandbox(tmp_path, "--port", str(port))


def test_data_survives_a_restart_on_the_same_db(tmp_path):
    first = start_sandbox(tmp_path)
    try:
        requests.post(
            f"{first.base_url}/_sandbox/persons",
            headers=first.handle().control_headers,
            json={
                "legal_entity_id": "17",
                "person": {
                    "person_id": "1",
                    "surname": {"latin": "DOE"},
                    "sex": "F",
                    "citizenship": "USA",
                },
            },
        ).raise_for_status()
    finally:
        first.stop()
    second = start_sandbox(tmp_path)
    try:
        person = requests.get(
            f"{second.base_url}/api/v1/persons/1?legal_entity_id=17",
            auth=(second.api_login, second.api_password),
        )
        assert person.json()["surname"]["latin"] == "DOE"
    finally:
        second.stop()
