"""API tokens (issue 8, item 2): they expire after PMS_API_TOKEN_TTL_HOURS
(12 by default), the token endpoint then issues a new one, and they die when
their user's password changes or the user is deactivated. Sessions end the
same way (Django's session auth hash, checked here)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pms.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


URL = "/api/v1/reservations/"


@pytest.fixture
def anna():
    return make_user(Role.FRONT_DESK, username="anna")


def _token(user, *, age_hours: float = 0) -> Token:
    token = Token.objects.create(user=user)
    created = timezone.now() - dt.timedelta(hours=age_hours)
    Token.objects.filter(pk=token.pk).update(created=created)
    return token


def _get(token_key: str, **extra):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    return client.get(URL, **extra)


def _obtain(username="anna", password="pass-12345"):
    data = {"username": username, "password": password}
    return APIClient().post("/api/v1/auth/token/", data, format="json")


def test_a_token_works_within_its_shift(anna):
    assert _get(_token(anna, age_hours=11.9).key).status_code == 200


def test_an_expired_token_is_a_401_saying_so(anna):
    response = _get(_token(anna, age_hours=12.1).key, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired."}
    assert response["WWW-Authenticate"] == "Token"


def test_the_expiry_message_is_russian_by_default(anna):
    response = _get(_token(anna, age_hours=13).key)
    assert response.json() == {"detail": "Срок действия токена истёк."}


def test_the_ttl_comes_from_settings(anna, settings):
    settings.PMS_API_TOKEN_TTL_HOURS = 1
    assert _get(_token(anna, age_hours=1.5).key).status_code == 401
    settings.PMS_API_TOKEN_TTL_HOURS = 2
    assert _get(Token.objects.get(user=anna).key).status_code == 200


def test_the_endpoint_tells_when_the_token_expires(anna):
    before = timezone.now()
    response = _obtain()
    assert response.status_code == 200
    expires_at = parse_datetime(response.json()["expires_at"])
    assert before + dt.timedelta(hours=12) <= expires_at
    assert expires_at <= timezone.now() + dt.timedelta(hours=12)


def test_the_endpoint_replaces_an_expired_token(anna):
    old = _token(anna, age_hours=13)
    response = _obtain()
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old.key
    assert _get(new).status_code == 200
    assert _get(old.key).status_code == 401
    assert Token.objects.filter(user=anna).count() == 1


def test_the_endpoint_keeps_a_valid_token(anna):
    token = _token(anna, age_hours=5)
    assert _obtain().json()["token"] == token.key


def test_a_password_change_kills_the_token(anna):
    token = _token(anna)
    anna.set_password("a-new-password-42")
    anna.save()
    assert not Token.objects.filter(user=anna).exists()
    assert _get(token.key).status_code == 401


def test_a_password_change_with_update_fields_kills_the_token(anna):
    token = _token(anna)
    anna.set_password("a-new-password-42")
    anna.save(update_fields=["password"])
    assert _get(token.key).status_code == 401


def test_deactivation_kills_the_token_for_good(anna):
    token = _token(anna)
    anna.is_active = False
    anna.save()
    assert not Token.objects.filter(user=anna).exists()
    anna.is_active = True
    anna.save()
    assert _get(token.key).status_code == 401


def test_other_changes_keep_the_token(anna):
    token = _token(anna)
    anna.first_name = "Анна"
    anna.save()
    anna.last_login = timezone.now()
    anna.save(update_fields=["last_login"])
    assert _get(token.key).status_code == 200


def test_another_users_password_change_keeps_this_token(anna):
    token = _token(anna)
    boris = make_user(Role.FRONT_DESK, username="boris")
    boris.set_password("a-new-password-42")
    boris.save()
    assert _get(token.key).status_code == 200


def test_a_new_login_after_a_password_change_gets_a_new_token(anna):
    old = _token(anna)
    anna.set_password("a-new-password-42")
    anna.save()
    response = _obtain(password="a-new-password-42")
    assert response.status_code == 200
    assert response.json()["token"] != old.key


# --- Sessions: Django's own session auth hash ---------------------------------


def test_a_password_change_ends_the_other_sessions(anna):
    browser = Client()
    browser.force_login(anna)
    assert browser.get("/").status_code in (200, 302)
    assert browser.get(URL).status_code == 200
    anna.set_password("a-new-password-42")
    anna.save()
    assert browser.get(URL).status_code == 401
    page = browser.get("/reservations/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


def test_deactivation_ends_the_sessions(anna):
    browser = Client()
    browser.force_login(anna)
    assert browser.get(URL).status_code == 200
    anna.is_active = False
    anna.save()
    assert browser.get(URL).status_code == 401
