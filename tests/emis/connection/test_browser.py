"""The EMIS page in a real browser: "Проверить подключение" answers in place
(htmx) without losing what the admin typed, then the save activates."""

import pytest
from django.contrib.auth.models import Group

from emis.models import EmisConnection
from pms.roles import Role
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
]


def test_admin_tests_then_saves_the_connection(live_server, page, emis_sandbox):
    from playwright.sync_api import expect

    for role in Role:  # transactional tests flush the migration's groups
        Group.objects.get_or_create(name=role.value)
    make_user(Role.ADMIN, username="boss")

    page.goto(f"{live_server.url}/integrations/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("Стыковки")
    page.click("text=Редактировать")

    page.fill("input[name=base_url]", emis_sandbox.base_url)
    page.fill("input[name=web_login]", emis_sandbox.web_login)
    page.fill("input[name=web_password]", emis_sandbox.web_password)
    page.fill("input[name=api_login]", emis_sandbox.api_login)
    page.fill("input[name=api_password]", "wrong-password")
    page.click("text=Проверить подключение")
    result = page.locator("#emis-test-result .msg")
    expect(result).to_have_attribute("data-code", "api_auth_failed")

    page.fill("input[name=api_password]", emis_sandbox.api_password)
    page.click("text=Проверить подключение")
    expect(result).to_have_attribute("data-ok", "true")
    # The test answered in place: what was typed is still there to save.
    expect(page.locator("input[name=web_password]")).to_have_value(
        emis_sandbox.web_password
    )
    page.check("input[name=is_active]")
    page.click("button[value=save]")
    expect(page.locator(".msg-success")).to_be_visible()
    assert emis_sandbox.api_password not in page.content()
    conn = EmisConnection.load()
    assert conn.is_active and conn.api_password == emis_sandbox.api_password
