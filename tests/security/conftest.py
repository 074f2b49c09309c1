"""Fixtures shared by the security suite (issue 8).

From tests/conftest.py: ``emis_connection`` (an active connection to
``factories.EMIS_BASE``) and ``http`` (``responses`` at the HTTP seam).
"""

from __future__ import annotations

import pytest
import responses
from django.test import Client
from rest_framework.test import APIClient

from pms.roles import Role
from tests.factories import EMIS_BASE, make_guest, make_reservation, make_user

UPLOAD_EXPIRES = "2026-11-27T09:17:45Z"


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
def english(settings):
    """Pages and messages in English, as the assertions quote them."""
    settings.LANGUAGE_CODE = "en"


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
