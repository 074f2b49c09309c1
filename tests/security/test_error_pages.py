"""Issue 8, item 1: secrets are unprintable on error pages and in reprs.

Django hides marked variables only with DEBUG off, and only its own setting
names; under ./scripts/run.sh DEBUG is on. ``pms.error_reporting`` hides
marked and secret-looking variables whatever DEBUG says, our setting names,
URL userinfo and the objects that carry secrets, and scrubs a hidden value
from the rest of the page. A decrypted password's ``repr()`` is stars.
"""

from __future__ import annotations

import base64
import sys

import pytest
from django.test import Client, RequestFactory
from django.views.debug import technical_500_response

from emis import webhook
from emis.client import EmisClient
from emis.models import EmisConnection
from integrations.secrets import Secret
from tests.emis.conftest import russian, webhook_body
from tests.factories import make_guest, make_reservation

from .test_webhook_headers import _send

pytestmark = pytest.mark.django_db

API_PASSWORD = "Err-Api-Pw-5tYu-never-shown"
WEB_PASSWORD = "Err-Web-Pw-9kLm-never-shown"
SECRET_KEY = "Err-Django-Secret-Key-never-shown"
FERNET_KEY = "Err-Fernet-Key-never-shown"
BROKER_PASSWORD = "Err-Broker-Pw-never-shown"
CACHE_PASSWORD = "Err-Cache-Pw-never-shown"
DATABASE_PASSWORD = "Err-Db-Pw-never-shown"
LOCATION_PASSWORD = "Err-Location-Pw-never-shown"
EMIS_LOGIN = "Err-Emis-Sandbox-Login-never-shown"
POSTED_PASSWORD = "Err-Posted-Pw-never-shown"
QUERY_TOKEN = "Err-Query-Token-never-shown"
META_PASSWORD = "Err-Environ-Db-Pw-never-shown"
UNICODE_PASSWORD = "Пароль-Ω-never-shown"

ALL_SECRETS = [
    API_PASSWORD,
    WEB_PASSWORD,
    SECRET_KEY,
    FERNET_KEY,
    BROKER_PASSWORD,
    CACHE_PASSWORD,
    DATABASE_PASSWORD,
    LOCATION_PASSWORD,
    EMIS_LOGIN,
    POSTED_PASSWORD,
    QUERY_TOKEN,
    META_PASSWORD,
    UNICODE_PASSWORD,
]


