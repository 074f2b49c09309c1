"""A tired clerk's Back button neither splits a guest nor loses typing: save
a new guest, go Back to the form (it comes back filled), type another guest
over it, save — nothing new, the form shown again with the typing and a
warning; Save once more adds the guest typed. A new form adds a new guest."""

import re

import pytest
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.models import Person, Reservation, Stay
from tests.factories import make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALREADY = "Ничего нового не создано: эта форма уже была сохранена."


def _log_in(page, url: str, role: Role = Role.FRONT_DESK) -> None:
    # Transactional tests flush the role groups the migration made.
    for each in Role:
        Group.objects.get_or_create(name=each.value)
    make_user(role, username="desk")
    page.goto(url)
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")


def test_save_back_save_keeps_one_guest(live_server, page):
    from playwright.sync_api import expect

    reservation = make_reservation()
    _log_in(page, f"{live_server.url}/reservations/{reservation.pk}/guests/new/")
    page.fill("#id_person-surname", "Назадов")
    page.click("button[name=_save]")
    page.wait_for_url(re.compile(r"/guests/\d+/$"))
    first = page.url
    person = Person.objects.get(surname="Назадов")
    expect(page.locator("#person-id")).to_have_text(str(person.pk))

    page.go_back()
    expect(page.locator("#id_person-surname")).to_have_value("Назадов")
    expect(page.locator("[data-saved-before]")).to_be_visible()
    page.fill("#id_person-surname", "Вторых")
    page.click("button[name=_save]")

    warning = page.locator("[data-saved-again]")
    expect(warning).to_contain_text(ALREADY)
    expect(warning.locator("a")).to_have_attribute("href", first.split(live_server.url)[1])
    expect(page.locator("#id_person-surname")).to_have_value("Вторых")
    assert list(Person.objects.values_list("pk", flat=True)) == [person.pk]
    assert Stay.objects.count() == 1

    # Saved once more, on purpose: the guest typed, a second one.
    page.click("button[name=_save]")
    page.wait_for_url(re.compile(r"/guests/\d+/$"))
    assert page.url != first
    second = Person.objects.get(surname="Вторых")
    expect(page.locator("#person-id")).to_have_text(str(second.pk))

    # A new form is a new guest.
    page.goto(f"{live_server.url}/reservations/{reservation.pk}/guests/new/")
    page.fill("#id_person-surname", "Вперёдов")
    page.click("button[name=_save]")
    page.wait_for_url(re.compile(r"/guests/\d+/$"))
    assert page.url != first
    assert Person.objects.count() == 3


def test_new_reservation_back_create_asks_before_a_second(live_server, page):
    from playwright.sync_api import expect

    entity = make_reservation().legal_entity
    before = Reservation.objects.count()
    _log_in(page, f"{live_server.url}/reservations/new/")
    page.select_option("select[name=legal_entity]", str(entity.pk))
    page.fill("input[name=arrival]", "01.12.2026")
    page.fill("input[name=departure]", "03.12.2026")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/reservations/\d+/\?tab=guests$"))
    first = page.url

    page.go_back()
    # The dates (autocomplete=off) come back empty: the clerk types them again.
    expect(page.locator("select[name=legal_entity]")).to_have_value(str(entity.pk))
    page.fill("input[name=arrival]", "01.12.2026")
    page.fill("input[name=departure]", "03.12.2026")
    page.click("button[type=submit].primary")

    expect(page.locator("[data-saved-again]")).to_contain_text(ALREADY)
    expect(page.locator("input[name=departure]")).to_have_value("03.12.2026")
    assert Reservation.objects.count() == before + 1
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/reservations/\d+/\?tab=guests$"))
    assert page.url != first
    assert Reservation.objects.count() == before + 2
