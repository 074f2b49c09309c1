"""POST /emis/persons/<id>/upload/ (the guest card's form, new tab): one-time
EMIS session, then redirect. A GET offers a fresh link: see tests/security/
test_upload_link_post.py."""

import base64
import json

import pytest
import responses

from emis.models import UploadLinkClick
from tests.factories import EMIS_BASE, make_legal_entity, make_reservation

SESSIONS = EMIS_BASE + "/api/v1/web-sessions"
ONE_TIME = "https://emis.test/s/one-time-token-abc"


def upload_url(stay):
    return f"/emis/persons/{stay.person.pk}/upload/"


def upload(client, stay, entity, *, reservation=True):
    data = {"legal_entity": entity.pk}
    if reservation:
        data["reservation"] = stay.reservation.pk
    return client.post(upload_url(stay), data)


def created(url=ONE_TIME):
    return {"url": url, "expires_at": "2026-11-27T09:17:45Z"}


@responses.activate
def test_redirects_to_emis_one_time_url_and_sends_everything_server_side(
    front_desk_client, front_desk, emis_connection, stay, entity
):
    responses.post(SESSIONS, json=created(), status=201)

    response = upload(front_desk_client, stay, entity)

    assert response.status_code == 302
    assert response["Location"] == ONE_TIME
    assert "no-store" in response["Cache-Control"]
    sent = responses.calls[0].request
    body = json.loads(sent.body)
    assert body == {
        "login": "hotel-web",
        "password": "web-secret-1",
        "legal_entity_id": str(entity.pk),
        "person_id": str(stay.person.pk),
        "reservation_id": str(stay.reservation.pk),
        "hint": {"surname": "Репин", "given_names": "Илья"},
    }
    auth = base64.b64decode(sent.headers["Authorization"].split()[1]).decode()
    assert auth == "hotel-api:api-secret-1"
    click = UploadLinkClick.objects.get()
    assert (click.user, click.person, click.legal_entity, click.reservation) == (
        front_desk,
        stay.person,
        entity,
        stay.reservation,
    )
    assert click.ok is True and click.error_code == ""


@responses.activate
def test_without_reservation_sends_no_reservation_id(
    front_desk_client, emis_connection, stay, entity
):
    responses.post(SESSIONS, json=created(), status=201)
    response = upload(front_desk_client, stay, entity, reservation=False)
    assert response.status_code == 302
    assert "reservation_id" not in json.loads(responses.calls[0].request.body)
    assert UploadLinkClick.objects.get().reservation is None


@responses.activate
def test_a_fresh_session_is_asked_for_on_every_click(
    front_desk_client, emis_connection, stay, entity
):
    responses.post(SESSIONS, json=created(ONE_TIME + "1"), status=201)
    responses.post(SESSIONS, json=created(ONE_TIME + "2"), status=201)
    first = upload(front_desk_client, stay, entity)
    second = upload(front_desk_client, stay, entity)
    assert (first["Location"], second["Location"]) == (ONE_TIME + "1", ONE_TIME + "2")
    assert UploadLinkClick.objects.filter(ok=True).count() == 2


@responses.activate
def test_emis_down_shows_plain_error_page_with_retry(
    front_desk_client, emis_connection, stay, entity, settings
):
    settings.EMIS_RETRY_BACKOFF = (0, 0)
    responses.post(SESSIONS, status=503, json={"error": {"code": "x", "message": "y"}})
    front_desk_client.cookies["django_language"] = "en"

    response = upload(front_desk_client, stay, entity)

    assert response.status_code == 503
    html = response.content.decode()
    # A 503 is "not now", not a fault (it read "internal error").
    assert "EMIS is temporarily unavailable; try again in a few minutes." in html
    assert "internal error" not in html
    # "Try again" posts the same fields again (a POST form, not a GET link).
    assert f'<form method="post" action="{upload_url(stay)}"' in html
    assert f'name="legal_entity" value="{entity.pk}"' in html
    assert f'name="reservation" value="{stay.reservation.pk}"' in html
    assert "data-emis-retry" in html
    assert "Traceback" not in html and "web-secret-1" not in html
    click = UploadLinkClick.objects.get()
    assert click.ok is False and click.error_code == "unavailable"


@responses.activate
def test_emis_500_is_an_internal_error_in_russian(
    front_desk_client, emis_connection, stay, entity, settings
):
    settings.EMIS_RETRY_BACKOFF = (0, 0)
    responses.post(SESSIONS, status=500, json={"error": {"code": "x", "message": "y"}})
    response = upload(front_desk_client, stay, entity)
    assert response.status_code == 503
    assert "Внутренняя ошибка EMIS." in response.content.decode()
    assert UploadLinkClick.objects.get().error_code == "server_error"


