"""Inputs that used to crash with a 500 (or would on PostgreSQL), each now
refused as a contract break naming the field."""

from __future__ import annotations

import json

import pytest
import responses
from django.test import Client

from emis.client import EmisClient
from emis.errors import EmisError
from emis.models import SyncState
from emis.sync import sync_legal_entity
from reservations.models import Person
from tests.emis.conftest import russian
from tests.factories import make_guest, make_legal_entity, make_reservation

from .conftest import post_webhook, stored_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(connection):
    reservation = make_reservation()
    stay = make_guest(reservation)
    return stay.person_id, reservation.legal_entity_id


def _send(person: dict, le: int):
    envelope = {
        "event": "person.documents_saved",
        "legal_entity_id": str(le),
        "person": person,
    }
    # ensure_ascii: a lone surrogate travels as the JSON escape "\ud800".
    return post_webhook(Client(), json.dumps(envelope).encode())


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        # Person.emis_version is a 64-bit column; 2**63 did not even fit
        # SQLite (OverflowError → 500).
        (lambda d: d.update(version=2**63), "person.version"),
        # UnicodeEncodeError → 500 when hashing or storing.
        (lambda d: d["surname"].update(latin="A\ud800"), "person.surname.latin"),
        # PostgreSQL refuses NUL in text (ValueError → 500).
        (
            lambda d: d["documents"][0].update(number="12\x0034"),
            "person.documents[0].number",
        ),
        (lambda d: d.update(birth_place="\x00"), "person.birth_place"),
    ],
)
def test_values_a_database_cannot_hold_are_a_400(target, mutate, path):
    person_id, le = target
    data = russian(person_id)
    mutate(data)
    before = stored_state(person_id)
    response = _send(data, le)
    assert response.status_code == 400
    assert path in response.json()["error"]["fields"]
    assert stored_state(person_id) == before


@pytest.mark.parametrize(
    "version",
    [
        # A millisecond clock: the contract says only "an integer that grows".
        1_764_421_200_123,
        2**63 - 1,  # the largest the 64-bit column holds
    ],
)
def test_a_large_version_is_accepted_and_ordered(target, version):
    person_id, le = target
    assert _send(russian(person_id, version=version), le).json() == {
        "status": "applied"
    }
    assert Person.objects.get(pk=person_id).emis_version == version
    older = russian(person_id, version=version - 1)
    assert _send(older, le).json() == {"status": "stale"}


def test_a_feed_cursor_with_nul_is_not_stored(connection):
    le = make_legal_entity()
    with responses.RequestsMock() as http:
        http.get(
            f"{connection.base_url}/api/v1/changes",
            json={"items": [], "next_cursor": "c\x001", "has_more": False},
        )
        run = sync_legal_entity(legal_entity_id=le.pk)
    assert run.error.startswith("bad_response") and "next_cursor" in run.error
    assert SyncState.objects.get(legal_entity=le).cursor == ""


def test_an_absurdly_nested_emis_answer_is_bad_response(settings):
    settings.EMIS_MAX_ATTEMPTS = 1
    client = EmisClient(base_url="http://emis.test", api_login="a", api_password="b")
    with responses.RequestsMock() as http:
        http.get(
            "http://emis.test/api/v1/persons/1",
            body="[" * 100_000 + "]" * 100_000,
            content_type="application/json",
        )
        with pytest.raises(EmisError) as info:
            client.get_person(person_id=1, legal_entity_id=1)
    assert info.value.code == "bad_response"
