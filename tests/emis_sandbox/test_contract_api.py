"""The contract calls of emis-api-v1.md against the real sandbox process."""

import re

import pytest
import requests

from tests.support.sandbox import sample_foreigner, sample_person

pytestmark = pytest.mark.sandbox


@pytest.fixture
def api(emis_sandbox):
    with emis_sandbox.api() as session:
        yield session


def error_code(resp):
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]["code"]


def web_session_body(sandbox, **changes):
    body = {
        "login": sandbox.web_login,
        "password": sandbox.web_password,
        "legal_entity_id": "17",
        "person_id": "160848",
        "reservation_id": "5708",
        "hint": {"surname": "Репин", "given_names": None},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def test_ping_answers_ok_with_api_version(emis_sandbox, api):
    resp = api.get(f"{emis_sandbox.base_url}/api/v1/ping")

    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "api_version": "1"}


@pytest.mark.parametrize(
    "auth",
    [None, ("pms-api", "wrong"), ("someone", "sandbox-api-secret")],
    ids=["no-auth", "bad-password", "bad-login"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/ping"),
        ("POST", "/api/v1/web-sessions"),
        ("GET", "/api/v1/persons/160848?legal_entity_id=17"),
        ("GET", "/api/v1/changes?legal_entity_id=17"),
    ],
)
def test_every_call_refuses_bad_api_credentials(emis_sandbox, auth, method, path):
    resp = requests.request(
        method, emis_sandbox.base_url + path, auth=auth, json={}, timeout=10
    )

    assert resp.status_code == 401
    assert error_code(resp) == "api_auth_failed"


def test_web_session_returns_one_time_url_and_expiry(emis_sandbox, api):
    resp = api.post(
        f"{emis_sandbox.base_url}/api/v1/web-sessions",
        json=web_session_body(emis_sandbox),
    )

    assert resp.status_code == 201
    body = resp.json()
    assert set(body) == {"url", "expires_at"}
    assert re.fullmatch(
        re.escape(emis_sandbox.base_url) + r"/s/[\w-]{20,}", body["url"]
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["expires_at"])


def test_web_session_urls_are_unique(emis_sandbox, api):
    urls = {
        api.post(
            f"{emis_sandbox.base_url}/api/v1/web-sessions",
            json=web_session_body(emis_sandbox),
        ).json()["url"]
        for _ in range(3)
    }
    assert len(urls) == 3


def test_web_session_optional_fields_may_be_absent(emis_sandbox, api):
    body = web_session_body(emis_sandbox, reservation_id=..., hint=...)
    resp = api.post(f"{emis_sandbox.base_url}/api/v1/web-sessions", json=body)
    assert resp.status_code == 201


@pytest.mark.parametrize(
    "changes", [{"password": "wrong"}, {"login": "pms-api"}], ids=["password", "login"]
)
def test_web_session_refuses_wrong_web_credentials(emis_sandbox, api, changes):
    resp = api.post(
        f"{emis_sandbox.base_url}/api/v1/web-sessions",
        json=web_session_body(emis_sandbox, **changes),
    )

    assert resp.status_code == 403
    assert error_code(resp) == "web_auth_failed"


def test_web_session_does_not_accept_the_api_password_as_web_password(
    emis_sandbox, api
):
    body = web_session_body(
        emis_sandbox, login=emis_sandbox.api_login, password=emis_sandbox.api_password
    )
    resp = api.post(f"{emis_sandbox.base_url}/api/v1/web-sessions", json=body)
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"person_id": ...}, "person_id"),
        ({"legal_entity_id": ...}, "legal_entity_id"),
        ({"person_id": 160848}, "person_id"),
        ({"legal_entity_id": "17a"}, "legal_entity_id"),
        ({"person_id": ""}, "person_id"),
        ({"reservation_id": 5708}, "reservation_id"),
        ({"hint": "Репин"}, "hint"),
        ({"hint": {"surname": 5}}, "hint.surname"),
        ({"login": ...}, "login"),
        ({"password": None}, "password"),
    ],
)
def test_web_session_bad_fields_are_400_naming_the_field(
    emis_sandbox, api, changes, named
):
    resp = api.post(
        f"{emis_sandbox.base_url}/api/v1/web-sessions",
        json=web_session_body(emis_sandbox, **changes),
    )

    assert resp.status_code == 400
    assert error_code(resp) == "bad_request"
    assert named in resp.json()["error"]["message"]


