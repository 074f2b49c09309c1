"""The webhook, row by row of the contract's table."""

import hashlib
import hmac
import logging
import time

import pytest
from django.urls import reverse

from emis import webhook
from emis.models import EmisDelivery, WebhookDelivery
from legal_entities.models import LegalEntity
from reservations.models import IdentityDocument, Person
from reservations.services import stay_create
from tests.factories import make_guest, make_legal_entity, make_person, make_reservation

from .conftest import (
    EXAMPLES,
    WEBHOOK_URL,
    post_webhook,
    russian,
    webhook_body,
)

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


@pytest.fixture
def target(db):
    """A legal entity and a guest staying with it (the webhook applies only
    to a person with a stay with the named legal entity)."""
    le, person = make_legal_entity(), make_person("Репин")
    stay_create(reservation=make_reservation(le), person=person)
    return le, person


def test_worked_signing_example_is_applied(anon, monkeypatch):
    """The exact bytes of the example, signed as sign-example.md shows."""
    body = (EXAMPLES / "webhook-documents-saved.json").read_bytes()
    le = LegalEntity.objects.create(pk=17, name="ООО Пример", inn="7707083893")
    person = Person.objects.create(pk=160848, surname="Крупкин")
    stay_create(reservation=make_reservation(le), person=person)
    expected = hmac.new(
        b"s3cret-api", b"1795770000." + body, hashlib.sha256
    ).hexdigest()
    monkeypatch.setattr(webhook.time, "time", lambda: 1795770000 + 299)
    response = post_webhook(
        anon,
        body,
        timestamp=1795770000,
        signature="sha256=" + expected,
        delivery="7d6f0c7e-3c1e-4c53-9d2a-7f1f0a4f1b2e",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "applied"}
    person = Person.objects.get(pk=160848)
    assert person.surname_latin == "KRUPKIN"
    assert person.documents.get().number == "123456"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.person_id, delivery.legal_entity_id) == (
        "applied",
        160848,
        17,
    )


def test_applied_then_unchanged_then_duplicate_then_stale(anon, target):
    le, person = target
    body = webhook_body(russian(person.pk, version=3), le.pk)
    first = post_webhook(anon, body, delivery="d-1")
    assert first.json() == {"status": "applied"}
    again = post_webhook(anon, body, delivery="d-2")
    assert again.json() == {"status": "unchanged"}
    retried = post_webhook(anon, body, delivery="d-1")
    assert retried.status_code == 200 and retried.json() == {"status": "duplicate"}
    older = webhook_body(russian(person.pk, version=2, birth_place="X"), le.pk)
    assert post_webhook(anon, older, delivery="d-3").json() == {"status": "stale"}
    assert IdentityDocument.objects.filter(person=person).count() == 1
    assert WebhookDelivery.objects.count() == 3


def test_a_duplicate_delivery_is_not_applied_again(anon, target):
    le, person = target
    post_webhook(
        anon, webhook_body(russian(person.pk, version=3), le.pk), delivery="d-9"
    )
    newer = webhook_body(russian(person.pk, version=4, birth_place="ГОР. ТВЕРЬ"), le.pk)
    assert post_webhook(anon, newer, delivery="d-9").json() == {"status": "duplicate"}
    person.refresh_from_db()
    assert person.birth_place == "ГОР. МОСКВА"


def test_not_json_is_400(anon):
    response = post_webhook(anon, b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


def test_contract_break_is_400_naming_each_bad_field(anon, target):
    le, person = target
    data = russian(person.pk, sex="X")
    data["documents"][0]["number"] = None
    response = post_webhook(anon, webhook_body(data, le.pk))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"person.sex", "person.documents[0].number"}
    assert fields["person.documents[0].number"] == ["required"]
    assert not WebhookDelivery.objects.exists()
    # Not claimed, but in the delivery log with each field and its reason.
    logged = EmisDelivery.objects.get()
    assert (logged.status, logged.http_status, logged.person_id) == (
        "rejected",
        400,
        person.pk,
    )
    assert {"path": "person.documents[0].number", "reason": "required"} in (
        logged.bad_fields
    )


def test_missing_delivery_header_is_400(anon, target):
    le, person = target
    response = post_webhook(
        anon, webhook_body(russian(person.pk), le.pk), HTTP_X_EMIS_DELIVERY=""
    )
    assert response.status_code == 400
    assert "X-Emis-Delivery" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "headers",
    [
        {"signature": "sha256=" + "0" * 64},
        {"signature": ""},
        {"secret": "wrong-password"},
        {"skew": -400},
        {"skew": 400},
        {"HTTP_X_EMIS_TIMESTAMP": ""},
        {"HTTP_X_EMIS_TIMESTAMP": "soon"},
    ],
)
def test_bad_signature_or_timestamp_is_401(anon, target, headers):
    le, person = target
    if "skew" in headers:
        headers = {"timestamp": int(time.time()) + headers["skew"]}
    response = post_webhook(anon, webhook_body(russian(person.pk), le.pk), **headers)
    assert response.status_code == 401
    person.refresh_from_db()
    assert person.surname_latin == ""


def test_signature_over_other_bytes_is_401(anon, target):
    le, person = target
    body = webhook_body(russian(person.pk), le.pk)
    ts = str(int(time.time()))
    signature = webhook.signature_for("s3cret-api", ts, body + b" ")
    response = post_webhook(anon, body, timestamp=int(ts), signature=signature)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("skew", "status"), [(-301, 401), (-300, 200), (300, 200), (301, 401)]
)
def test_the_300_second_window_is_exact(anon, target, monkeypatch, skew, status):
    le, person = target
    monkeypatch.setattr(webhook.time, "time", lambda: 1795770000.0)
    body = webhook_body(russian(person.pk), le.pk)
    response = post_webhook(anon, body, timestamp=1795770000 + skew)
    assert response.status_code == status


