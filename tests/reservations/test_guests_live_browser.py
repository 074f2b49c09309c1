"""The Гости tab, open in a real browser, shows EMIS data that arrives by
webhook within a few seconds, without a reload."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from pms.roles import Role
from reservations.services import stay_create
from tests.emis.conftest import connection, post_webhook, russian, webhook_body  # noqa: F401
from tests.factories import (
    make_guest,
    make_legal_entity,
    make_person,
    make_reservation,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("connection")
def test_emis_data_shows_on_the_open_guests_tab(live_server, page):
    from playwright.sync_api import expect

    for role in Role:  # transactional tests flush the migration's groups
        Group.objects.get_or_create(name=role.value)
    entity, person = make_legal_entity(), make_person("Репин")
    reservation = make_reservation(entity)
    stay_create(reservation=reservation, person=person)
    make_guest(reservation, "Сидоров")
    make_user(Role.FRONT_DESK, username="desk")

    page.goto(f"{live_server.url}/reservations/{reservation.pk}/?tab=guests")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    rows = page.locator("#guests-tab table.guests")
    expect(rows).to_contain_text("Репин")
    page.evaluate("window.notReloaded = true")

    body = webhook_body(russian(person.pk), entity.pk)
    assert post_webhook(Client(), body).json() == {"status": "applied"}

    # Within the 3 s poll (and a margin for a slow machine), in place.
    expect(rows).to_contain_text("Крупкин Илья Борисович", timeout=8000)
    expect(rows).to_contain_text("Сидоров")
    assert page.evaluate("window.notReloaded") is True
