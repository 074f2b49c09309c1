"""Issue 8, item 6: the upload link sends the operator's browser only to the
configured EMIS address. A ``web-sessions`` answer naming another scheme,
host or port (or an address a browser might read differently) is a plain
``emis_bad_answer``: no redirect, no URL handed out, and the refusal in the
call log that Разное → Стыковки reads, with the foreign host but never the
one-time URL itself."""

import pytest
import responses
from django.test import Client
from rest_framework.test import APIClient

from emis.models import UploadLinkClick
from integrations.connectors.emis.models import EmisConnection
from integrations.models import ConnectorCall
from pms.roles import Role
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

pytestmark = pytest.mark.django_db

TOKEN = "one-time-token-7f3a"
EXPIRES = "2026-11-27T09:17:45Z"

FOREIGN = [
    # (the URL EMIS names, the origin recorded in the call log)
    (f"https://evil.example/s/{TOKEN}", "https://evil.example:443"),
    (f"http://emis.test/s/{TOKEN}", "http://emis.test:80"),  # downgraded
    (f"https://emis.test:8443/s/{TOKEN}", "https://emis.test:8443"),
    (f"https://emis.test.evil.example/s/{TOKEN}", "https://emis.test.evil.example:443"),
    (f"https://emis.test@evil.example/s/{TOKEN}", "a malformed address"),
    # Python reads the host as emis.test, a browser as evil.example:
    (f"https://evil.example\\@emis.test/s/{TOKEN}", "a malformed address"),
    (f"https://evil.example%2F@emis.test/s/{TOKEN}", "a malformed address"),
    (f"https://emis.test:99999/s/{TOKEN}", "a malformed address"),
    (f"https:///s/{TOKEN}", "a malformed address"),
]


def connect(base_url="https://emis.test"):
    conn = EmisConnection.load()
    conn.base_url = base_url
    conn.web_login, conn.web_password = "hotel-web", "web-secret-1"
    conn.api_login, conn.api_password = "hotel-api", "api-secret-1"
    conn.is_active = True
    conn.save()
    return conn


@pytest.fixture
def stay(db):
    connect()
    return make_guest(make_reservation(make_legal_entity()), surname="Репин")


@pytest.fixture
def desk():
    client = Client()
    client.force_login(make_user(Role.FRONT_DESK))
    client.cookies["django_language"] = "en"
    return client


def emis_answers(url, base="https://emis.test"):
    responses.post(
        base + "/api/v1/web-sessions",
        status=201,
        json={"url": url, "expires_at": EXPIRES},
    )


def post_upload(client, stay):
    return client.post(
        f"/emis/persons/{stay.person_id}/upload/",
        {
            "legal_entity": stay.reservation.legal_entity_id,
            "reservation": stay.reservation_id,
        },
    )


@responses.activate
@pytest.mark.parametrize(("url", "origin"), FOREIGN)
def test_a_foreign_url_is_refused_on_the_page(desk, stay, url, origin):
    emis_answers(url)

    response = post_upload(desk, stay)

    assert response.status_code == 502
    assert "Location" not in response
    page = response.content.decode()
    assert 'data-emis-error="emis_bad_answer"' in page
    assert "outside the configured EMIS address" in page
    assert TOKEN not in page and "evil.example" not in page
    assert "data-emis-retry" not in page  # an administrator must look at it
    assert UploadLinkClick.objects.get().error_code == "emis_bad_answer"
    refused = ConnectorCall.objects.filter(ok=False).get()
    assert (refused.connector, refused.error_code) == ("emis", "emis_bad_answer")
    assert refused.operation == "web_session_url"
    assert refused.error_message == f"upload URL points to {origin}"
    assert TOKEN not in refused.error_message


@responses.activate
@pytest.mark.parametrize(("url", "origin"), FOREIGN[:4])
def test_a_foreign_url_is_refused_by_the_api(stay, url, origin):
    emis_answers(url)
    api = APIClient()
    api.force_authenticate(make_user(Role.FRONT_DESK))

    response = api.post(
        f"/api/v1/persons/{stay.person_id}/emis/upload-link/",
        {"legal_entity": stay.reservation.legal_entity_id},
        format="json",
    )

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "emis_bad_answer"
    assert TOKEN not in response.content.decode()


@responses.activate
def test_the_refusal_is_the_last_error_on_the_integrations_page(
    desk, stay, admin_client_
):
    emis_answers(f"https://evil.example/s/{TOKEN}")
    post_upload(desk, stay)

    admin_client_.cookies["django_language"] = "en"
    page = admin_client_.get("/integrations/").content.decode()
    assert "EMIS named an upload page outside the configured EMIS address" in page
    assert TOKEN not in page


@responses.activate
@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://emis.test", f"https://emis.test/s/{TOKEN}"),
        ("https://emis.test", f"https://EMIS.Test:443/s/{TOKEN}"),
        ("https://emis.test:443/", f"https://emis.test/s/{TOKEN}?a=1#x"),
        ("http://emis.test", f"http://emis.test:80/s/{TOKEN}"),
        ("http://emis.test:8080/emis", f"http://emis.test:8080/s/{TOKEN}"),
        ("http://127.0.0.1:8765", f"http://127.0.0.1:8765/s/{TOKEN}"),
    ],
)
def test_the_configured_address_is_followed(desk, db, base, url):
    connect(base)
    stay = make_guest(make_reservation(make_legal_entity()), surname="Репин")
    emis_answers(url, base=base.rstrip("/"))

    response = post_upload(desk, stay)

    assert response.status_code == 302
    assert response["Location"] == url
    assert not ConnectorCall.objects.filter(ok=False).exists()
