"""The arrivals board in a real browser (Debian chromium), against the EMIS
sandbox: front desk logs in and lands on the board, sees the three lists and
the summary, gets every guest of a reservation from EMIS with each guest's
progress in its row, goes to the next day with the → key and back with the
link, and opens a guest. With PMS_SCREENSHOT=1 it also saves
docs/arrivals-board.png."""

import copy
import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.deadlines import hotel_today
from reservations.models import IdentityDocument, MigrationCard
from tests.factories import (
    connect_to_sandbox,
    make_guest,
    make_legal_entity,
    make_reservation,
    make_user,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
]

EXAMPLE = json.loads(
    Path("/work/shared/emis-examples/person-russian-citizen.json").read_text()
)


def screenshot(page, name: str) -> None:
    if os.environ.get("PMS_SCREENSHOT") == "1":
        target = Path(settings.BASE_DIR) / "docs" / name
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


@pytest.fixture
def world(live_server, emis_sandbox, settings):
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    connect_to_sandbox(emis_sandbox)
    make_user(Role.FRONT_DESK, username="desk")
    today = hotel_today()
    day = dt.timedelta(days=1)
    # Whatever day the test runs on: yesterday and today are working days,
    # so yesterday's arrivals are due today (amber).
    settings.PMS_WORKDAY_SWAPS = [f"work:{today - day}", f"work:{today}"]
    entity = make_legal_entity(name="ООО Гостиница Восток")
    arriving = make_reservation(entity, arrival=today, departure=today + 3 * day)
    repin = make_guest(arriving, surname="Репин", given_names="Илья", citizenship="RUS")
    muller = make_guest(arriving, surname="Мюллер", given_names="Ханс", citizenship="DEU")
    staying = make_reservation(entity, arrival=today - day, departure=today + 2 * day)
    for name, citizenship in (("Ахметов", "KAZ"), ("Смит", "GBR")):
        guest = make_guest(staying, surname=name, citizenship=citizenship)
        IdentityDocument.objects.create(
            person=guest.person, kind="national_passport", number=f"N{guest.pk}"
        )
        MigrationCard.objects.create(person=guest.person, number=f"{guest.pk}")
    make_guest(
        make_reservation(entity, arrival=today - 2 * day, departure=today),
        surname="Ли",
        citizenship="CHN",
    )
    # EMIS holds Repin's passport; Müller has not been scanned yet.
    person = copy.deepcopy(EXAMPLE)
    person["person_id"] = str(repin.person_id)
    emis_sandbox.save_person(str(entity.pk), person)
    return {"url": live_server.url, "repin": repin, "muller": muller, "today": today}


def test_the_front_desks_morning_on_the_board(page, world):
    from playwright.sync_api import expect

    url, today = world["url"], world["today"]
    page.goto(url + "/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/board/$"))

    for key, count in (("arriving", 2), ("in_house", 2), ("departing", 1)):
        section = page.locator(f"#list-{key}")
        expect(section).to_be_visible()
        expect(section.locator("tr[data-stay]")).to_have_count(count)
    expect(page.locator("h1")).to_contain_text(today.strftime("%d.%m.%Y"))
    expect(page.locator(".board-summary")).to_contain_text(
        "2 иностранных гостя — уведомление сегодня, документы не готовы у 1"
    )
    expect(page.locator("#list-in_house .deadline-today")).to_have_count(2)
    # Ли leaves today with no papers: the arrival notice (due yesterday)
    # stays red, EMIS cannot have filed it (issue 12).
    expect(page.locator("#list-departing .deadline-overdue")).to_contain_text("о прибытии")
    expect(page.locator(".board-summary")).to_contain_text("просрочено уведомлений: 1")

    # Every guest of the arriving reservation from EMIS, progress per row.
    repin, muller = world["repin"], world["muller"]
    arriving = page.locator(f'.board-reservation[data-reservation="{repin.reservation_id}"]')
    arriving.get_by_role("button", name="Получить данные всех гостей").click()
    expect(arriving.locator(".board-pull-status")).to_contain_text(
        "Данные запрошены для 2 из 2 гостей"
    )
    expect(page.locator(f"#board-pull-{repin.pk} .job")).to_have_attribute(
        "data-job-status", "succeeded"
    )
    expect(page.locator(f"#board-pull-{repin.pk}")).to_contain_text("Обновлено")
    expect(page.locator(f"#board-pull-{muller.pk}")).to_contain_text(
        "В EMIS пока нет данных"
    )
    # Repin's row now shows the passport and the name EMIS sent, no reload.
    expect(page.locator(f"#board-name-{repin.pk}")).to_contain_text("Крупкин")
    expect(page.locator(f"#board-state-{repin.pk}")).not_to_have_attribute(
        "data-state", "nothing"
    )
    expect(page.locator(f"#board-state-{muller.pk}")).to_have_attribute(
        "data-state", "nothing"
    )
    screenshot(page, "arrivals-board.png")

    # The next day with the → key, back with the link.
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    page.locator("h1").click()  # focus on the page, not in a field
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(rf"/board/\?date={tomorrow}$"))
    expect(page.locator("#list-in_house tr[data-stay]")).to_have_count(4)
    expect(page.locator("#list-arriving")).to_contain_text("Никого")
    page.get_by_role("link", name="← Предыдущий день").click()
    page.wait_for_url(re.compile(rf"/board/\?date={today.isoformat()}$"))

    # One click opens the guest card.
    page.locator(f'tr[data-stay="{muller.pk}"] a.guest-name').click()
    page.wait_for_url(
        re.compile(rf"/reservations/{muller.reservation_id}/guests/{muller.pk}/$")
    )
    expect(page.locator("#person-id")).to_have_text(str(muller.person_id))
