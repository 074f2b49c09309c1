"""HTTP headers and the session's lifetime (issue 8, item 10).

- Every page carries a Content-Security-Policy that forbids inline script,
  and no page we render *needs* inline script or style: each main page is
  rendered as each role and searched for ``<script>`` without ``src``, ``on*=``
  attributes, ``javascript:`` URLs, ``<style>`` and ``style=``.
- The form-action directive names the configured EMIS origin on logged-in
  pages (the upload form redirects there), read at request time.
- Pages and API answers are never stored by a browser or a proxy cache;
  static files keep theirs.
- A session ends after PMS_SESSION_IDLE_MINUTES without a request, and after
  SESSION_COOKIE_AGE whatever the activity.
"""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from emis.models import EmisConnection, NamePolicy
from pms.middleware import AUTH_AT_KEY, LAST_SEEN_KEY, form_origin
from pms.roles import Role
from tests.factories import make_emis_connection, make_user

EMIS_BASE = "https://emis.example.test:8443/api"
EMIS_ORIGIN = "https://emis.example.test:8443"


@pytest.fixture
def emis_on(db):
    return make_emis_connection(EMIS_BASE)


# --- Inline script and style ---------------------------------------------------


class InlineFinder(HTMLParser):
    """Collects everything a strict CSP (no 'unsafe-inline') would block."""

    # A <script> of these types is data, never executed.
    DATA_TYPES = {"application/json", "application/ld+json", "text/template"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        script_type = (values.get("type") or "").lower()
        if tag == "script" and "src" not in values and script_type not in self.DATA_TYPES:
            self.found.append(f"<script> without src at {self.getpos()}")
        if tag == "style":
            self.found.append(f"<style> at {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}= at {self.getpos()}")
            if name == "style":
                self.found.append(f"{tag} style= at {self.getpos()}")
            if name in ("href", "src", "action", "formaction") and (
                (value or "").strip().lower().startswith("javascript:")
            ):
                self.found.append(f"{tag} {name}=javascript: at {self.getpos()}")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_it_should():
    page = (
        '<script>alert(1)</script><script src="/a.js"></script>'
        '<script type="application/json">{}</script>'
        '<select onchange="go()"></select><a href="JavaScript:x()">x</a>'
        '<style>b{}</style><p style="color:red">'
    )
    assert len(inline_code(page)) == 5


def _front_desk_pages(stay):
    r, s = stay.reservation_id, stay.pk
    return [
        reverse("reservations:list"),
        reverse("reservations:list") + "?surname=Репин",
        reverse("reservations:create"),
        reverse("reservations:card", args=[r]),
        reverse("reservations:card", args=[r]) + "?tab=guests",
        reverse("reservations:guest_new", args=[r]),
        reverse("reservations:guest", args=[r, s]),
        reverse("reservations:guest", args=[r, s]) + "?emis=1",
        reverse("reservations:person_history", args=[stay.person_id]),
        reverse("api-swagger"),
    ]


def _admin_pages(stay):
    entity = stay.reservation.legal_entity_id
    return [
        reverse("legal_entities:list"),
        reverse("legal_entities:add"),
        reverse("legal_entities:edit", args=[entity]),
        reverse("integrations:list"),
        reverse("integrations:emis:edit"),
    ]


def _django_admin_pages():
    NamePolicy.load()
    pages = [reverse("admin:index"), reverse("admin:emis_namepolicy_reapply")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model._default_manager.first()
        if first is not None:
            pages.append(
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]
                )
            )
    return pages


def _pages_for(role, stay):
    if role is None:
        return [reverse("login"), reverse("admin:login")]
    if role is Role.FRONT_DESK:
        return _front_desk_pages(stay) + _browsable_api_pages(stay)
    if role is Role.ADMIN:
        return _front_desk_pages(stay) + _admin_pages(stay) + [
            reverse("emis-connection"),
            reverse("emis-name-policy"),
        ]
    return _django_admin_pages() + [
        reverse("reservations:person_history", args=[stay.person_id])
    ]


def _browsable_api_pages(stay):
    """DRF's HTML rendering of the API, as a browser asking for HTML gets it."""
    r = stay.reservation_id
    return [
        "/api/v1/reservations/",
        f"/api/v1/reservations/{r}/",
        f"/api/v1/reservations/{r}/guests/",
        f"/api/v1/reservations/{r}/guests/{stay.pk}/",
        f"/api/v1/persons/{stay.person_id}/",
        "/api/v1/legal-entities/",
    ]