@pytest.fixture
def secret_settings(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = SECRET_KEY
    settings.PMS_ENCRYPTION_KEYS = [FERNET_KEY]
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis:6379/0"
    settings.CACHE_URL = f"redis://pms:{CACHE_PASSWORD}@redis:6379/1"
    settings.DATABASE_URL = f"postgres://pms:{DATABASE_PASSWORD}@db:5432/pms"
    settings.EMIS_SANDBOX_API_LOGIN = EMIS_LOGIN
    # Any setting holding a URL with userinfo, whatever it is called.
    settings.PMS_SOME_SERVICE = {
        "LOCATION": f"amqp://guest:{LOCATION_PASSWORD}@mq:5672//"
    }
    return settings


@pytest.fixture
def stored(db, secret_settings):
    # Encrypt with a real key: PMS_ENCRYPTION_KEYS above is only for display.
    secret_settings.PMS_ENCRYPTION_KEYS = []
    conn = EmisConnection.load()
    conn.base_url = "http://emis.test"
    conn.api_login, conn.api_password = "err-api", API_PASSWORD
    conn.web_login, conn.web_password = "err-web", WEB_PASSWORD
    conn.is_active = True
    conn.save()
    return EmisConnection.load()  # the passwords as decrypted from the database


def _crash(conn: EmisConnection) -> None:
    """Holds secrets the way real code does, with no marks at all."""
    api_password = conn.api_password  # noqa: F841 - for the error page
    credentials = (conn.api_login, conn.api_password)  # noqa: F841
    headers = {  # noqa: F841
        "Accept": "application/json",
        "Authorization": "Basic "
        + base64.b64encode(f"err-api:{API_PASSWORD}".encode()).decode(),
    }
    client = EmisClient(  # noqa: F841
        base_url="http://emis.test",
        api_login="err-api",
        api_password=conn.api_password,
        web_password=conn.web_password,
    )
    pair = ("err-web", conn.web_password)  # noqa: F841
    broker = f"redis://:{BROKER_PASSWORD}@redis:6379/0"  # noqa: F841
    raise RuntimeError(f"EMIS refused {conn.api_password!s} for {conn.web_password!s}")


def _unicode_crash(conn: EmisConnection) -> None:
    password = conn.api_password
    password.encode("latin-1")  # the old HTTP Basic bug (issue 8, item 3)


def _request():
    return RequestFactory().post(
        f"/crash/?q=Репин&token={QUERY_TOKEN}",
        {"username": "clerk", "api_password": POSTED_PASSWORD, "note": "visible"},
        DATABASE_URL=f"postgres://pms:{META_PASSWORD}@db/pms",  # runserver copies os.environ
    )


def _render(crash, conn, *, accept: str):
    request = _request()
    request.META["HTTP_ACCEPT"] = accept
    try:
        crash(conn)
    except Exception:  # noqa: BLE001 - the page of any crash
        response = technical_500_response(request, *sys.exc_info())
    return response.content.decode()


def _assert_no_secret(page: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in page, f"{secret} is on the error page"
    encoded = base64.b64encode(f"err-api:{API_PASSWORD}".encode()).decode()
    assert encoded not in page


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_the_technical_500_page_shows_no_secret(stored, accept):
    page = _render(_crash, stored, accept=accept)
    assert "RuntimeError" in page and "_crash" in page  # it is the debug page
    assert "visible" in page and "clerk" in page  # and still useful
    _assert_no_secret(page)


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_a_unicode_error_on_a_password_shows_no_part_of_it(stored, accept):
    stored.api_password = Secret(UNICODE_PASSWORD)
    page = _render(_unicode_crash, stored, accept=accept)
    assert "UnicodeEncodeError" in page
    _assert_no_secret(page)
    assert "Пароль" not in page


def test_a_crash_inside_the_webhook_shows_no_signing_key(secret_settings, monkeypatch):
    """The attack of issue 8: a 500 in the webhook under DEBUG. Whatever
    breaks after the key is loaded, the answer does not show it: under /api/
    it is the API's JSON 500, never the technical page (issue 14)."""
    secret_settings.PMS_ENCRYPTION_KEYS = []
    conn = EmisConnection.load()
    conn.base_url = "http://emis.test"
    conn.api_login, conn.api_password = "hdr-api", "Hdr-Api-Pw-7Rq2-never-shown"
    conn.is_active = True
    conn.save()
    reservation = make_reservation()
    stay = make_guest(reservation)
    body = webhook_body(russian(stay.person_id), reservation.legal_entity_id)

    def broken_hmac(secret, timestamp, body):
        raise OSError("hmac gone")

    client = Client()
    client.raise_request_exception = False
    signed = webhook.signature_for("Hdr-Api-Pw-7Rq2-never-shown", "1795770000", body)
    monkeypatch.setattr(webhook.time, "time", lambda: 1795770000.0)
    monkeypatch.setattr(webhook, "signature_for", broken_hmac)
    response = _send(client, body, timestamp="1795770000", signature=signed)
    assert response.status_code == 500
    page = response.content.decode()
    assert response["Content-Type"] == "application/json"
    assert "hmac gone" not in page
    assert "Hdr-Api-Pw-7Rq2-never-shown" not in page


def test_the_token_endpoint_marks_the_password_sensitive(client):
    response = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
    assert response.wsgi_request.sensitive_post_parameters == ("password",)


def test_django_login_view_marks_its_post_sensitive(client):
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_a_decrypted_password_has_a_safe_repr(stored):
    for value, secret in (
        (stored.api_password, API_PASSWORD),
        (stored.web_password, WEB_PASSWORD),
    ):
        assert isinstance(value, str) and value == secret  # callers see a str
        assert f"{value}" == secret and value.encode() == secret.encode()
        assert secret not in repr(value)
        assert secret not in f"{value!r}"
        assert secret not in repr({"api_password": value, "list": [value]})
    assert API_PASSWORD not in repr(vars(stored))
    assert API_PASSWORD not in repr(stored)
    client = EmisClient.from_connection()
    assert API_PASSWORD not in repr(client) and WEB_PASSWORD not in repr(client)
