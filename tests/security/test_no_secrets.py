"""No EMIS password (nor its ciphertext, nor a Basic-auth header built from
it) in any page, any API answer or any log line."""

from __future__ import annotations

import base64
import logging

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from emis.models import EmisConnection
from integrations.secrets import raw
from pms.roles import Role
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_reservation,
    make_user,
    work_pull,
)
from tests.security.test_permission_matrix import POST_ONLY, _named_routes, _url
from tests.support.sandbox import sample_person

from .conftest import API_LOGIN, API_PASSWORD, SECRETS, WEB_LOGIN, post_webhook

pytestmark = pytest.mark.django_db

TYPED = "Typed-Pw-3vQ7-never-shown"  # typed on a form, not saved


def _forbidden() -> list[str]:
    """Every form a stored secret could leak in."""
    ciphertexts = (
        EmisConnection.objects.annotate(a=raw("api_password"), w=raw("web_password"))
        .values_list("a", "w")
        .get(pk=1)
    )
    basic = [
        base64.b64encode(f"{login}:{password}".encode()).decode()
        for login, password in ((API_LOGIN, API_PASSWORD), (WEB_LOGIN, SECRETS[1]))
    ]
    return [*SECRETS, TYPED, *ciphertexts, *basic]


def _assert_clean(response, where: str, forbidden: list[str]) -> None:
    body = (
        b"".join(response.streaming_content)  # a CSV download
        if response.streaming
        else response.content
    )
    text = body.decode(errors="replace")
    text += "".join(f"{k}: {v}\n" for k, v in response.items())
    for secret in forbidden:
        assert secret not in text, f"{where} ({response.status_code}) shows a secret"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FRONT_DESK, Role.SUPPORT])
def test_no_page_or_api_answer_shows_a_secret(client, connection, world, role):
    forbidden = _forbidden()
    client.force_login(make_user(role))
    checked = 0
    for name in _named_routes():
        if name == "logout":
            continue  # would end the session; shows nothing anyway
        url = _url(name, world)
        if name in POST_ONLY:
            _assert_clean(client.post(url), name, forbidden)
        else:
            _assert_clean(client.get(url), name, forbidden)
            if url.startswith("/api/"):  # DRF's browsable HTML rendering too
                html = client.get(url, HTTP_ACCEPT="text/html")
                _assert_clean(html, f"{name} (html)", forbidden)
        checked += 1
    assert checked > 30


def test_no_django_admin_page_shows_a_secret(client, connection):
    forbidden = _forbidden()
    # Support with every model permission: the widest view of the admin.
    client.force_login(make_user(Role.SUPPORT, is_superuser=True))
    urls = ["/admin/"] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        _assert_clean(response, url, forbidden)


def test_the_connection_page_never_echoes_a_password(admin_client_, connection):
    forbidden = _forbidden()
    url = reverse("integrations:emis:edit")
    _assert_clean(admin_client_.get(url), "edit page", forbidden)
    typed = {
        "base_url": "not a url",
        "api_login": API_LOGIN,
        "web_login": WEB_LOGIN,
        "api_password": TYPED,
        "web_password": TYPED,
        "is_active": "on",
    }
    invalid = admin_client_.post(url, typed)
    assert invalid.status_code == 200  # re-rendered with the error
    _assert_clean(invalid, "invalid save", forbidden)
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        tested = admin_client_.post(
            url, {**typed, "base_url": connection.base_url, "action": "test"}, **extra
        )
        _assert_clean(tested, "test connection", forbidden)


def test_the_connection_api_never_echoes_a_password(admin_client_, connection):
    forbidden = _forbidden()
    url = reverse("emis-connection")
    body = admin_client_.get(url).json()
    assert body["api_password_set"] is True and "api_password" not in body
    bad = admin_client_.put(
        url,
        {
            "base_url": "nope",
            "api_login": "x",
            "web_login": "y",
            "is_active": True,
            "api_password": TYPED,
            "web_password": "x" * 501,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    _assert_clean(bad, "invalid PUT", forbidden)
    tested = admin_client_.post(
        reverse("emis-connection-test"),
        {"api_password": TYPED},
        content_type="application/json",
    )
    assert tested.json()["ok"] is False
    _assert_clean(tested, "test endpoint", forbidden)


@pytest.mark.sandbox
def test_no_log_line_holds_a_secret(
    emis_sandbox, admin_client_, caplog, settings, django_capture_on_commit_callbacks
):
    """Pull, webhook, test connection and the upload link, against the real
    sandbox, all at DEBUG: the passwords used never reach a log record."""
    settings.EMIS_MAX_ATTEMPTS = 1
    connect_to_sandbox(emis_sandbox)
    secrets = [emis_sandbox.api_password, emis_sandbox.web_password, TYPED]
    reservation = make_reservation()
    stay = make_guest(reservation)
    le = reservation.legal_entity_id
    saved = emis_sandbox.save_person(le, sample_person(stay.person_id))
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        applied = enqueue_pull(person_id=stay.person_id, legal_entity_id=le, user=None)
    work_pull(applied)
    emis_sandbox.set_faults(status=401, times=1)
    with django_capture_on_commit_callbacks(execute=True):
        refused = enqueue_pull(person_id=stay.person_id, legal_entity_id=le, user=None)
    work_pull(refused)
    from tests.emis.conftest import webhook_body

    body = webhook_body(saved.person, le)
    post_webhook(Client(), body, secret=emis_sandbox.api_password)
    post_webhook(Client(), body, secret=TYPED)  # refused: bad signature
    test_url = reverse("emis-connection-test")
    assert admin_client_.post(test_url, {}, content_type="application/json").json()[
        "ok"
    ]
    admin_client_.post(
        test_url, {"api_password": TYPED}, content_type="application/json"
    )
    front = Client()
    front.force_login(make_user(Role.FRONT_DESK))
    link = front.post(  # POST since issue 8, item 9
        reverse("emis:upload", args=[stay.person_id]),
        {"legal_entity": le, "reservation": reservation.pk},
    )
    assert link.status_code == 302

    assert len(caplog.records) > 10
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), record.exc_text or ""])
        for secret in secrets:
            assert secret not in text, f"{record.name}: {record.getMessage()[:200]}"