@responses.activate
def test_emis_503_reads_temporarily_unavailable_in_russian(
    front_desk_client, emis_connection, stay, entity, settings
):
    settings.EMIS_RETRY_BACKOFF = (0, 0)
    responses.post(SESSIONS, status=503, json={"error": {"code": "x", "message": "y"}})
    html = upload(front_desk_client, stay, entity).content.decode()
    assert "EMIS временно недоступен, попробуйте через несколько минут." in html
    assert "Внутренняя ошибка" not in html


@responses.activate
def test_emis_429_asks_the_clerk_to_click_again_not_to_wait_for_a_retry(
    front_desk_client, emis_connection, stay, entity
):
    """Outside integrator check: the upload link makes one attempt, so
    "повторим чуть позже" promised a retry nobody makes."""
    responses.post(
        SESSIONS,
        status=429,
        headers={"Retry-After": "1"},
        json={"error": {"code": "x", "message": "y"}},
    )
    response = upload(front_desk_client, stay, entity)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert "Попробуйте ещё раз через минуту." in html
    assert "повторим" not in html
    assert len(responses.calls) == 1


@responses.activate
def test_refused_web_credentials_is_a_502_with_the_reason(
    front_desk_client, emis_connection, stay, entity
):
    responses.post(
        SESSIONS,
        status=403,
        json={"error": {"code": "web_auth_failed", "message": "bad web login"}},
    )
    front_desk_client.cookies["django_language"] = "en"
    response = upload(front_desk_client, stay, entity)
    assert response.status_code == 502
    # The clerk's words (issue 8, item 15): see test_upload_web_login_refused.py.
    assert "EMIS does not accept the web login" in response.content.decode()
    assert UploadLinkClick.objects.get().error_code == "web_auth_failed"


@responses.activate
def test_emis_unreachable_is_a_503(front_desk_client, emis_connection, stay, entity):
    import requests

    responses.post(SESSIONS, body=requests.exceptions.ConnectionError("refused"))
    response = upload(front_desk_client, stay, entity)
    assert response.status_code == 503
    assert UploadLinkClick.objects.get().ok is False


@pytest.mark.django_db
def test_inactive_integration_is_a_503_without_calling_emis(
    front_desk_client, stay, entity
):
    with responses.RequestsMock() as mocked:  # any HTTP call would fail the test
        response = upload(front_desk_client, stay, entity)
        assert len(mocked.calls) == 0
    assert response.status_code == 503
    assert UploadLinkClick.objects.get().error_code == "not_configured"


def test_unknown_person_is_404(front_desk_client, emis_connection, entity):
    response = front_desk_client.post(
        "/emis/persons/999999/upload/", {"legal_entity": entity.pk}
    )
    assert response.status_code == 404
    assert not UploadLinkClick.objects.exists()


def test_missing_legal_entity_is_404_and_inactive_is_403(
    front_desk_client, emis_connection, stay
):
    inactive = make_legal_entity(is_active=False)
    base = upload_url(stay)
    assert front_desk_client.post(base).status_code == 404
    assert front_desk_client.post(base, {"legal_entity": "abc"}).status_code == 404
    assert front_desk_client.post(base, {"legal_entity": 424242}).status_code == 404
    # Inactive: 403 like the contract's inactive integration (issue 8, item 5;
    # see tests/security/test_pull_upload_scope.py).
    response = front_desk_client.post(base, {"legal_entity": inactive.pk})
    assert response.status_code == 403
    assert not UploadLinkClick.objects.exists()


def test_reservation_the_person_is_not_in_is_404(
    front_desk_client, emis_connection, stay, entity
):
    other = make_reservation(entity)
    response = front_desk_client.post(
        upload_url(stay), {"legal_entity": entity.pk, "reservation": other.pk}
    )
    assert response.status_code == 404


def test_support_role_is_refused(support_client, emis_connection, stay, entity):
    assert upload(support_client, stay, entity).status_code == 403
    assert not UploadLinkClick.objects.exists()


def test_anonymous_goes_to_login(client, emis_connection, stay, entity):
    response = upload(client, stay, entity)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@responses.activate
def test_admin_role_may_upload(admin_client_, emis_connection, stay, entity):
    responses.post(SESSIONS, json=created(), status=201)
    assert upload(admin_client_, stay, entity).status_code == 302
