"""With DEBUG off, 400, 404, 403, the CSRF failure and 500 are the product's own
pages in the product's language, not Django's bare English defaults."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from pms.roles import Role
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_russian_by_default"),
    pytest.mark.urls("tests.pms.crash_urls"),
]
CSS = 'href="/static/css/pms.css"'
NOBODY = 2**63 - 1  # a valid ID no row has


@override_settings(DEBUG=False)
def test_an_unknown_address_is_our_404_in_russian(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert 'href="/">На главную</a>' in page
    assert CSS in page
    assert "Not Found" not in page  # Django's default


@override_settings(DEBUG=False)
def test_a_missing_record_is_our_404_inside_the_layout(client):
    user = make_user(Role.FRONT_DESK)
    client.force_login(user)
    response = client.get(reverse("reservations:person_history", args=[NOBODY]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert 'class="topbar"' in page and user.username in page  # the usual top bar


@override_settings(DEBUG=False)
def test_an_htmx_404_is_the_message_alone(client):
    client.force_login(make_user(Role.FRONT_DESK))
    response = client.get(
        reverse("reservations:person_history", args=[NOBODY]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert "topbar" not in page and "<html" not in page  # swapped into a part of a page


@override_settings(DEBUG=False)
def test_the_404_follows_the_language(client, english):
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page and "To the home page" in page


@override_settings(DEBUG=False)
def test_a_page_of_another_role_is_our_403(client):
    client.force_login(make_user(Role.FRONT_DESK))
    response = client.get(reverse("legal_entities:list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Доступ запрещён" in page and "обратитесь к администратору" in page
    assert 'class="topbar"' in page


@override_settings(DEBUG=False)
def test_a_csrf_failure_is_our_page_in_both_languages():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ADMIN))
    response = client.post(reverse("legal_entities:add"), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Форма устарела" in page and "The form has expired" in page
    assert CSS in page
    assert "Forbidden" not in page  # Django's default: "Forbidden (403)"


@override_settings(DEBUG=False)
def test_a_crash_is_our_self_contained_500_in_both_languages():
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Ошибка на сервере" in page and "Server error" in page
    assert page.index("Ошибка на сервере") < page.index("Server error")  # Russian first
    assert CSS in page
    assert 'href="/">На главную</a>' in page
    assert "a bug in a view" not in page and "Traceback" not in page


@override_settings(DEBUG=False, ALLOWED_HOSTS=["pms.example"])
def test_a_request_django_cannot_take_is_our_400_in_both_languages():
    """Outside re-check: a host name missing from ALLOWED_HOSTS (a deploy
    slip that shows on every request) gave Django's bare English page."""
    client = Client(raise_request_exception=False, HTTP_HOST="evil.example")
    response = client.get("/reservations/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Запрос не принят" in page and "Bad request" in page
    assert page.index("Запрос не принят") < page.index("Bad request")
    assert CSS in page and "<title>Запрос не принят · PMS</title>" in page


@override_settings(DEBUG=False)
def test_the_api_keeps_its_json_errors():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]
