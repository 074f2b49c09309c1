"""Issue 8, item 7: deeply nested JSON is a 400 on every API endpoint, never
a 500 (a RecursionError in the JSON decoder), the anonymous token endpoint
included. The API's parser refuses anything nested deeper than 64 levels
with its usual error shape ``{"detail": "..."}``."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.exceptions import ParseError

from pms.parsers import MAX_DEPTH, DepthLimitedJSONParser
from pms.roles import Role
from tests.factories import make_user
from tests.security.test_permission_matrix import (  # noqa: F401 - world is a fixture
    _named_routes,
    _url,
    world,
)

pytestmark = pytest.mark.django_db

BOMB = b"[" * 100_000 + b"]" * 100_000
OBJECT_BOMB = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


def _parse(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return DepthLimitedJSONParser().parse(io.BytesIO(data), "application/json", {})


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_limit_is_64_levels():
    assert MAX_DEPTH == 64
    expected: list = []
    for _ in range(63):
        expected = [expected]
    assert _parse(_nested(64)) == expected
    with pytest.raises(ParseError):
        _parse(_nested(65))
    mixed = '{"a": [' * 32 + "1" + "]}" * 32  # 64 levels of objects and arrays
    assert _parse(mixed)["a"][0]["a"]
    with pytest.raises(ParseError):
        _parse('{"b": ' + mixed + "}")


def test_brackets_inside_strings_do_not_count():
    value = "[{" * 10_000 + '\\"' + "]}" * 10_000
    assert _parse('{"note": "' + value + '"}') == {"note": value.replace('\\"', '"')}


def test_a_bomb_is_a_parse_error_not_a_recursion_error():
    for bomb in (BOMB, OBJECT_BOMB):
        with pytest.raises(ParseError):
            _parse(bomb)


def test_ordinary_json_is_unchanged():
    assert _parse('{"a": [1, 2.5, "x", null, true], "b": {}}') == {
        "a": [1, 2.5, "x", None, True],
        "b": {},
    }
    with pytest.raises(ParseError):
        _parse("{not json")


def _assert_400(response, where: str) -> None:
    assert response.status_code == 400, f"{where}: {response.status_code}"
    body = response.json()
    assert isinstance(body.get("detail"), str), f"{where}: {body}"


@pytest.fixture
def anon():
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("bomb", [BOMB, OBJECT_BOMB], ids=["arrays", "objects"])
def test_the_anonymous_token_endpoint_answers_400(anon, bomb):
    response = anon.post(reverse("api-token"), bomb, content_type="application/json")
    _assert_400(response, "api-token")


def test_the_message_is_translated(anon):
    response = anon.post(
        reverse("api-token"),
        BOMB,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert "глубже 64 уровней" in response.json()["detail"]


def test_the_token_endpoint_still_takes_form_data(anon, db):
    make_user(Role.FRONT_DESK, username="clerk")
    response = anon.post(
        reverse("api-token"), {"username": "clerk", "password": "pass-12345"}
    )
    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_no_api_endpoint_answers_a_bomb_with_a_500(world, method):  # noqa: F811
    client = Client()
    client.raise_request_exception = False
    client.force_login(make_user(Role.ADMIN))
    checked = 0
    for name in _named_routes():
        url = _url(name, world)
        if not url.startswith("/api/v1/") or name == "emis-webhook":
            continue  # the webhook parses its own body (test_webhook_abuse.py)
        response = getattr(client, method)(url, BOMB, content_type="application/json")
        assert response.status_code < 500, f"{method} {name}: {response.status_code}"
        # 405: a method the view does not have; 2xx: a view that reads no body.
        if response.status_code == 400:
            _assert_400(response, f"{method} {name}")
            checked += 1
    assert checked >= 3


def test_a_write_endpoint_answers_400_for_a_bomb_inside_a_valid_object(world):  # noqa: F811
    client = Client()
    client.raise_request_exception = False
    client.force_login(make_user(Role.ADMIN))
    body = b'{"name": "x", "inn": ' + BOMB + b"}"
    response = client.post(
        reverse("api-legal-entity-list"), body, content_type="application/json"
    )
    _assert_400(response, "legal entities")
