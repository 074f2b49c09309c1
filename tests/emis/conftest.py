"""Fixtures for the EMIS exchange tests: contract examples, a configured
connection, signed webhook requests."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client

from emis.webhook import signature_for
from tests.factories import (
    make_emis_connection,
    make_guest,
    make_legal_entity,
    make_reservation,
)

EXAMPLES = Path("/work/shared/emis-examples")
API_PASSWORD = "s3cret-api"
BASE_URL = "http://emis.test"
WEBHOOK_URL = "/api/v1/emis/webhook/"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def russian(person_id: int | str = 160848, **overrides) -> dict:
    data = copy.deepcopy(example("person-russian-citizen.json"))
    data["person_id"] = str(person_id)
    data.update(overrides)
    return data


def foreigner(person_id: int | str = 160902, **overrides) -> dict:
    data = copy.deepcopy(example("person-foreigner-two-visas.json"))
    data["person_id"] = str(person_id)
    data.update(overrides)
    return data


@pytest.fixture
def connection(db):
    return make_emis_connection(
        BASE_URL, api=("pms-api", API_PASSWORD), web=("pms-web", "s3cret-web")
    )


def webhook_body(person: dict, legal_entity_id: int | str) -> bytes:
    envelope = {
        "event": "person.documents_saved",
        "legal_entity_id": str(legal_entity_id),
        "person": person,
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def post_webhook(
    client,
    body: bytes,
    *,
    delivery: str | None = None,
    timestamp: int | None = None,
    secret: str = API_PASSWORD,
    signature: str | None = None,
    **headers,
):
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature if signature is not None else signature_for(secret, ts, body)
    extra = {
        "HTTP_X_EMIS_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_X_EMIS_TIMESTAMP": ts,
        "HTTP_X_EMIS_SIGNATURE": sig,
        **headers,
    }
    return client.generic(
        "POST", WEBHOOK_URL, body, content_type="application/json", **extra
    )


@pytest.fixture
def anon(connection):
    # EMIS has no session: a client that enforces CSRF like a real browser.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def target(db):
    """A legal entity and a stay of a guest with it (the webhook applies
    only to a person with a stay with the named legal entity)."""
    le = make_legal_entity()
    stay = make_guest(make_reservation(le), "Зюзюкин")
    return le, stay