def test_web_session_body_that_is_not_json_is_400(emis_sandbox, api):
    resp = api.post(
        f"{emis_sandbox.base_url}/api/v1/web-sessions",
        data=b"not json",
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert error_code(resp) == "bad_request"


def test_get_person_returns_the_latest_version(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_person("160848"))
    emis_sandbox.save_person(
        "17", sample_person("160848", birth_place="ГОР. САНКТ-ПЕТЕРБУРГ")
    )

    resp = api.get(
        f"{emis_sandbox.base_url}/api/v1/persons/160848",
        params={"legal_entity_id": "17"},
    )

    assert resp.status_code == 200
    person = resp.json()
    assert person["version"] == 2
    assert person["birth_place"] == "ГОР. САНКТ-ПЕТЕРБУРГ"
    expected = sample_person("160848", birth_place="ГОР. САНКТ-ПЕТЕРБУРГ")
    assert list(person) == list(expected)  # contract keys, contract order
    for key in expected:
        if key not in ("version", "updated_at"):
            assert person[key] == expected[key]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", person["updated_at"])


def test_get_person_matches_the_worked_foreigner_example(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_foreigner("160902"))

    person = api.get(
        f"{emis_sandbox.base_url}/api/v1/persons/160902?legal_entity_id=17"
    ).json()

    assert len(person["visas"]) == 2
    assert person["migration_card"]["number"] == "1234567"
    assert person["patronymic"] is None
    assert person["surname"] == {"cyrillic": None, "latin": "ERIKSSON"}


def test_unknown_person_is_404_person_not_found(emis_sandbox, api):
    resp = api.get(f"{emis_sandbox.base_url}/api/v1/persons/999?legal_entity_id=17")

    assert resp.status_code == 404
    assert error_code(resp) == "person_not_found"


def test_person_saved_for_another_legal_entity_is_not_found(emis_sandbox, api):
    emis_sandbox.save_person("18", sample_person("160848"))

    resp = api.get(f"{emis_sandbox.base_url}/api/v1/persons/160848?legal_entity_id=17")

    assert resp.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/persons/160848",
        "/api/v1/persons/160848?legal_entity_id=",
        "/api/v1/persons/160848?legal_entity_id=x17",
        "/api/v1/persons/abc?legal_entity_id=17",
    ],
)
def test_get_person_bad_parameters_are_400(emis_sandbox, api, path):
    resp = api.get(emis_sandbox.base_url + path)

    assert resp.status_code == 400
    assert error_code(resp) == "bad_request"


def test_versions_grow_per_legal_entity_and_person(emis_sandbox):
    assert emis_sandbox.save_person("17", sample_person("1"))["version"] == 1
    assert emis_sandbox.save_person("17", sample_person("1"))["version"] == 2
    assert emis_sandbox.save_person("17", sample_person("2"))["version"] == 1
    assert emis_sandbox.save_person("18", sample_person("1"))["version"] == 1
    # A version sent by the caller is ignored: the server assigns the next one.
    assert (
        emis_sandbox.save_person("17", sample_person("1", version=40))["version"] == 3
    )


def changes(api, sandbox, **params):
    resp = api.get(
        f"{sandbox.base_url}/api/v1/changes",
        params={"legal_entity_id": "17", **params},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_changes_pages_with_cursors_and_repeating_a_cursor_is_safe(emis_sandbox, api):
    for n in range(1, 8):
        emis_sandbox.save_person("17", sample_person(str(n)))
    emis_sandbox.save_person("18", sample_person("99"))  # another legal entity

    first = changes(api, emis_sandbox, limit=3)
    second = changes(api, emis_sandbox, limit=3, cursor=first["next_cursor"])
    third = changes(api, emis_sandbox, limit=3, cursor=second["next_cursor"])
    again = changes(api, emis_sandbox, limit=3, cursor=first["next_cursor"])

    assert set(first) == {"items", "next_cursor", "has_more"}
    ids = [[p["person_id"] for p in page["items"]] for page in (first, second, third)]
    assert ids == [["1", "2", "3"], ["4", "5", "6"], ["7"]]
    assert [first["has_more"], second["has_more"], third["has_more"]] == [
        True,
        True,
        False,
    ]
    assert again == second
    # At the end the cursor stays put, so polling it again returns nothing new.
    tail = changes(api, emis_sandbox, cursor=third["next_cursor"])
    assert tail == {"items": [], "next_cursor": third["next_cursor"], "has_more": False}


def test_changes_without_cursor_start_from_the_beginning(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_person("1"))
    emis_sandbox.save_person("17", sample_foreigner("2"))

    page = changes(api, emis_sandbox)

    assert [p["person_id"] for p in page["items"]] == ["1", "2"]
    assert page["items"][1]["visas"][1]["number"] == "2222222"
    assert page["has_more"] is False


def test_changes_show_only_the_latest_version_after_the_cursor(emis_sandbox, api):
    emis_sandbox.save_person("17", sample_person("1"))
    emis_sandbox.save_person("17", sample_person("2"))
    cursor = changes(api, emis_sandbox)["next_cursor"]
    emis_sandbox.save_person("17", sample_person("1", birth_place="A"))
    emis_sandbox.save_person("17", sample_person("3"))
    emis_sandbox.save_person("17", sample_person("1", birth_place="B"))

    page = changes(api, emis_sandbox, cursor=cursor)

    assert [(p["person_id"], p["version"]) for p in page["items"]] == [
        ("3", 1),
        ("1", 3),
    ]
    assert page["items"][1]["birth_place"] == "B"


def test_changes_default_limit_is_200_and_500_is_allowed(emis_sandbox, api):
    emis_sandbox.save_persons_bulk("17", [sample_person(str(n)) for n in range(1, 252)])

    default = changes(api, emis_sandbox)
    big = changes(api, emis_sandbox, limit=500)

    assert len(default["items"]) == 200
    assert default["has_more"] is True
    assert len(big["items"]) == 251
    assert big["has_more"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "501"},
        {"limit": "0"},
        {"limit": "ten"},
        {"cursor": "garbage"},
        {"legal_entity_id": ""},
        {"legal_entity_id": "abc"},
    ],
)
def test_changes_bad_parameters_are_400(emis_sandbox, api, params):
    resp = api.get(
        f"{emis_sandbox.base_url}/api/v1/changes",
        params={"legal_entity_id": "17", **params},
    )
    assert resp.status_code == 400
    assert error_code(resp) == "bad_request"


def test_changes_without_legal_entity_is_400(emis_sandbox, api):
    resp = api.get(f"{emis_sandbox.base_url}/api/v1/changes")
    assert resp.status_code == 400


def test_unknown_endpoint_is_404_with_error_body(emis_sandbox, api):
    resp = api.get(f"{emis_sandbox.base_url}/api/v1/nothing")
    assert resp.status_code == 404
    assert error_code(resp) == "not_found"
