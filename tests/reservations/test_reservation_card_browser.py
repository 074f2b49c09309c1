"""Front desk in a real browser: log in, open a reservation card, add a guest
with only a surname and read their person ID. With PMS_SCREENSHOT=1 it also
saves docs/reservation-card.png."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.models import IdentityDocument, Person
from tests.factories import make_guest, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_reservation():
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    reservation = make_reservation()
    repin = make_guest(
        reservation,
        surname="Репин",
        given_names="Илья",
        patronymic="Ефимович",
        citizenship="RUS",
        phone="+79123456789",
    )
    IdentityDocument.objects.create(
        person=repin.person, kind="passport_rf", series="4510", number="123456"
    )
    make_guest(reservation, surname="Мюллер", given_names="Ханс", citizenship="DEU")
    return reservation


def test_front_desk_adds_a_guest_with_only_a_surname(live_server, page):
    from playwright.sync_api import expect

    reservation = _demo_reservation()
    make_user(Role.FRONT_DESK, username="desk")

    page.goto(f"{live_server.url}/reservations/{reservation.pk}/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text(f"Карточка заявки {reservation.pk}")

    page.click("a[data-tab=guests]")
    expect(page.locator(".readiness")).to_contain_text("Документы готовы")
    if os.environ.get("PMS_SCREENSHOT") == "1":
        target = Path(settings.BASE_DIR) / "docs" / "reservation-card.png"
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target), full_page=True)

    page.click("text=Добавить гостя")
    page.fill("#id_person-surname", "Куинджи")
    page.click("button[name=_save]")

    person = Person.objects.get(surname="Куинджи")
    expect(page.locator("#person-id")).to_have_text(str(person.pk))
    expect(page.locator(".guest-head")).to_contain_text("ID персоны")
