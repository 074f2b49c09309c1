"""Issue 8, item 5 (the webhook): a delivery applies only to a guest who has a
stay with the legal entity it names, and only for an active legal entity.

A legal entity the person has no stay with answers 404 exactly like an
unknown person (the same body: nothing tells EMIS, or whoever holds the key,
which of the two was unknown) and applies nothing; an inactive legal entity
answers 403 like an inactive integration. Neither leaves a delivery claim, so
EMIS's retry is processed once the stay exists or the entity is active again.
"""

from __future__ import annotations

import pytest
from django.test import Client

from emis.models import WebhookDelivery
from reservations.models import IdentityDocument, Person, PersonChange
from reservations.services import stay_create
from tests.emis.conftest import post_webhook, russian, webhook_body
from tests.factories import (
    make_emis_connection,
    make_legal_entity,
    make_person,
    make_reservation,
)

pytestmark = pytest.mark.django_db

API_PASSWORD = "Scope-Api-Pw-never-shown"


@pytest.fixture
def connection(db):
    return make_emis_connection(
        "http://emis.test",
        api=("scope-api", API_PASSWORD),
        web=("scope-web", "Scope-Web-Pw"),
    )


@pytest.fixture
def guest(connection, stay):
    """A guest staying with one legal entity, and another legal entity."""
    return stay.person_id, stay.reservation.legal_entity, make_legal_entity()


def _send(person_id: int, legal_entity_id: int, delivery: str | None = None):
    body = webhook_body(russian(person_id), legal_entity_id)
    return post_webhook(Client(), body, delivery=delivery, secret=API_PASSWORD)


def _state(person_id: int) -> tuple:
    return (
        WebhookDelivery.objects.count(),
        PersonChange.objects.filter(person_id=person_id).count(),
        Person.objects.filter(pk=person_id).values().get(),
        IdentityDocument.objects.filter(person_id=person_id).count(),
    )


def test_another_legal_entity_is_404_like_an_unknown_person(guest):
    person_id, _own, other = guest
    before = _state(person_id)
    response = _send(person_id, other.pk, delivery="d-other")
    assert response.status_code == 404
    assert _state(person_id) == before
    unknown = _send(987654321, other.pk)
    assert unknown.status_code == 404
    # Byte for byte the same answer: no way to tell the two apart.
    assert response.content == unknown.content
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_legal_entity_gives_the_same_404(guest):
    person_id, _own, other = guest
    no_stay = _send(person_id, other.pk)
    unknown_entity = _send(person_id, 987654)
    assert unknown_entity.status_code == 404
    assert unknown_entity.content == no_stay.content


def test_a_person_with_no_stay_at_all_is_404(connection):
    le = make_legal_entity()
    person = make_person("Одинокий")
    before = _state(person.pk)
    assert _send(person.pk, le.pk).status_code == 404
    assert _state(person.pk) == before


def test_the_own_legal_entity_is_applied(guest):
    person_id, own, _other = guest
    assert _send(person_id, own.pk).json() == {"status": "applied"}
    assert IdentityDocument.objects.filter(person_id=person_id).count() == 1


def test_a_refused_delivery_is_processed_once_the_stay_exists(guest):
    person_id, _own, other = guest
    assert _send(person_id, other.pk, delivery="d-later").status_code == 404
    assert not WebhookDelivery.objects.exists()
    stay_create(
        reservation=make_reservation(other), person=Person.objects.get(pk=person_id)
    )
    assert _send(person_id, other.pk, delivery="d-later").json() == {
        "status": "applied"
    }


def test_an_inactive_legal_entity_is_403_and_applies_nothing(guest):
    person_id, own, _other = guest
    own.is_active = False
    own.save()
    before = _state(person_id)
    response = _send(person_id, own.pk, delivery="d-inactive")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "integration_inactive"
    assert _state(person_id) == before
    # Active again: EMIS's retry of the same delivery is applied.
    own.is_active = True
    own.save()
    assert _send(person_id, own.pk, delivery="d-inactive").json() == {
        "status": "applied"
    }


def test_the_contract_order_holds_for_an_inactive_legal_entity(guest):
    """Signature (401) and payload (400) come before the lookup; an inactive
    entity (403) before the person lookup (404)."""
    person_id, own, _other = guest
    own.is_active = False
    own.save()
    body = webhook_body(russian(person_id), own.pk)
    bad_sig = post_webhook(Client(), body, secret="guessed")
    assert bad_sig.status_code == 401
    broken = webhook_body(russian(person_id, sex="X"), own.pk)
    assert post_webhook(Client(), broken, secret=API_PASSWORD).status_code == 400
    assert _send(987654321, own.pk).status_code == 403
