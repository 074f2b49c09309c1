"""The sandbox's control API (/_sandbox/) needs the token printed at start.

Without it any local process could ``POST /_sandbox/persons`` with
``send_webhook`` and have the sandbox sign a webhook with the API password:
forged passport data for any guest (issue 8, item 14).
"""

import hmac

import pytest
import requests

from emis_sandbox import control
from emis_sandbox.config import Config, parse_config
from emis_sandbox.context import Context
from emis_sandbox.httpkit import ApiError, Request
from tests.support.sandbox import TOKEN_ENV, TOKEN_HEADER, sample_person, start_sandbox

pytestmark = pytest.mark.sandbox

CONTROL_CALLS = [
    ("POST", "/_sandbox/reset", None),
    ("GET", "/_sandbox/config", None),
    ("POST", "/_sandbox/config", {"webhook_enabled": True}),
    ("POST", "/_sandbox/persons", {"legal_entity_id": "17", "person": {}}),
    ("POST", "/_sandbox/persons/bulk", {"legal_entity_id": "17", "persons": []}),
    ("GET", "/_sandbox/deliveries", None),
    ("GET", "/_sandbox/requests", None),
    ("GET", "/_sandbox/faults", None),
    ("POST", "/_sandbox/faults", {"status": 500}),
    ("DELETE", "/_sandbox/faults", None),
    ("GET", "/_sandbox/no-such-endpoint", None),
]
WRONG_TOKENS = [None, "", "wrong", "x" * 5000, "токен"]


def _token_from(banner: list[str]) -> str:
    prefix = "EMIS sandbox control_token: "
    line = next(line for line in banner if line.startswith(prefix))
    return line[len(prefix) :].split()[0]


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CALLS)
@pytest.mark.parametrize("token", WRONG_TOKENS)
def test_every_control_call_without_the_token_is_401(
    emis_sandbox, method, path, body, token
):
    headers = {} if token is None else {TOKEN_HEADER: token.encode()}
    resp = requests.request(
        method, emis_sandbox.base_url + path, json=body, headers=headers, timeout=10
    )
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "control_auth_failed"


def test_no_webhook_is_signed_for_a_caller_without_the_token(emis_sandbox):
    emis_sandbox.configure(webhook_url="http://127.0.0.1:9/api/v1/emis/webhook/")

    forged = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/persons",
        json={
            "legal_entity_id": "17",
            "person": sample_person("1"),
            "send_webhook": True,
        },
        timeout=10,
    )

    assert forged.status_code == 401
    assert emis_sandbox.deliveries() == []
    with emis_sandbox.api() as api:
        stored = api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")
    assert stored.status_code == 404


def test_the_contract_api_and_the_index_need_no_control_token(emis_sandbox):
    with emis_sandbox.api() as api:
        assert api.get(f"{emis_sandbox.base_url}/api/v1/ping").status_code == 200
    assert requests.get(emis_sandbox.base_url + "/", timeout=10).status_code == 200


def test_a_random_token_per_start_is_printed_and_works(tmp_path):
    tokens = []
    for name in ("first", "second"):
        workdir = tmp_path / name
        workdir.mkdir()
        process = start_sandbox(workdir, env={TOKEN_ENV: ""})
        try:
            token = _token_from(process.banner)
            config = requests.get(
                f"{process.base_url}/_sandbox/config",
                headers={TOKEN_HEADER: token},
                timeout=10,
            )
            assert config.status_code == 200
            tokens.append(token)
        finally:
            process.stop()
    assert len(tokens[0]) >= 32
    assert tokens[0] != tokens[1]


def test_a_token_given_on_the_command_line_is_the_one_required(tmp_path):
    process = start_sandbox(tmp_path, "--control-token", "given-token-123")
    try:
        url = f"{process.base_url}/_sandbox/config"
        ok = requests.get(url, headers={TOKEN_HEADER: "given-token-123"}, timeout=10)
        other = requests.get(
            url, headers={TOKEN_HEADER: process.control_token}, timeout=10
        )
        assert (ok.status_code, other.status_code) == (200, 401)
    finally:
        process.stop()


def test_the_token_is_compared_in_constant_time(monkeypatch):
    calls = []
    compare_digest = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(control.hmac, "compare_digest", spy)
    config = parse_config(["--control-token", "right"])
    ctx = Context(config=config, base_url="http://sandbox.test", conn=None)
    req = Request("GET", "/_sandbox/config", {}, {TOKEN_HEADER: "wrong"})

    with pytest.raises(ApiError) as refused:
        control.handle(ctx, req)

    assert refused.value.status == 401
    assert calls == [(b"wrong", b"right")]


def test_an_unset_token_refuses_everything():
    # A Config built in code, not by parse_config(): no token, no control API.
    ctx = Context(config=Config(), base_url="http://sandbox.test", conn=None)
    req = Request("GET", "/_sandbox/config", {}, {TOKEN_HEADER: ""})
    with pytest.raises(ApiError) as refused:
        control.handle(ctx, req)
    assert refused.value.status == 401


def test_the_config_repr_shows_no_secret():
    config = parse_config(
        ["--api-password", "api-pw-1", "--web-password", "web-pw-2"]
    )
    text = repr(config)
    for secret in ("api-pw-1", "web-pw-2", config.control_token):
        assert secret not in text
