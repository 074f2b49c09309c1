"""Fixtures shared by the security suite (issue 8), the abuse tests included.

From tests/conftest.py: ``emis_connection`` (an active connection to
``factories.EMIS_BASE``), ``http`` (``responses`` at the HTTP seam) and
``english``.

For the abuse tests: an active EMIS connection with distinctive passwords
(easy to search for in any output) and webhook helpers.
"""

from __future__ import annotations

import socket

import pytest
import responses
from django.test import Client
from rest_framework.test import APIClient

from emis.models import WebhookDelivery
from pms.roles import Role
from reservations.models import Person, PersonChange
from tests.emis.conftest import post_webhook as _post_webhook
from tests.factories import (
    EMIS_BASE,
    make_emis_connection,
    make_guest,
    make_reservation,
    make_user,
)
from tests.security.test_permission_matrix import world  # noqa: F401 - fixture

UPLOAD_EXPIRES = "2026-11-27T09:17:45Z"

API_LOGIN = "abuse-api-login"
API_PASSWORD = "Api-Pw-4f9Zq-never-shown"
WEB_LOGIN = "abuse-web-login"
WEB_PASSWORD = "Web-Pw-8kX2m-never-shown"
SECRETS = (API_PASSWORD, WEB_PASSWORD)


def emis_opens_upload(url: str, *, base: str = EMIS_BASE, mock=responses) -> None:
    """EMIS answers ``POST {base}/api/v1/web-sessions`` with the one-time
    upload ``url`` (on ``mock``: a ``RequestsMock``, or ``responses`` itself
    under ``@responses.activate``)."""
    mock.post(
        base + "/api/v1/web-sessions",
        status=201,
        json={"url": url, "expires_at": UPLOAD_EXPIRES},
    )


@pytest.fixture
def no_emis_sleep(monkeypatch):
    """The EMIS client's retries without their back-off."""
    monkeypatch.setattr("emis.client.time.sleep", lambda seconds: None)


@pytest.fixture
def stay(db):
    """Репин, a guest in a reservation of a legal entity of its own."""
    return make_guest(make_reservation(), surname="Репин")


def _in_english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def desk(db) -> Client:
    """A front desk clerk logged in to the pages, reading English."""
    client = Client()
    client.force_login(make_user(Role.FRONT_DESK))
    return _in_english(client)


@pytest.fixture
def desk_api(db) -> APIClient:
    """A front desk clerk authenticated to the API, reading English."""
    client = APIClient()
    client.force_authenticate(make_user(Role.FRONT_DESK))
    return _in_english(client)


def dead_url() -> str:
    """An EMIS address where nothing listens: refused at once, no DNS."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def connection(db):
    """The abuse tests' connection (test_legal_entity_scope_webhook.py has its own)."""
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
