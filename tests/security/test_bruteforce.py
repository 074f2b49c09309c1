"""Brute force (issue 8, item 2): after AXES_FAILURE_LIMIT (10) failed logins
for a username, or from an address, within the cool-off (15 minutes), every
login page and the token endpoint refuse further attempts — the right password
too — until the cool-off passes or support unlocks."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from pms.lockout import client_ip
from pms.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


PASSWORD = "pass-12345"  # tests.factories.make_user
RU = (
    "Слишком много неудачных попыток входа. Повторите через 15 минут "
    "или обратитесь к администратору."
)
EN = "Too many failed login attempts. Try again in 15 minutes or ask your administrator."


def _page_login(url: str):
    def login(client, username, password, **extra):
        data = {"username": username, "password": password}
        return client.post(url, data, **extra)

    return login


def _api_login(client, username, password, **extra):
    data = {"username": username, "password": password}
    return client.post("/api/v1/auth/token/", data, format="json", **extra)


ENDPOINTS = {
    "accounts": _page_login("/accounts/login/"),
    "admin": _page_login("/admin/login/"),
    "api": _api_login,
}


def _client(endpoint: str):
    return APIClient() if endpoint == "api" else Client()


def _succeeded(endpoint: str, response) -> bool:
    if endpoint == "api":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302


def _refused(response) -> bool:
    return response.status_code == 429


def _user():
    # Support is staff, so the admin's login accepts it too.
    return make_user(Role.SUPPORT, username="anna")


def _fail(endpoint, client, username="anna", times=10, **extra):
    login = ENDPOINTS[endpoint]
    return [login(client, username, "wrong", **extra) for _ in range(times)]


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_nine_failures_do_not_lock(endpoint):
    _user()
    client = _client(endpoint)
    answers = _fail(endpoint, client, times=9)
    assert all(not _refused(a) for a in answers)
    assert _succeeded(endpoint, ENDPOINTS[endpoint](client, "anna", PASSWORD))


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_ten_failures_lock_even_the_right_password(endpoint):
    _user()
    client = _client(endpoint)
    answers = _fail(endpoint, client)
    assert not any(_refused(a) for a in answers[:9])
    assert _refused(answers[9])
    right = ENDPOINTS[endpoint](client, "anna", PASSWORD)
    assert _refused(right)
    assert not _succeeded(endpoint, right)
    assert right["Retry-After"] == "900"


def test_api_lockout_is_429_in_the_api_error_shape():
    _user()
    client = APIClient()
    _fail("api", client)
    response = _api_login(client, "anna", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": EN}
    assert "token" not in response.json()


@pytest.mark.parametrize("endpoint", ["accounts", "admin"])
def test_pages_say_why_in_russian_by_default(endpoint):
    _user()
    client = Client()
    _fail(endpoint, client)
    response = ENDPOINTS[endpoint](client, "anna", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert RU in html
    assert 'name="password"' not in html  # no form to keep trying on


def test_page_in_english_when_the_user_chose_it():
    _user()
    client = Client()
    client.cookies["django_language"] = "en"
    _fail("accounts", client)
    response = _page_login("/accounts/login/")(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert EN in response.content.decode()


def test_failures_count_across_the_three_endpoints():
    _user()
    client = APIClient()
    for endpoint in ENDPOINTS:
        _fail(endpoint, client, times=3)
    assert _refused(_api_login(client, "anna", "wrong"))  # the 10th
    # ... locked the account for the pages as well.
    assert _refused(_page_login("/accounts/login/")(client, "anna", PASSWORD))


def test_an_address_is_locked_across_usernames():
    _user()
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        _page_login("/accounts/login/")(attacker, f"guess{n}", "wrong")
    assert _refused(_page_login("/accounts/login/")(attacker, "anna", PASSWORD))
    assert _refused(_api_login(APIClient(REMOTE_ADDR="203.0.113.7"), "anna", PASSWORD))
    # Anna herself, from her own desk, is not locked: her username saw no failure.
    desk = Client(REMOTE_ADDR="192.0.2.10")
    assert _page_login("/accounts/login/")(desk, "anna", PASSWORD).status_code == 302


def test_a_username_is_locked_across_addresses():
    _user()
    for n in range(10):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        _page_login("/accounts/login/")(client, "anna", "wrong")
    fresh = Client(REMOTE_ADDR="192.0.2.10")
    assert _refused(_page_login("/accounts/login/")(fresh, "anna", PASSWORD))
    # Another user at one of those addresses is not locked (one failure there).
    make_user(Role.FRONT_DESK, username="boris")
    same_address = Client(REMOTE_ADDR="198.51.100.1")
    login = _page_login("/accounts/login/")(same_address, "boris", PASSWORD)
    assert login.status_code == 302


def _age_attempts(minutes: int) -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_the_cool_off_passes():
    _user()
    client = Client()
    _fail("accounts", client)
    _age_attempts(14)
    assert _refused(_page_login("/accounts/login/")(client, "anna", PASSWORD))
    # That attempt during the lockout started the cool-off again.
    _age_attempts(16)
    assert _page_login("/accounts/login/")(client, "anna", PASSWORD).status_code == 302


def test_limit_and_cool_off_come_from_settings(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=2)
    _user()
    client = APIClient()
    answers = _fail("api", client, times=3)
    assert [a.status_code for a in answers] == [400, 400, 429]
    locked = _api_login(client, "anna", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.json()["detail"].startswith(
        "Too many failed login attempts. Try again in 2 minutes"
    )
    assert locked["Retry-After"] == "120"
    _age_attempts(3)
    assert _api_login(client, "anna", PASSWORD).status_code == 200


def test_support_unlocks_in_the_django_admin():
    _user()
    _fail("api", APIClient())
    assert _refused(_api_login(APIClient(), "anna", PASSWORD))
    support = Client()
    support.force_login(make_user(Role.SUPPORT))
    listing = support.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "anna" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = support.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _api_login(APIClient(), "anna", PASSWORD).status_code == 200


def test_front_desk_cannot_see_the_lockouts():
    front_desk = Client()
    front_desk.force_login(make_user(Role.FRONT_DESK))
    response = front_desk.get("/admin/axes/accessattempt/")
    assert response.status_code == 302  # to the admin's login: not staff


def test_axes_reset_command_unlocks():
    _user()
    _fail("accounts", Client())
    call_command("axes_reset_username", "anna", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _page_login("/accounts/login/")(Client(), "anna", PASSWORD).status_code == 302


def test_a_huge_username_is_a_400_not_a_500():
    response = _api_login(APIClient(), "x" * 5000, "wrong")
    assert response.status_code == 400
    assert "username" in response.json()


def test_test_client_login_still_works():
    """``Client.login()`` authenticates without a request; nothing to count."""
    _user()
    assert Client().login(username="anna", password=PASSWORD)
    assert not Client().login(username="anna", password="wrong")


# --- The address that is counted ---------------------------------------------


class _Request:
    def __init__(self, **meta):
        self.META = meta


def test_without_a_proxy_the_address_is_remote_addr(settings):
    settings.PMS_BEHIND_PROXY = False
    request = _Request(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.1"


def test_behind_the_proxy_the_address_is_the_one_it_appended(settings):
    settings.PMS_BEHIND_PROXY = True
    forged_then_real = "10.6.6.6, 203.0.113.9"
    request = _Request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forged_then_real)
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(_Request(REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    garbage = _Request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="x" * 5000)
    assert client_ip(garbage) == "10.0.0.1"


def test_an_address_that_is_not_one_is_none(settings):
    settings.PMS_BEHIND_PROXY = False
    assert client_ip(_Request(REMOTE_ADDR="²")) is None
    assert client_ip(_Request()) is None


def test_behind_the_proxy_lockouts_follow_the_forwarded_address(settings):
    settings.PMS_BEHIND_PROXY = True
    _user()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(10):
        _page_login("/accounts/login/")(attacker, f"guess{n}", "wrong")
    assert _refused(_page_login("/accounts/login/")(attacker, "anna", PASSWORD))
    # Everyone else comes through the same proxy and is not locked with him.
    desk = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert _page_login("/accounts/login/")(desk, "anna", PASSWORD).status_code == 302
