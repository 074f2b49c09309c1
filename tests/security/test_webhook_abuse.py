"""Hostile or broken webhook requests: each is refused with the contract's
status and stores nothing at all (no claim, no history, no person change)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.test import Client

from emis.models import WebhookDelivery
from emis.webhook import signature_for
from reservations.models import IdentityDocument, PersonChange
from tests.emis.conftest import WEBHOOK_URL, russian, webhook_body
from tests.factories import make_guest, make_reservation

from .conftest import API_PASSWORD, WEB_PASSWORD, post_webhook, stored_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(connection):
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Репин")
    return stay.person_id, reservation.legal_entity_id


def _raw(client, body: bytes, headers: dict):
    return client.generic(
        "POST", WEBHOOK_URL, body, content_type="application/json", **headers
    )


def _signed_headers(body: bytes, *, ts: int | None = None, secret=API_PASSWORD):
    stamp = str(int(time.time()) if ts is None else ts)
    return {
        "HTTP_X_EMIS_DELIVERY": str(uuid.uuid4()),
        "HTTP_X_EMIS_TIMESTAMP": stamp,
        "HTTP_X_EMIS_SIGNATURE": signature_for(secret, stamp, body),
    }


def _without(headers: dict, name: str) -> dict:
    return {k: v for k, v in headers.items() if k != name}


TEN_MINUTES = 600


def _cases(body: bytes):
    now = int(time.time())
    good = _signed_headers(body)
    yield "no signature", body, _without(good, "HTTP_X_EMIS_SIGNATURE"), 401
    yield "no timestamp", body, _without(good, "HTTP_X_EMIS_TIMESTAMP"), 401
    yield "no headers at all", body, {}, 401
    yield "empty signature", body, {**good, "HTTP_X_EMIS_SIGNATURE": ""}, 401
    yield (
        "bare hex, no sha256=",
        body,
        {
            **good,
            "HTTP_X_EMIS_SIGNATURE": good["HTTP_X_EMIS_SIGNATURE"].removeprefix(
                "sha256="
            ),
        },
        401,
    )
    yield "wrong key", body, _signed_headers(body, secret="guessed"), 401
    yield (
        "signed with the web password",
        body,
        _signed_headers(body, secret=WEB_PASSWORD),
        401,
    )
    yield "signed with an empty key", body, _signed_headers(body, secret=""), 401
    yield "signature of another body", body + b" ", good, 401
    yield (
        "timestamp 10 minutes old",
        body,
        _signed_headers(body, ts=now - TEN_MINUTES),
        401,
    )
    yield (
        "timestamp 10 minutes ahead",
        body,
        _signed_headers(body, ts=now + TEN_MINUTES),
        401,
    )
    yield (
        "timestamp swapped after signing",
        body,
        {
            **good,
            "HTTP_X_EMIS_TIMESTAMP": str(now - 1),
        },
        401,
    )
    yield "timestamp not digits", body, {**good, "HTTP_X_EMIS_TIMESTAMP": "1e9"}, 401
    broken = b'{"event": "person.documents_saved", "person": {'
    yield "broken JSON, signed", broken, _signed_headers(broken), 400
    not_utf8 = b'{"event": "\xff\xfe"}'
    yield "not UTF-8, signed", not_utf8, _signed_headers(not_utf8), 400
    huge = body[:-1] + b', "padding": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    yield "2 MiB body, signed", huge, _signed_headers(huge), 413
    yield "2 MiB body, unsigned", huge, {}, 413


CASES = [
    "no signature",
    "no timestamp",
    "no headers at all",
    "empty signature",
    "bare hex, no sha256=",
    "wrong key",
    "signed with the web password",
    "signed with an empty key",
    "signature of another body",
    "timestamp 10 minutes old",
    "timestamp 10 minutes ahead",
    "timestamp swapped after signing",
    "timestamp not digits",
    "broken JSON, signed",
    "not UTF-8, signed",
    "2 MiB body, signed",
    "2 MiB body, unsigned",
]


@pytest.mark.parametrize("name", CASES)
def test_a_refused_webhook_stores_nothing(target, name, caplog):
    person_id, le = target
    body = webhook_body(russian(person_id), le)
    cases = {case[0]: case[1:] for case in _cases(body)}
    sent, headers, status = cases[name]
    before = stored_state(person_id)
    response = _raw(Client(), sent, headers)
    assert response.status_code == status
    assert response.json()["error"]["code"]
    assert stored_state(person_id) == before
    assert not IdentityDocument.objects.filter(person_id=person_id).exists()
    # The body is never echoed to the log, even when refused.
    assert "Крупкин" not in caplog.text and "KRUPKIN" not in caplog.text


def test_the_case_list_is_complete():
    assert [case[0] for case in _cases(b"{}")] == CASES


def test_an_active_connection_without_api_password_accepts_no_signature(
    target, connection
):
    """An HMAC keyed with "" is computable by anyone: never a valid key."""
    person_id, le = target
    connection.api_password = ""
    connection.save()
    body = webhook_body(russian(person_id), le)
    before = stored_state(person_id)
    assert post_webhook(Client(), body, secret="").status_code == 401
    assert stored_state(person_id) == before


def test_a_replayed_delivery_is_applied_once(target):
    person_id, le = target
    body = webhook_body(russian(person_id), le)
    headers = _signed_headers(body)
    first = _raw(Client(), body, headers)
    assert first.json() == {"status": "applied"}
    after_first = stored_state(person_id)
    for _ in range(3):  # the very same request, bytes and headers
        assert _raw(Client(), body, headers).json() == {"status": "duplicate"}
    assert stored_state(person_id) == after_first
    assert WebhookDelivery.objects.count() == 1


def test_a_replayed_delivery_id_with_other_content_is_not_applied(target):
    """Whoever holds the key and replays an old delivery ID with new data
    gets "duplicate": the ID is claimed once, whatever the body says."""
    person_id, le = target
    delivery = str(uuid.uuid4())
    body = webhook_body(russian(person_id), le)
    assert post_webhook(Client(), body, delivery=delivery).json() == {
        "status": "applied"
    }
    after_first = stored_state(person_id)
    other = russian(person_id, version=99, birth_place="ГДЕ-ТО ЕЩЁ")
    replay = post_webhook(Client(), webhook_body(other, le), delivery=delivery)
    assert replay.json() == {"status": "duplicate"}
    assert stored_state(person_id) == after_first


def test_an_old_capture_replayed_later_is_refused(target):
    """A recorded request replayed after the 300 s window: 401, even with a
    delivery ID never seen (the timestamp is signed, so it cannot be bumped)."""
    person_id, le = target
    body = webhook_body(russian(person_id), le)
    old = _signed_headers(body, ts=int(time.time()) - TEN_MINUTES)
    before = stored_state(person_id)
    assert _raw(Client(), body, old).status_code == 401
    assert stored_state(person_id) == before


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_refused_and_store_nothing(target, method):
    person_id, le = target
    body = webhook_body(russian(person_id), le)
    before = stored_state(person_id)
    response = Client().generic(
        method,
        WEBHOOK_URL,
        body,
        content_type="application/json",
        **_signed_headers(body),
    )
    assert response.status_code == 405
    assert stored_state(person_id) == before


def test_a_delivery_for_an_unknown_person_leaves_no_claim_or_history(target):
    _person_id, le = target
    body = webhook_body(russian(987654321), le)
    before = stored_state()
    assert post_webhook(Client(), body).status_code == 404
    assert stored_state() == before
    assert not PersonChange.objects.filter(person_id=987654321).exists()


def test_deeply_nested_json_is_a_400_not_a_crash(target):
    body = b'{"person": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    before = stored_state()
    response = post_webhook(Client(), body)
    assert response.status_code == 400
    assert stored_state() == before
    json.loads(response.content)  # a well-formed error body
