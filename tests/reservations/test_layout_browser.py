"""The front desk's pages fit a phone (390 px) and a tablet (768 px): nothing
scrolls sideways (Debian chromium). With PMS_SCREENSHOT=1 it also saves the
phone views of the board and of the guest card in docs/."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.deadlines import hotel_today
from reservations.models import IdentityDocument, MigrationCard, Visa
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def world(live_server):
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    make_user(Role.FRONT_DESK, username="desk")
    today = hotel_today()
    entity = make_legal_entity(name="ООО Гостиница «Восток» — корпус на Садовой улице")
    reservation = make_reservation(
        entity, arrival=today, departure=today + dt.timedelta(days=3)
    )
    foreigner = make_guest(
        reservation,
        surname="Хендерсон-Уэзерспун",
        given_names="Максимилиан Александр",
        citizenship="DEU",
        phone="+79123456789",
        email="maximilian.alexander.henderson-weatherspoon@example.com",
    )
    person = foreigner.person
    IdentityDocument.objects.create(
        person=person,
        kind="national_passport",
        number="C01X00T47",
        issuing_country="DEU",
        issuer="Bundesrepublik Deutschland, Stadt Frankfurt am Main",
        expiry_date=today + dt.timedelta(days=1),
    )
    Visa.objects.create(person=person, number="123456789", valid_to=today)
    MigrationCard.objects.create(person=person, number="4512345678")
    make_guest(reservation, surname="Репин", given_names="Илья", citizenship="RUS")
    return {"url": live_server.url, "reservation": reservation, "stay": foreigner}


def _log_in(page, url):
    page.goto(url + "/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    page.wait_for_url(url + "/board/**")


def _pages(world):
    r, stay = world["reservation"], world["stay"]
    return {
        "login": "/accounts/login/",
        "landing (board)": "/",
        "Заявки list": "/reservations/",
        "reservation card": f"/reservations/{r.pk}/",
        "Гости tab": f"/reservations/{r.pk}/?tab=guests",
        "guest card": f"/reservations/{r.pk}/guests/{stay.pk}/",
    }


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_no_page_scrolls_sideways(world, new_page, viewport):
    page = new_page(viewport=viewport)
    page.goto(world["url"] + "/accounts/login/")
    assert _scroll_width(page) <= viewport["width"], "login"
    _log_in(page, world["url"])
    widths = {}
    for name, path in _pages(world).items():
        if name == "login":
            continue
        page.goto(world["url"] + path)
        page.wait_for_load_state()
        widths[name] = _scroll_width(page)
    assert widths == {name: min(w, viewport["width"]) for name, w in widths.items()}


def test_documents_stack_as_cards_on_a_phone(world, new_page):
    page = new_page(viewport=PHONE)
    _log_in(page, world["url"])
    r, stay = world["reservation"], world["stay"]
    page.goto(f"{world['url']}/reservations/{r.pk}/guests/{stay.pk}/")
    row = page.locator("#documents-formset tbody tr").first
    cells = row.locator("td")
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    # Stacked: the second field sits below the first, not beside it, and
    # says which field it is.
    assert second["y"] >= first["y"] + first["height"] - 1
    assert page.locator("#documents-formset thead").is_hidden()
    label = cells.nth(0).evaluate("c => getComputedStyle(c, '::before').content")
    assert "Вид" in label or "вид" in label.lower()
    # The change history stacks too (issue 12: words broke mid-word in
    # its narrowed columns): each cell on its own line, labelled.
    history = page.locator("table.history-table tbody tr").first
    when, field = history.locator("td").nth(0).bounding_box(), history.locator("td").nth(1).bounding_box()
    assert field["y"] >= when["y"] + when["height"] - 1
    assert field["width"] > 300  # the whole card's width, not a narrow column
    _screenshot(page, "guest-card-phone.png")
    page.goto(world["url"] + "/")
    _screenshot(page, "arrivals-board-phone.png")


def _screenshot(page, name: str) -> None:
    if os.environ.get("PMS_SCREENSHOT") == "1":
        page.screenshot(path=str(Path(settings.BASE_DIR) / "docs" / name), full_page=True)


def test_the_language_buttons_ignore_arrow_keys_and_fit_a_phone(world, new_page):
    """The switch was a select that submitted on change: → on it (a clerk
    thinking of the board's ←/→ days) switched the interface to English."""
    page = new_page(viewport=PHONE)
    _log_in(page, world["url"])
    reservations = world["url"] + "/reservations/"
    page.goto(reservations)
    switch = page.locator("form.lang-switch")
    ru, en = switch.locator("button[value=ru]"), switch.locator("button[value=en]")
    assert ru.get_attribute("aria-pressed") == "true"
    assert en.get_attribute("aria-pressed") == "false"
    for button in (ru, en):
        button.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
    page.wait_for_load_state()
    assert page.url == reservations
    assert page.locator("html").get_attribute("lang") == "ru"
    # Both buttons inside the phone's width, the page not wider.
    box = en.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert _scroll_width(page) <= PHONE["width"]
    with page.expect_navigation():
        en.click()
    assert page.url == reservations
    assert page.locator("html").get_attribute("lang") == "en"
    assert en.get_attribute("aria-pressed") == "true"
    assert page.get_by_role("link", name="Reservations").first.is_visible()
