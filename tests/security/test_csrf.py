"""CSRF is enforced on every form and on every unsafe API call made with a
session: a logged-in browser tricked into posting without the token gets
403 and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from emis.models import EmisConnection, EmisJob, NamePolicy
from legal_entities.models import LegalEntity
from pms.roles import Role
from reservations.models import Person, PersonChange, Reservation, Stay
from tests.factories import VALID_INN, VALID_OGRN, make_user
from tests.security.test_permission_matrix import _named_routes, _url

pytestmark = pytest.mark.django_db

# Not session-authenticated, so CSRF does not apply: the webhook is signed
# with HMAC; the token endpoint takes a username and password and answers
# only its caller (it sets no cookie and reads no session).
# The catch-all under /api/ changes nothing: a JSON 404 or a 308 (pms/api.py).
EXEMPT = {"emis-webhook", "api-token", "api-not-found"}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _fingerprint() -> tuple:
    conn = EmisConnection.objects.filter(pk=1).values(
        "base_url", "api_login", "web_login", "is_active"
    )
    policy = NamePolicy.objects.filter(pk=1).values("script", "letter_case")
    return (
        *(m.objects.count() for m in (LegalEntity, Reservation, Person, Stay)),
        EmisJob.objects.count(),
        PersonChange.objects.count(),
        list(conn),
        list(policy),
        list(LegalEntity.objects.values_list("name", "is_active")),
    )


def _csrf_client(role: Role) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role))
    return client


def _form_body(name: str, world: dict) -> dict:
    """Data that would be accepted with a token, so only CSRF can refuse it."""
    return {
        "name": "ООО Подделка",
        "inn": VALID_INN,
        "ogrn": VALID_OGRN,
        "is_active": "on",
        "legal_entity": world["_entity"],
        "person_id": world["person_id"],
        "surname": "Подделкин",
        "person-surname": "Подделкин",
        "language": "en",
        "base_url": "https://evil.example",
        "api_login": "evil",
        "web_login": "evil",
    }


def test_every_form_url_refuses_a_post_without_the_token(world):
    client = _csrf_client(Role.ADMIN)
    before = _fingerprint()
    pages = [n for n in _named_routes() if not _url(n, world).startswith("/api/")]
    assert len(pages) > 15
    for name in pages:
        if name in EXEMPT:
            continue
        response = client.post(_url(name, world), _form_body(name, world))
        assert response.status_code == 403, f"{name}: {response.status_code}"
        assert b"CSRF" in response.content, name
    assert _fingerprint() == before
    # Still logged in: the logout form was refused as well.
    assert client.get(reverse("reservations:list")).status_code == 200
    assert client.cookies.get("django_language") is None


def test_every_unsafe_api_call_with_a_session_refuses_a_missing_token(world):
    client = _csrf_client(Role.ADMIN)
    before = _fingerprint()
    apis = [n for n in _named_routes() if _url(n, world).startswith("/api/")]
    assert len(apis) > 15
    for name in apis:
        if name in EXEMPT:
            continue
        for method in UNSAFE:
            response = client.generic(
                method,
                _url(name, world),
                '{"name": "ООО Подделка", "surname": "Подделкин"}',
                content_type="application/json",
            )
            assert response.status_code == 403, f"{method} {name}"
            # DRF's reason, whatever renderer the view answers with.
            assert "CSRF" in str(response.data["detail"]), f"{method} {name}"
    assert _fingerprint() == before


def test_the_django_admin_refuses_a_post_without_the_token(db):
    client = _csrf_client(Role.SUPPORT)
    policy = NamePolicy.load()
    before = _fingerprint()
    for url in (
        reverse("admin:emis_namepolicy_change", args=[policy.pk]),
        reverse("admin:emis_namepolicyoverride_add"),
        reverse("admin:logout"),
    ):
        response = client.post(url, {"script": "latin", "letter_case": "upper"})
        assert response.status_code == 403, url
    assert _fingerprint() == before


def test_the_same_post_with_the_token_goes_through(world):
    """The refusals above are CSRF's, not the data's or the role's."""
    client = _csrf_client(Role.ADMIN)
    url = reverse("legal_entities:add")
    client.get(url, follow=True)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {**_form_body("", world), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert LegalEntity.objects.filter(name="ООО Подделка").exists()
    api = client.post(
        reverse("emis-name-policy-preview"),
        {},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert api.status_code != 403


def test_token_authentication_needs_no_csrf_token(world):
    """API clients with a token (not a browser session) are not CSRF targets."""
    from rest_framework.authtoken.models import Token

    user = make_user(Role.ADMIN)
    token = Token.objects.create(user=user)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("emis-name-policy-preview"),
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code != 403
