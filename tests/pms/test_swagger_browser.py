"""Swagger UI renders the API in a real browser with no network but ours."""

from urllib.parse import urlparse

import pytest
from django.conf import settings

from pms.roles import Role
from tests.factories import make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_loads_only_local_assets(live_server, client, page):
    client.force_login(make_user(Role.FRONT_DESK))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    local_host = urlparse(live_server.url).hostname
    foreign: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host == local_host:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        ]
    )
    page.route("**/*", guard)
    page.goto(f"{live_server.url}/api/schema/swagger/")
    page.wait_for_selector("text=/api/v1/persons/{person_id}/", timeout=20000)
    page.wait_for_load_state("networkidle")
    assert foreign == []
