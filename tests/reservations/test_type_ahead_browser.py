"""Countries and dates in a real browser (Debian chromium, en-US locale, as
a browser that would show <input type=date> as mm/dd/yyyy): the clerk types
"Russia", sees its name beside the code's field, types a birth date on a
keypad, and the guest is saved with RUS and the date."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.models import Person
from tests.factories import make_guest, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_a_country_by_name_and_a_date_on_a_keypad(live_server, new_page):
    from playwright.sync_api import expect

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    make_user(Role.FRONT_DESK, username="desk")
    stay = make_guest(make_reservation(), surname="Мюллер", citizenship="DEU")
    page = new_page(locale="en-US")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    page.goto(f"{live_server.url}/reservations/{stay.reservation_id}/guests/{stay.pk}/")

    citizenship = page.locator("#id_person-citizenship")
    expect(citizenship).to_have_value("DEU")
    name = page.locator("#id_person-citizenship + .country-name")
    expect(name).to_have_text("Германия")
    assert citizenship.get_attribute("list") == "country-codes"
    citizenship.fill("Russia")
    citizenship.press("Tab")  # "change": htmx asks what it means
    expect(name).to_have_text("Российская Федерация")

    birth = page.locator("#id_person-birth_date")
    assert birth.get_attribute("placeholder") == "дд.мм.гггг"
    birth.fill("05081985")
    with page.expect_navigation():
        page.click("button[name=_save]")
    person = Person.objects.get(pk=stay.person_id)
    assert (person.citizenship, person.birth_date) == ("RUS", dt.date(1985, 8, 5))
    expect(page.locator("#id_person-birth_date")).to_have_value("05.08.1985")
    expect(page.locator("#id_person-citizenship")).to_have_value("RUS")
