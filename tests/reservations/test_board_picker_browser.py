"""The arrivals board's calendar (Debian chromium): a day picked in the
native date picker beside the дд.мм.гггг field shows that day's board, with
the day in the address (?date=YYYY-MM-DD, so F5 and a shared link keep it),
in Russian and in English, and on a 390 px phone without sideways scroll;
the typed field and the ←/→ keys keep working beside it."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.deadlines import hotel_today
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PICKER = "input[type=date][data-date-picker]"


@pytest.fixture
def world(live_server):
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    make_user(Role.FRONT_DESK, username="desk")
    # A day away from today, so only picking it can show this guest arriving.
    day = hotel_today() + dt.timedelta(days=40)
    reservation = make_reservation(
        make_legal_entity(), arrival=day, departure=day + dt.timedelta(days=2)
    )
    guest = make_guest(reservation, surname="Календарёв", citizenship="RUS")
    return {"url": live_server.url, "day": day, "guest": guest}


def _log_in(page, url: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/board/$"))


def _pick(page, day: dt.date) -> None:
    """What choosing a day in the calendar does: the input's value, then its
    change event (Playwright's fill sends input and change)."""
    page.locator(PICKER).fill(day.isoformat())
    page.wait_for_url(re.compile(rf"/board/\?date={day.isoformat()}$"))


def _arriving(page, world):
    return page.locator(f'#list-arriving tr[data-stay="{world["guest"].pk}"]')


@pytest.mark.parametrize(
    ("language", "title", "shown"),
    [
        ("ru", "Выбрать день в календаре", "%d.%m.%Y"),
        ("en", "Pick a day in the calendar", "%m/%d/%Y"),
    ],
)
def test_a_day_picked_in_the_calendar_shows_its_board(
    new_page, world, language, title, shown
):
    from playwright.sync_api import expect

    page = new_page()
    _log_in(page, world["url"])
    if language == "en":
        with page.expect_navigation():
            page.click("form.lang-switch button[value=en]")
    day = world["day"]
    picker = page.locator(PICKER)
    expect(picker).to_have_value(hotel_today().isoformat())
    expect(page.locator("label.date-picker")).to_have_attribute("title", title)
    expect(_arriving(page, world)).to_have_count(0)

    _pick(page, day)
    expect(_arriving(page, world)).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(day.strftime(shown))
    # Both controls now hold the picked day; F5 keeps it.
    expect(page.locator("input[type=text][name=date]")).to_have_value(
        day.strftime(shown)
    )
    expect(page.locator(PICKER)).to_have_value(day.isoformat())
    page.reload()
    expect(_arriving(page, world)).to_have_count(1)

    # The ← key and the typed field still work beside the picker.
    page.locator("h1").click()  # focus on the page, not in a field
    page.keyboard.press("ArrowLeft")
    before = (day - dt.timedelta(days=1)).isoformat()
    page.wait_for_url(re.compile(rf"/board/\?date={before}$"))
    expect(page.locator(PICKER)).to_have_value(before)
    typed = page.locator("input[type=text][name=date]")
    typed.fill(day.strftime(shown))
    typed.press("Enter")
    page.wait_for_url(re.compile(r"/board/\?date="))
    expect(_arriving(page, world)).to_have_count(1)


def test_the_calendar_button_fits_a_phone_and_opens_on_a_click_anywhere(
    new_page, world
):
    from playwright.sync_api import expect

    page = new_page(viewport={"width": 390, "height": 844})
    _log_in(page, world["url"])
    button = page.locator("label.date-picker").bounding_box()
    picker = page.locator(PICKER).bounding_box()
    # The (invisible) date input covers the whole button: a click anywhere
    # on it lands on the input, whose stretched indicator opens the calendar
    # (all of the button within its 1 px border).
    assert picker["width"] >= button["width"] - 2
    assert picker["height"] >= button["height"] - 2
    corner = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).matches('[data-date-picker]')",
        [button["x"] + 3, button["y"] + 3],
    )
    assert corner
    assert button["x"] + button["width"] <= 390
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board is {width} px wide at 390"

    _pick(page, world["day"])
    expect(_arriving(page, world)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