def _rendered(client, url):
    response = client.get(url, follow=True, HTTP_ACCEPT="text/html")
    if response.status_code == 403 and url.startswith("/admin/"):
        return None  # an add page of a model nobody may add to
    assert response.status_code == 200, (url, response.status_code)
    return response


def _rendered_as(client, role, stay):
    """``(url, response)`` for each page of ``role``, logged in as it."""
    if role is not None:
        client.force_login(make_user(role, is_superuser=role is Role.SUPPORT))
    for url in _pages_for(role, stay):
        response = _rendered(client, url)
        if response is not None:
            yield url, response


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.FRONT_DESK, Role.ADMIN, Role.SUPPORT])
def test_no_page_has_inline_script_or_style(client, emis_on, stay, role):
    checked = 0
    for url, response in _rendered_as(client, role, stay):
        if "text/html" not in response["Content-Type"]:
            continue
        found = inline_code(response.content.decode())
        assert found == [], f"{url}: {found}"
        checked += 1
    assert checked >= 2


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.FRONT_DESK, Role.ADMIN, Role.SUPPORT])
def test_every_page_has_the_policy(client, emis_on, stay, role):
    for url, response in _rendered_as(client, role, stay):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["img-src"] == ["'self'", "data:"], url
        assert policy["connect-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["form-action"][0] == "'self'", url


@pytest.mark.django_db
def test_api_answers_carry_the_policy_too(client, front_desk):
    client.force_login(front_desk)
    assert "script-src 'self'" in client.get("/api/v1/reservations/")[
        "Content-Security-Policy"
    ]


@pytest.mark.django_db
def test_form_action_names_the_emis_origin_on_logged_in_pages(
    client, emis_on, stay, front_desk
):
    client.force_login(front_desk)
    url = reverse("reservations:guest", args=[stay.reservation_id, stay.pk])
    assert _policy(client.get(url))["form-action"] == ["'self'", EMIS_ORIGIN]
    # Read per request: a changed address applies at the next page.
    EmisConnection.objects.filter(pk=1).update(base_url="http://10.0.0.7:8080/")
    assert _policy(client.get(url))["form-action"] == ["'self'", "http://10.0.0.7:8080"]
    EmisConnection.objects.filter(pk=1).update(base_url="")
    assert _policy(client.get(url))["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_a_nothing_new_poll_reads_no_emis_address(client, emis_on, stay, front_desk):
    """An open card asks every 3 s and nearly always gets 204: no body, no
    form, so no read of the EMIS address for its form-action (issue 12: one
    query of five per poll)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(front_desk)
    url = reverse("emis:person_state", args=[stay.person_id]) + "?v=&d="
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 204
    assert _policy(response)["form-action"] == ["'self'"]
    assert not any("emis_emisconnection" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_form_action_is_self_only_before_login(client, emis_on):
    assert _policy(client.get(reverse("login")))["form-action"] == ["'self'"]


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("https://emis.example.test:8443/api", "https://emis.example.test:8443"),
        ("https://EMIS.Example.test/", "https://emis.example.test"),
        ("http://user:pw@emis.test:81/x", "http://emis.test:81"),
        ("http://[::1]:8001", "http://[::1]:8001"),
        ("", None),
        ("ftp://emis.test", None),
        ("https://emis.test;script-src *", None),
        ("https://emis .test", None),
        ("https://emis.test:99999", None),
        ("https://", None),
    ],
)
def test_form_origin(base_url, origin):
    assert form_origin(base_url) == origin


# --- Cache-Control ----------------------------------------------------------------


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


@pytest.mark.django_db
def test_pages_and_api_answers_are_never_stored(client, emis_on, stay):
    user = make_user(Role.ADMIN)
    anonymous = [client.get(reverse("login")), client.get("/api/v1/reservations/")]
    assert all(_no_store(r) for r in anonymous)
    token = client.post(
        reverse("api-token"), {"username": user.username, "password": "pass-12345"}
    )
    assert token.status_code == 200 and _no_store(token)
    client.force_login(user)
    for url in _front_desk_pages(stay) + _admin_pages(stay):
        assert _no_store(client.get(url)), url
    for url in [
        "/api/v1/reservations/",
        f"/api/v1/persons/{stay.person_id}/",
        reverse("emis-connection"),
        reverse("api-schema"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


@pytest.mark.django_db
def test_token_authenticated_api_answers_are_never_stored(client, front_desk):
    token = Token.objects.create(user=front_desk)
    response = client.get(
        "/api/v1/reservations/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200 and _no_store(response)


def test_static_files_keep_their_caching(client):
    response = client.get("/static/js/pms.js")
    assert response.status_code == 200
    assert not _no_store(response)


# --- Session lifetime -----------------------------------------------------------


def test_session_lifetimes_default_to_one_shift(settings):
    assert settings.PMS_SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    if "idle" in seconds_ago:
        session[LAST_SEEN_KEY] = now - seconds_ago["idle"]
    if "auth" in seconds_ago:
        session[AUTH_AT_KEY] = now - seconds_ago["auth"]
    session.save()


@pytest.mark.django_db
def test_idle_session_is_logged_out_on_pages(client, front_desk):
    client.force_login(front_desk)
    page = reverse("reservations:list")
    assert client.get(page).status_code == 200
    _age_session(client, idle=29 * 60)
    assert client.get(page).status_code == 200
    _age_session(client, idle=31 * 60)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # Really logged out: the session no longer holds the user.
    assert "_auth_user_id" not in client.session
    assert client.get(page).status_code == 302


@pytest.mark.django_db
def test_idle_session_gets_401_on_the_api(client, front_desk):
    client.force_login(front_desk)
    assert client.get("/api/v1/reservations/").status_code == 200
    _age_session(client, idle=31 * 60)
    assert client.get("/api/v1/reservations/").status_code == 401


@pytest.mark.django_db
def test_idle_session_answers_an_htmx_request_with_a_notice_not_a_redirect(
    client, admin_user
):
    """Leaving the page (or swapping the login page into a fragment) would
    lose what was typed: a notice at the top instead, its login link opening
    a new tab that comes back to this page."""
    client.force_login(admin_user)
    page = reverse("integrations:emis:edit")
    client.get(page)
    _age_session(client, idle=31 * 60)
    response = client.post(
        page,
        {"action": "test"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}?x=1",
    )
    assert response.status_code == 401
    assert "HX-Redirect" not in response
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#session-notice", "innerHTML")
    body = response.content.decode()
    assert "data-session-ended" in body and 'target="_blank"' in body
    assert f'href="{reverse("login")}?next=%2Fintegrations%2Femis%2F"' in body
    # A forged page address from another site sends the login back home.
    forged = client.post(
        page, {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x"
    )
    assert 'next=%2F"' in forged.content.decode()


@pytest.mark.django_db
@override_settings(PMS_SESSION_IDLE_MINUTES=5)
def test_idle_minutes_are_configurable(client, front_desk):
    client.force_login(front_desk)
    page = reverse("reservations:list")
    client.get(page)
    _age_session(client, idle=6 * 60)
    assert client.get(page).status_code == 302


@pytest.mark.django_db
def test_activity_keeps_the_session_but_writes_it_once_a_minute(client, front_desk):
    client.force_login(front_desk)
    page = reverse("reservations:list")
    client.get(page)
    first = client.session[LAST_SEEN_KEY]
    key = client.session.session_key
    _age_session(client, idle=20)
    stamped = client.session[LAST_SEEN_KEY]
    for _ in range(3):
        response = client.get(page)
        assert response.status_code == 200
        # No session write (no cookie set) within the minute.
        assert settings_cookie(response) is None
    assert client.session[LAST_SEEN_KEY] == stamped
    _age_session(client, idle=25 * 60)
    assert client.get(page).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= first
    assert client.session.session_key == key
    # 25 more minutes after that request: still within the idle period.
    _age_session(client, idle=25 * 60)
    assert client.get(page).status_code == 200


def settings_cookie(response):
    from django.conf import settings

    return response.cookies.get(settings.SESSION_COOKIE_NAME)


@pytest.mark.django_db
def test_absolute_age_ends_an_active_session(client, front_desk, settings):
    client.force_login(front_desk)
    page = reverse("reservations:list")
    client.get(page)
    _age_session(client, idle=10, auth=settings.SESSION_COOKIE_AGE + 5)
    response = client.get(page)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_page_stays_reachable_after_idle_logout(client, front_desk):
    client.force_login(front_desk)
    client.get(reverse("reservations:list"))
    _age_session(client, idle=31 * 60)
    assert client.get(reverse("login")).status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logging_in_starts_both_clocks(client, front_desk):
    client.force_login(front_desk)
    _age_session(client, idle=20 * 60, auth=11 * 3600)
    client.post(
        reverse("login"), {"username": front_desk.username, "password": "pass-12345"}
    )
    now = int(time.time())
    assert now - client.session[AUTH_AT_KEY] < 5
    assert now - client.session[LAST_SEEN_KEY] < 5
