"""POST /api/v1/persons/{id}/emis/upload-link/."""

import json

import pytest
import responses
from rest_framework.test import APIClient

from emis.models import UploadLinkClick
from tests.factories import EMIS_BASE, make_legal_entity

SESSIONS = EMIS_BASE + "/api/v1/web-sessions"


@pytest.fixture
def api(front_desk):
    client = APIClient()
    client.force_authenticate(front_desk)
    return client


def link_url(person_id):
    return f"/api/v1/persons/{person_id}/emis/upload-link/"


@responses.activate
def test_returns_emis_url_and_expiry(api, front_desk, emis_connection, stay, entity):
    responses.post(
        SESSIONS,
        status=201,
        json={"url": "https://emis.test/s/tok", "expires_at": "2026-11-27T09:17:45Z"},
    )
    response = api.post(
        link_url(stay.person.pk),
        {"legal_entity": entity.pk, "reservation": stay.reservation.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "url": "https://emis.test/s/tok",
        "expires_at": "2026-11-27T09:17:45Z",
    }
    sent = json.loads(responses.calls[0].request.body)
    assert sent["person_id"] == str(stay.person.pk)
    assert sent["legal_entity_id"] == str(entity.pk)
    assert sent["reservation_id"] == str(stay.reservation.pk)
    click = UploadLinkClick.objects.get()
    assert click.ok and click.user == front_desk


@responses.activate
def test_emis_error_is_reported_in_the_error_shape(api, emis_connection, stay, entity):
    responses.post(SESSIONS, status=401, json={"error": {"code": "api_auth_failed"}})
    response = api.post(
        link_url(stay.person.pk), {"legal_entity": entity.pk}, format="json"
    )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "api_auth_failed"
    assert error["message"]
    assert UploadLinkClick.objects.get().ok is False


@responses.activate
def test_rate_limited_passes_retry_after_on(
    api, emis_connection, stay, entity, settings
):
    settings.EMIS_RETRY_AFTER_CAP = 0  # give up at once instead of waiting
    responses.post(SESSIONS, status=429, headers={"Retry-After": "30"}, json={})
    response = api.post(
        link_url(stay.person.pk), {"legal_entity": entity.pk}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "rate_limited"
    assert response["Retry-After"] == "30"


def test_inactive_integration_is_503_not_configured(api, stay, entity):
    response = api.post(
        link_url(stay.person.pk), {"legal_entity": entity.pk}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "not_configured"


def test_unknown_person_is_404(api, emis_connection, entity):
    response = api.post(link_url(987654), {"legal_entity": entity.pk}, format="json")
    assert response.status_code == 404
    assert not UploadLinkClick.objects.exists()


def test_missing_or_inactive_legal_entity_is_400(api, emis_connection, stay):
    inactive = make_legal_entity(is_active=False)
    for body in ({}, {"legal_entity": 424242}):
        response = api.post(link_url(stay.person.pk), body, format="json")
        assert response.status_code == 400
        assert "legal_entity" in response.json()
    # Inactive: a rule of the request too, 400 with its code (issue 14; the
    # pages answer 403, tests/security/test_pull_upload_scope.py).
    response = api.post(
        link_url(stay.person.pk), {"legal_entity": inactive.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "legal_entity_inactive"
    assert not UploadLinkClick.objects.exists()


def test_support_is_forbidden(support_user, emis_connection, stay, entity):
    client = APIClient()
    client.force_authenticate(support_user)
    response = client.post(
        link_url(stay.person.pk), {"legal_entity": entity.pk}, format="json"
    )
    assert response.status_code == 403


def test_anonymous_is_401(emis_connection, stay, entity):
    response = APIClient().post(
        link_url(stay.person.pk), {"legal_entity": entity.pk}, format="json"
    )
    assert response.status_code == 401


def test_documented_in_the_schema(front_desk_client):
    schema = front_desk_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/persons/{person_id}/emis/upload-link/"]["post"]
    assert {"200", "502", "503"} <= set(operation["responses"])


def test_reservation_must_be_one_the_person_is_in(api, emis_connection, stay, entity):
    from tests.factories import make_reservation

    other = make_reservation(entity)
    response = api.post(
        link_url(stay.person.pk),
        {"legal_entity": entity.pk, "reservation": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "reservation" in response.json()
    assert not UploadLinkClick.objects.exists()