def test_inactive_integration_is_403_before_the_signature(anon, target, connection):
    connection.is_active = False
    connection.save()
    le, person = target
    body = webhook_body(russian(person.pk), le.pk)
    assert post_webhook(anon, body).status_code == 403
    assert post_webhook(anon, body, signature="sha256=bad").status_code == 403


def test_unknown_person_or_legal_entity_is_404_and_leaves_no_claim(anon, target):
    le, person = target
    unknown_person = webhook_body(russian(987654321), le.pk)
    response = post_webhook(anon, unknown_person, delivery="d-404")
    assert response.status_code == 404
    unknown_entity = webhook_body(russian(person.pk), 987654)
    assert post_webhook(anon, unknown_entity, delivery="d-405").status_code == 404
    assert not WebhookDelivery.objects.exists()
    # EMIS retries the same delivery once the profile exists: it is processed.
    body = webhook_body(russian(person.pk), le.pk)
    assert post_webhook(anon, body, delivery="d-405").json() == {"status": "applied"}


def test_body_over_1_mib_is_413_even_unsigned(anon):
    body = b"{" + b" " * MIB + b"}"
    assert len(body) == MIB + 2
    assert post_webhook(anon, body, signature="").status_code == 413
    exact = b" " * (MIB + 1)
    assert post_webhook(anon, exact, signature="").status_code == 413


def test_declared_length_over_1_mib_is_413(anon):
    response = post_webhook(anon, b"{}", CONTENT_LENGTH=str(2 * MIB))
    assert response.status_code == 413


def test_body_of_exactly_1_mib_is_processed(anon, target):
    le, person = target
    body = webhook_body(russian(person.pk), le.pk)
    body += b" " * (MIB - len(body))  # JSON allows trailing whitespace
    assert len(body) == MIB
    assert post_webhook(anon, body).json() == {"status": "applied"}


def test_get_is_not_allowed(anon):
    assert anon.get(WEBHOOK_URL).status_code == 405


def test_the_body_is_never_logged(anon, target, caplog):
    le, person = target
    data = russian(person.pk)
    data["documents"][0]["number"] = "998877"
    with caplog.at_level(logging.DEBUG):
        post_webhook(anon, webhook_body(data, le.pk), delivery="d-log")
        post_webhook(anon, webhook_body(data, le.pk), delivery="d-log")
        bad = dict(data, sex="?")
        post_webhook(anon, webhook_body(bad, le.pk))
    assert "998877" not in caplog.text
    assert "Крупкин" not in caplog.text
    assert "status=duplicate" in caplog.text


def test_markup_in_a_name_is_stored_as_text_and_rendered_escaped(
    anon, front_desk_client
):
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Репин")
    data = russian(stay.person_id)
    data["surname"] = {"cyrillic": "<script>alert(1)</script>", "latin": "X"}
    body = webhook_body(data, reservation.legal_entity_id)
    assert post_webhook(anon, body).json() == {"status": "applied"}
    person = Person.objects.get(pk=stay.person_id)
    assert person.surname_cyrillic == "<script>alert(1)</script>"
    page = front_desk_client.get(
        reverse("reservations:guest", args=[reservation.pk, stay.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_guest_of_a_reservation_gets_only_their_own_documents(anon):
    reservation = make_reservation()
    first = make_guest(reservation, surname="Первый")
    second = make_guest(reservation, surname="Второй")
    third = make_guest(reservation, surname="Третий")
    le = reservation.legal_entity_id
    for stay, number in ((second, "222222"), (third, "333333")):
        data = russian(stay.person_id)
        data["documents"][0]["number"] = number
        assert post_webhook(anon, webhook_body(data, le)).json() == {
            "status": "applied"
        }
    numbers = {
        stay.person_id: list(
            IdentityDocument.objects.filter(person_id=stay.person_id).values_list(
                "number", flat=True
            )
        )
        for stay in (first, second, third)
    }
    assert numbers == {
        first.person_id: [],
        second.person_id: ["222222"],
        third.person_id: ["333333"],
    }
    first_person = Person.objects.get(pk=first.person_id)
    assert (first_person.surname, first_person.emis_version) == ("Первый", None)


def test_a_crash_before_commit_leaves_no_claim_so_the_retry_is_processed(
    anon, target, monkeypatch
):
    le, person = target
    body = webhook_body(russian(person.pk), le.pk)
    real_apply = webhook.person_apply_documents

    def crash(**kwargs):
        real_apply(**kwargs)  # the work is done, then the process dies
        raise RuntimeError("worker killed")

    monkeypatch.setattr(webhook, "person_apply_documents", crash)
    anon.raise_request_exception = False
    assert post_webhook(anon, body, delivery="d-crash").status_code == 500
    assert not WebhookDelivery.objects.exists()
    person.refresh_from_db()
    assert person.emis_version is None  # rolled back with the claim
    monkeypatch.setattr(webhook, "person_apply_documents", real_apply)
    retry = post_webhook(anon, body, delivery="d-crash")
    assert retry.json() == {"status": "applied"}
    # The crash is on record though its transaction rolled back.
    assert list(
        EmisDelivery.objects.order_by("id").values_list("status", "http_status")
    ) == [("failed", 500), ("applied", 200)]


def test_a_lost_encryption_key_is_503_so_emis_retries(anon, target, settings, tmp_path):
    le, person = target
    settings.PMS_ENCRYPTION_KEY_FILE = tmp_path / "another.key"  # the old key is gone
    response = post_webhook(anon, webhook_body(russian(person.pk), le.pk))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "secrets_unreadable"
    assert not WebhookDelivery.objects.exists()
