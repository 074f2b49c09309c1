"""Fixtures for the abuse suite: an active EMIS connection with distinctive
passwords (easy to search for in any output) and webhook helpers."""

from __future__ import annotations

import socket

import pytest

from emis.models import WebhookDelivery
from reservations.models import Person, PersonChange
from tests.emis.conftest import post_webhook as _post_webhook
from tests.factories import make_emis_connection
from tests.security.test_permission_matrix import world  # noqa: F401 - fixture

API_LOGIN = "abuse-api-login"
API_PASSWORD = "Api-Pw-4f9Zq-never-shown"
WEB_LOGIN = "abuse-web-login"
WEB_PASSWORD = "Web-Pw-8kX2m-never-shown"
SECRETS = (API_PASSWORD, WEB_PASSWORD)


def dead_url() -> str:
    """An EMIS address where nothing listens: refused at once, no DNS."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def connection(db):
    return make_emis_connection(
        dead_url(), api=(API_LOGIN, API_PASSWORD), web=(WEB_LOGIN, WEB_PASSWORD)
    )


def post_webhook(client, body: bytes, **kwargs):
    kwargs.setdefault("secret", API_PASSWORD)
    return _post_webhook(client, body, **kwargs)


def stored_state(person_id: int | None = None) -> tuple:
    """What a webhook may write: delivery claims, history, the person row."""
    person = (
        Person.objects.filter(pk=person_id).values().first()
        if person_id is not None
        else None
    )
    return (
        WebhookDelivery.objects.count(),
        PersonChange.objects.count(),
        person,
    )
