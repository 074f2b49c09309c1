"""The /_sandbox/ control API: reset, config, seeding, counters."""

import pytest
import requests

from tests.support.sandbox import sample_foreigner, sample_person

pytestmark = pytest.mark.sandbox


def test_reset_wipes_persons_sessions_deliveries_faults_and_counts(emis_sandbox):
    emis_sandbox.configure(webhook_url="http://127.0.0.1:9/hook/")
    emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    url = emis_sandbox.open_web_session("1")
    emis_sandbox.set_faults(status=500, paths=["/api/v1/changes"])

    emis_sandbox.reset()

    with emis_sandbox.api() as api:
        person = api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")
        assert person.status_code == 404
        feed = api.get(f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17")
        assert feed.status_code == 200  # the fault is gone
    assert requests.get(url, timeout=10).status_code == 404  # session gone
    assert emis_sandbox.deliveries() == []
    assert emis_sandbox.request_counts() == {"/api/v1/changes": 1, "/api/v1/persons": 1}


def test_cursors_restart_after_reset(emis_sandbox):
    emis_sandbox.save_person("17", sample_person("1"))
    emis_sandbox.reset()
    emis_sandbox.save_person("17", sample_person("2"))
    with emis_sandbox.api() as api:
        page = api.get(
            f"{emis_sandbox.base_url}/api/v1/changes?legal_entity_id=17"
        ).json()
    assert page["next_cursor"] == "c-000001"


def test_config_changes_at_run_time(emis_sandbox):
    body = emis_sandbox.configure(webhook_url="http://pms.test/api/v1/emis/webhook/")
    assert body == {
        "webhook_url": "http://pms.test/api/v1/emis/webhook/",
        "webhook_enabled": True,
        "session_ttl": 600.0,
    }
    assert emis_sandbox.configure(webhook_enabled=False)["webhook_enabled"] is False
    current = requests.get(
        f"{emis_sandbox.base_url}/_sandbox/config",
        headers=emis_sandbox.control_headers,
    ).json()
    assert current["webhook_url"] == "http://pms.test/api/v1/emis/webhook/"


@pytest.mark.parametrize(
    "body",
    [
        {"webhook_url": "ftp://x"},
        {"webhook_enabled": "yes"},
        {"session_ttl": -1},
        {"webhook": "x"},
    ],
)
def test_bad_config_is_400(emis_sandbox, body):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/config",
        headers=emis_sandbox.control_headers,
        json=body,
    )
    assert resp.status_code == 400


def test_save_person_returns_201_with_person_and_no_delivery(emis_sandbox):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/persons",
        headers=emis_sandbox.control_headers,
        json={"legal_entity_id": "17", "person": sample_foreigner("5")},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["delivery"] is None
    assert body["person"]["person_id"] == "5"
    assert body["person"]["version"] == 1


def test_save_person_normalises_to_the_contract_shape(emis_sandbox):
    person = {
        "person_id": "7",
        "surname": {"cyrillic": "Иванов"},
        "sex": "M",
        "citizenship": "RUS",
        "documents": [{"kind": "driving_licence", "number": "77 01"}],
        "favourite_colour": "blue",
    }
    saved = emis_sandbox.save_person("17", person)
    assert saved.person == {
        "person_id": "7",
        "version": 1,
        "updated_at": saved["updated_at"],
        "surname": {"cyrillic": "Иванов", "latin": None},
        "given_names": None,
        "patronymic": None,
        "sex": "M",
        "birth_date": None,
        "birth_place": None,
        "citizenship": "RUS",
        "documents": [
            {
                "kind": "other",  # unknown kinds are stored as "other"
                "series": None,
                "number": "77 01",
                "issue_date": None,
                "expiry_date": None,
                "issuer": None,
                "issuer_code": None,
                "issuing_country": None,
                "source": None,
            }
        ],
        "visas": [],
        "migration_card": None,
    }


def test_save_person_refuses_an_invalid_person(emis_sandbox):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/persons",
        headers=emis_sandbox.control_headers,
        json={"legal_entity_id": "17", "person": sample_person("1", sex="X")},
    )
    assert resp.status_code == 400
    assert "sex" in resp.json()["error"]["message"]


def test_validate_false_stores_deliberately_broken_data(emis_sandbox):
    broken = sample_person("1", sex="X", birth_date="12.04.1985")
    saved = emis_sandbox.save_person("17", broken, validate=False)
    with emis_sandbox.api() as api:
        person = api.get(
            f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17"
        ).json()
    assert saved["version"] == 1
    assert person["sex"] == "X"
    assert person["birth_date"] == "12.04.1985"


def test_bulk_seeds_ten_thousand_persons_in_one_call(emis_sandbox):
    persons = [sample_person(str(100000 + n)) for n in range(10_000)]

    body = emis_sandbox.save_persons_bulk("17", persons)

    assert body["count"] == 10_000
    assert body["persons"][0] == {"person_id": "100000", "version": 1}
    with emis_sandbox.api() as api:
        page = api.get(
            f"{emis_sandbox.base_url}/api/v1/changes",
            params={"legal_entity_id": "17", "limit": 500},
        ).json()
    assert len(page["items"]) == 500
    assert page["has_more"] is True


def test_bulk_is_all_or_nothing(emis_sandbox):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/persons/bulk",
        headers=emis_sandbox.control_headers,
        json={
            "legal_entity_id": "17",
            "persons": [sample_person("1"), sample_person("2", surname=None)],
        },
    )
    assert resp.status_code == 400
    assert "persons[1]" in resp.json()["error"]["message"]
    with emis_sandbox.api() as api:
        one = api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")
    assert one.status_code == 404


def test_request_counts_per_path_prefix(emis_sandbox):
    with emis_sandbox.api() as api:
        for _ in range(3):
            api.get(f"{emis_sandbox.base_url}/api/v1/ping")
        api.get(f"{emis_sandbox.base_url}/api/v1/persons/1?legal_entity_id=17")
        api.get(f"{emis_sandbox.base_url}/api/v1/persons/2?legal_entity_id=17")
    requests.get(f"{emis_sandbox.base_url}/api/v1/ping")  # refused, still served
    emis_sandbox.open_web_session("1")

    assert emis_sandbox.request_counts() == {
        "/api/v1/persons": 2,
        "/api/v1/ping": 4,
        "/api/v1/web-sessions": 1,
    }


def test_unknown_control_endpoint_is_404(emis_sandbox):
    resp = requests.get(
        f"{emis_sandbox.base_url}/_sandbox/nothing",
        headers=emis_sandbox.control_headers,
    )
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


def test_index_page_is_marked_as_sandbox(emis_sandbox):
    resp = requests.get(emis_sandbox.base_url + "/")
    assert resp.status_code == 200
    assert "EMIS SANDBOX" in resp.text


def test_concurrent_saves_get_distinct_versions(emis_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    def save(_):
        resp = requests.post(
            f"{emis_sandbox.base_url}/_sandbox/persons",
            headers=emis_sandbox.control_headers,
            json={"legal_entity_id": "17", "person": sample_person("1")},
            timeout=30,
        )
        return resp.json()["person"]["version"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = sorted(pool.map(save, range(24)))

    assert versions == list(range(1, 25))


def test_chunked_request_bodies_are_refused(emis_sandbox):
    resp = requests.post(
        f"{emis_sandbox.base_url}/_sandbox/persons",
        headers=emis_sandbox.control_headers,
        data=(part for part in [b'{"legal_entity_id": ', b'"17"}']),
        timeout=10,
    )
    assert resp.status_code == 411
