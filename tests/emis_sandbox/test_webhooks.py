"""Signed webhooks: headers, HMAC, retries with the same delivery ID, records."""

import hashlib
import hmac
import json
import re
import time

import pytest

from tests.emis_sandbox.helpers import WebhookReceiver
from tests.support.sandbox import sample_foreigner, sample_person

pytestmark = pytest.mark.sandbox
UUID4 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


@pytest.fixture
def receiver(emis_sandbox):
    with WebhookReceiver() as receiver:
        emis_sandbox.configure(webhook_url=receiver.url)
        yield receiver


def expected_signature(secret, received):
    mac = hmac.new(
        secret.encode(),
        received.headers["X-Emis-Timestamp"].encode() + b"." + received.body,
        hashlib.sha256,
    )
    return "sha256=" + mac.hexdigest()


def test_webhook_is_signed_as_the_contract_says(emis_sandbox, receiver):
    saved = emis_sandbox.save_person(
        "17", sample_foreigner("160902"), send_webhook=True
    )

    [hook] = receiver.received
    assert hook.path == "/api/v1/emis/webhook/"
    assert hook.headers["Content-Type"] == "application/json"
    assert UUID4.match(hook.headers["X-Emis-Delivery"])
    assert abs(int(hook.headers["X-Emis-Timestamp"]) - time.time()) < 300
    assert hmac.compare_digest(
        hook.headers["X-Emis-Signature"],
        expected_signature(emis_sandbox.api_password, hook),
    )
    assert json.loads(hook.body) == {
        "event": "person.documents_saved",
        "legal_entity_id": "17",
        "person": saved.person,
    }
    assert saved.delivery["delivery_id"] == hook.headers["X-Emis-Delivery"]
    assert saved.delivery["status_code"] == 200
    assert saved.delivery["pms_status"] == "applied"
    assert saved["delivery"]["retrying"] is False


def test_signature_is_not_valid_with_another_key(emis_sandbox, receiver):
    emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    [hook] = receiver.received
    assert hook.headers["X-Emis-Signature"] != expected_signature("other", hook)


def test_body_is_sent_as_utf8_not_escaped(emis_sandbox, receiver):
    emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    [hook] = receiver.received
    assert "Крупкин".encode() in hook.body


def test_a_500_is_retried_with_the_same_delivery_id(emis_sandbox, receiver):
    receiver.script.extend([(500, {"detail": "boom"}), (503, {})])

    saved = emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    attempts = emis_sandbox.wait_for_deliveries(3)

    assert saved.delivery["status_code"] == 500
    assert saved.delivery["retrying"] is True
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["status_code"] for a in attempts] == [500, 503, 200]
    assert len(receiver.received) == 3
    ids = {r.headers["X-Emis-Delivery"] for r in receiver.received}
    assert ids == {saved.delivery["delivery_id"]}
    for hook in receiver.received:  # each attempt freshly signed, all valid
        assert hook.headers["X-Emis-Signature"] == expected_signature(
            emis_sandbox.api_password, hook
        )
    assert {a["delivery_id"] for a in attempts} == ids
    assert attempts[0]["response_body"] == '{"detail": "boom"}'
    assert attempts[0]["person_id"] == "1"
    assert attempts[0]["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attempts[0]["sent_at"])


def test_retries_stop_after_five_attempts(emis_sandbox, receiver):
    receiver.script.extend([(500, {})] * 10)

    emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    attempts = emis_sandbox.wait_for_deliveries(5)
    emis_sandbox.wait_for_retries_to_end()  # then nothing more may come

    assert len(emis_sandbox.deliveries()) == 5
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4, 5]


def test_a_4xx_is_final_and_not_retried(emis_sandbox, receiver):
    receiver.script.append((400, {"person.sex": "bad"}))

    saved = emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    emis_sandbox.wait_for_retries_to_end()

    assert saved.delivery["status_code"] == 400
    assert saved.delivery["retrying"] is False
    assert len(emis_sandbox.deliveries()) == 1


def test_no_answer_is_recorded_and_retried(emis_sandbox):
    emis_sandbox.configure(webhook_url="http://127.0.0.1:9/hook/")

    saved = emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)
    attempts = emis_sandbox.wait_for_deliveries(2)

    assert saved.delivery["status_code"] is None
    assert "connection failed" in saved.delivery["error"]
    assert attempts[1]["delivery_id"] == attempts[0]["delivery_id"]
    assert attempts[1]["error"]


def test_disabled_webhooks_send_nothing(emis_sandbox, receiver):
    emis_sandbox.configure(webhook_enabled=False)

    saved = emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)

    assert saved.delivery is None
    assert receiver.received == []
    assert emis_sandbox.deliveries() == []


def test_saving_without_send_webhook_sends_nothing(emis_sandbox, receiver):
    emis_sandbox.save_person("17", sample_person("1"))
    assert receiver.received == []


def test_reset_stops_pending_retries_and_restores_settings(emis_sandbox, receiver):
    receiver.script.extend([(500, {})] * 10)
    emis_sandbox.save_person("17", sample_person("1"), send_webhook=True)

    emis_sandbox.reset()
    emis_sandbox.wait_for_retries_to_end()  # each loop sees the reset and stops

    assert emis_sandbox.deliveries() == []
    assert len(receiver.received) <= 2
    assert emis_sandbox.configure()["webhook_enabled"] is False  # start-up value
