"""Swagger UI renders the API in a real browser with no network but ours."""

import os
from urllib.parse import urlparse

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from pms.roles import Role
from tests.factories import make_user

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_loads_only_local_assets(live_server, client):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context()
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    }
                ]
            )
            page = context.new_page()
            page.route("**/*", guard)
            page.goto(f"{live_server.url}/api/schema/swagger/")
            page.wait_for_selector("text=/api/v1/persons/{person_id}/", timeout=20000)
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    assert foreign == []
