"""End to end in a real browser against the real EMIS sandbox process.

Front desk creates a reservation, adds a guest with only a surname, presses
EMIS (the guest is saved first, the dialog opens by itself), opens EMIS in a
new tab, scans a TD3 MRZ there and saves: the sandbox's signed webhook fills
the guest card. Then the data changes in EMIS and "Получить данные
документов" brings it in with live progress. Finally support switches the name
policy in the Django admin and a re-pull turns the names Latin, and back.
"""

import re

import pytest
import requests
from django.contrib.auth.models import Group
from mrz.generator.td3 import TD3CodeGenerator

from emis.models import EmisConnection, UploadLinkClick
from pms.roles import Role
from reservations.models import Person
from tests.factories import connect_to_sandbox, make_legal_entity, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pass-12345"
# A TD3 (passport) MRZ with valid check digits, as a scanner reads it.
MRZ = str(
    TD3CodeGenerator(
        "P", "RUS", "KRUPKIN", "ILIA", "751234567", "RUS", "850412", "M", "320101", ""
    )
)


@pytest.fixture
def page(new_page):
    return new_page(timeout=20000)


@pytest.fixture
def world(live_server, emis_sandbox):
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    emis_sandbox.configure(webhook_url=live_server.url + "/api/v1/emis/webhook/")
    connect_to_sandbox(emis_sandbox)
    return {
        "entity": make_legal_entity(name="ООО Гостиница Восток"),
        "desk": make_user(Role.FRONT_DESK, username="desk"),
        "support": make_user(Role.SUPPORT, username="support"),
        "sandbox": emis_sandbox,
        "url": live_server.url,
    }


def log_in(page, url, username):
    page.goto(url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def create_reservation(page, world):
    page.goto(world["url"] + "/reservations/new/")
    page.select_option("select[name=legal_entity]", str(world["entity"].pk))
    page.fill("input[name=arrival]", "2026-11-27")
    page.fill("input[name=departure]", "2026-11-30")
    page.click("form button[type=submit].primary")
    page.wait_for_url(re.compile(r"/reservations/\d+/"))


def emis_person(world, person_id):
    sandbox = world["sandbox"]
    with sandbox.api() as api:
        response = api.get(
            f"{sandbox.base_url}/api/v1/persons/{person_id}",
            params={"legal_entity_id": str(world["entity"].pk)},
            timeout=10,
        )
    response.raise_for_status()
    return response.json()


def new_guest_in_emis_dialog(page, world, surname):
    """Front desk creates a reservation, adds a guest with only a surname and
    presses EMIS: the guest is saved first and the dialog opens by itself."""
    from playwright.sync_api import expect

    log_in(page, world["url"], "desk")
    create_reservation(page, world)
    page.click("a[href$='/guests/new/']")
    page.fill("input[name=person-surname]", surname)
    page.click("button[name=_emis]")
    dialog = page.locator("dialog#emis-dialog")
    expect(dialog).to_be_visible()
    return dialog


def pull_in_dialog(page, *, changed: str = ""):
    """Open the dialog, press "Получить данные документов", wait for the end
    (the dialog names the ``changed`` field), close the dialog."""
    from playwright.sync_api import expect

    page.click("[data-dialog=emis-dialog]")
    dialog = page.locator("dialog#emis-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Получить данные документов").click()
    # No reload: the dialog says what changed, the card behind draws itself
    # again with the new data.
    expect(dialog.locator("[data-emis-status]")).to_contain_text("Обновлено ")
    expect(dialog.locator("[data-emis-status]")).to_contain_text(changed)
    # At most two lines in the dialog, the fields folded (issue 12: ~30 of
    # them listed made the box ~200 px).
    assert dialog.locator("[data-emis-status]").bounding_box()["height"] < 100
    assert "transliterated" not in dialog.locator("[data-emis-status]").inner_text()
    expect(page.locator("[data-emis-arrived]")).to_be_visible()
    dialog.get_by_role("button", name="Отмена").click()
    expect(dialog).to_be_hidden()


def switch_name_policy(new_page, world, script, *, reapply):
    """Support switches the global name policy in the Django admin, then
    re-applies it to existing profiles or answers "Not now"."""
    from playwright.sync_api import expect

    page = new_page(timeout=20000)
    log_in(page, world["url"], "support")
    page.goto(world["url"] + "/admin/emis/namepolicy/")
    page.select_option("select[name=script]", script)
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/reapply/"))
    if reapply:
        page.click(".reapply-confirm input[type=submit]")
        expect(page.locator(".reapply-progress")).to_have_attribute(
            "data-status", "succeeded"
        )
    else:
        page.click(".reapply-confirm a.cancel-link")
    page.context.close()


def change_in_emis(world, person_id, **values):
    """An EMIS operator edits the person there (no webhook this time)."""
    person = emis_person(world, person_id)
    documents = values.pop("documents", None)
    person.update(values)
    if documents:
        person["documents"][0].update(documents)
    world["sandbox"].save_person(str(world["entity"].pk), person)


def test_guest_documents_through_emis(world, page, new_page):
    from playwright.sync_api import expect

    # A new guest with only a surname; EMIS saves it first, then opens.
    dialog = new_guest_in_emis_dialog(page, world, "Крупкин")
    person = Person.objects.get(surname="Крупкин")
    expect(page.locator("#person-id")).to_have_text(str(person.pk))
    assert "emis=1" not in page.url  # a reload will not reopen the dialog
    select = dialog.locator("select[data-emis-legal-entity]")
    expect(select).to_have_value(str(world["entity"].pk))

    # "Загрузить новые документы": the dialog's form posts (CSRF token, legal
    # entity, reservation) into a new tab, through the PMS, to EMIS.
    form = dialog.locator("form[data-emis-upload-form]")
    expect(form).to_have_attribute("method", "post")
    expect(form).to_have_attribute("target", "_blank")
    with page.context.expect_page() as tab_info:
        dialog.get_by_role("button", name="Загрузить новые документы").click()
    tab = tab_info.value
    tab.wait_for_load_state()
    assert tab.url.startswith(world["sandbox"].base_url + "/s/")
    expect(tab.locator("#f-surname_cyrillic")).to_have_value("Крупкин")
    content = tab.content()
    for secret in (world["sandbox"].web_password, world["sandbox"].api_password):
        assert secret not in content
    # The reservation went along: its own legal entity was the one chosen.
    click = UploadLinkClick.objects.get()
    assert (click.person_id, click.reservation.legal_entity_id) == (
        person.pk,
        world["entity"].pk,
    )
    tab.fill("#f-mrz", MRZ)
    tab.get_by_role("button", name="Сканировать (MRZ)").click()
    expect(tab.locator("#f-surname_latin")).to_have_value("KRUPKIN")
    tab.fill("#f-birth_place", "ГОР. МОСКВА")
    tab.get_by_role("button", name="Сохранить").click()
    expect(tab.locator(".notice.ok").last).to_contain_text(
        "PMS приняла данные (applied)"
    )
    tab.close()

    # The webhook filled the card.
    page.reload()
    # Dates as the Russian page writes them (issue 12), not ISO.
    expect(page.locator("input[name=person-birth_date]")).to_have_value("12.04.1985")
    expect(page.locator("input[name=person-birth_place]")).to_have_value("ГОР. МОСКВА")
    expect(page.locator("select[name=person-sex]")).to_have_value("M")
    expect(page.locator(".name-forms")).to_contain_text("KRUPKIN")
    expect(page.locator("input[name=person-surname]")).to_have_value("Крупкин")
    expect(page.locator("input[name='documents-0-number']")).to_have_value("751234567")

    # The data changes in EMIS (no webhook): the operator pulls it in.
    change_in_emis(
        world,
        person.pk,
        birth_place="ГОР. САНКТ-ПЕТЕРБУРГ",
        documents={"expiry_date": "2033-05-05"},
    )
    pull_in_dialog(page, changed="место рождения")
    expect(page.locator("input[name=person-birth_place]")).to_have_value(
        "ГОР. САНКТ-ПЕТЕРБУРГ"
    )
    expect(page.locator("input[name='documents-0-expiry_date']")).to_have_value(
        "05.05.2033"
    )

    # Nothing new in EMIS now: the dialog says so and the card stays.
    page.click("[data-dialog=emis-dialog]")
    dialog.get_by_role("button", name="Получить данные документов").click()
    expect(dialog.locator("[data-emis-status]")).to_contain_text(
        "В EMIS нет новых данных для этого гостя"
    )
    dialog.get_by_role("button", name="Отмена").click()
    expect(dialog).to_be_hidden()

    # Support switches names to Latin ("Not now" for existing profiles):
    # the next pull of new data substitutes Latin names.
    switch_name_policy(new_page, world, "latin", reapply=False)
    change_in_emis(world, person.pk, birth_place="ГОР. КАЗАНЬ")
    pull_in_dialog(page)
    surname = page.locator("input[name=person-surname]")
    expect(surname).to_have_value(re.compile(r"^krupkin$", re.IGNORECASE))
    expect(page.locator("input[name=person-given_names]")).to_have_value(
        re.compile(r"^ilia$", re.IGNORECASE)
    )

    # ... and back to Cyrillic, re-applied to existing profiles at once.
    switch_name_policy(new_page, world, "cyrillic", reapply=True)
    page.reload()
    expect(surname).to_have_value("Крупкин")
    # A pull afterwards keeps the policy's names.
    page.click("[data-dialog=emis-dialog]")
    dialog.get_by_role("button", name="Получить данные документов").click()
    expect(dialog.locator("[data-emis-status]")).to_contain_text(
        "В EMIS нет новых данных для этого гостя"
    )
    page.reload()
    expect(surname).to_have_value("Крупкин")


def test_emis_down_shows_error_tab_with_retry(world, page):
    from playwright.sync_api import expect

    dialog = new_guest_in_emis_dialog(page, world, "Репин")

    world["sandbox"].set_faults(status=503, paths=["/api/v1/web-sessions"])
    with page.context.expect_page() as tab_info:
        dialog.get_by_role("button", name="Загрузить новые документы").click()
    tab = tab_info.value
    tab.wait_for_load_state()
    assert tab.url.startswith(world["url"] + "/emis/persons/")
    expect(tab.locator("[data-emis-error]")).to_be_visible()
    retry = tab.locator("button[data-emis-retry]")
    expect(retry).to_be_visible()

    # EMIS is back: the retry button (the same POST again) goes through.
    world["sandbox"].clear_faults()
    retry.click()
    tab.wait_for_url(re.compile(re.escape(world["sandbox"].base_url) + "/s/"))
    assert requests.get(world["url"] + "/healthz", timeout=5).ok


def test_refused_web_login_sends_the_clerk_to_an_administrator(world, page):
    """Issue 8, item 15: no retry that cannot help, a plain message instead;
    the administrator finds the refusal on Разное → Стыковки."""
    from playwright.sync_api import expect

    conn = EmisConnection.load()
    conn.web_password = "not-the-web-password"
    conn.save()
    dialog = new_guest_in_emis_dialog(page, world, "Репин")

    with page.context.expect_page() as tab_info:
        dialog.get_by_role("button", name="Загрузить новые документы").click()
    tab = tab_info.value
    tab.wait_for_load_state()
    expect(tab.locator("[data-emis-error]")).to_have_attribute(
        "data-emis-error", "web_auth_failed"
    )
    expect(tab.locator("[data-emis-error-message]")).to_have_text(
        "EMIS не принимает веб-логин; попросите администратора проверить "
        "Разное → Стыковки"
    )
    expect(tab.locator("[data-emis-retry]")).to_have_count(0)
    assert world["sandbox"].web_password not in tab.content()


def test_pull_failure_shows_plain_error_and_retry(world, page):
    from playwright.sync_api import expect

    dialog = new_guest_in_emis_dialog(page, world, "Репин")
    status = dialog.locator("[data-emis-status]")

    world["sandbox"].set_faults(status=401, paths=["/api/v1/persons"])
    dialog.get_by_role("button", name="Получить данные документов").click()
    expect(status.locator(".job")).to_have_class(re.compile(r"\bjob-error\b"))
    expect(status).to_contain_text("API")  # EMIS refused the API credentials
    retry = dialog.locator("[data-emis-retry]")
    expect(retry).to_be_visible()

    # Fixed: the retry asks again; EMIS holds nothing for this guest yet.
    world["sandbox"].clear_faults()
    retry.click()
    expect(status.locator(".job")).to_have_class(re.compile(r"\bjob-info\b"))
    expect(retry).to_have_count(0)
    expect(page.locator("input[name=person-surname]")).to_have_value("Репин")


def _wait_for(what: str, done) -> None:
    """Until ``done()`` (a state the server reaches on its own), or fail."""
    import time

    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.05)


def test_slow_emis_shows_the_attempt_and_the_clerk_cancels(world, page, settings):
    """Issue 10, item 5: EMIS answers nothing for 30 s. No request waits
    for it longer than the read timeout: the dialog shows which attempt runs,
    which failed and when the next is due, and "Отменить" ends the pull —
    while an attempt runs, and while the job waits for the next one."""
    from playwright.sync_api import expect

    from emis.models import EmisJob
    from integrations.models import ConnectorCall

    settings.EMIS_READ_TIMEOUT = 2.0  # each look waits at most 3.05 + 2 s
    dialog = new_guest_in_emis_dialog(page, world, "Репин")
    person = Person.objects.get(surname="Репин")
    status = dialog.locator("[data-emis-status]")
    world["sandbox"].set_faults(latency_ms=30000, paths=["/api/v1/persons"])
    pull = dialog.get_by_role("button", name="Получить данные документов")
    cancel = status.get_by_role("button", name="Отменить")

    def emis_calls_ended() -> int:  # each leaves a call-log row
        return ConnectorCall.objects.filter(operation="get_person").count()

    # Cancelled while attempt 1 waits on EMIS (the dialog's look runs it).
    pull.click()
    expect(status).to_contain_text("Попытка 1 из 5: запрос к EMIS…")
    _wait_for("attempt 1 running", lambda: EmisJob.objects.filter(attempts=1).exists())
    cancel.click()
    expect(status).to_contain_text("Отменено оператором.")
    expect(status.locator(".job")).to_have_attribute("data-job-status", "cancelled")
    expect(cancel).to_have_count(0)
    _wait_for("attempt 1 timed out", lambda: emis_calls_ended() == 1)
    first = EmisJob.objects.get()
    assert (first.status, first.attempts) == ("cancelled", 1)
    expect(status).to_contain_text("Отменено оператором.")  # and still says so

    # Cancelled while it waits for attempt 2.
    pull.click()
    expect(status).to_contain_text("Попытка 1 из 5 не удалась:")
    expect(status).to_contain_text("EMIS не ответил")
    expect(status).to_contain_text("Следующая попытка через")
    cancel.click()
    expect(status).to_contain_text("Отменено оператором.")
    second = EmisJob.objects.exclude(pk=first.pk).get()
    assert second.status == "cancelled" and second.attempts <= 2
    person.refresh_from_db()
    assert person.emis_version is None  # nothing arrived, nothing applied


def test_typing_survives_emis_data_arriving(world, page):
    """Issue 10: a clerk types into the card while EMIS data arrives — by
    webhook (noticed when the card comes back into view) and by a pull — and
    the page neither reloads nor loses the typing."""
    import json
    from pathlib import Path

    from playwright.sync_api import expect

    dialog = new_guest_in_emis_dialog(page, world, "Крупкин")
    person = Person.objects.get(surname="Крупкин")
    dialog.get_by_role("button", name="Отмена").click()
    page.evaluate("window.__sameDocument = true")  # gone after any reload
    page.fill("input[name=person-phone]", "+79123456789")
    page.fill("textarea[name=stay-note]", "поздний заезд")

    example = Path("/work/shared/emis-examples/person-russian-citizen.json")
    emis_data = {**json.loads(example.read_text()), "person_id": str(person.pk)}
    world["sandbox"].save_person(str(world["entity"].pk), emis_data, send_webhook=True)
    world["sandbox"].wait_for_deliveries(1)

    # The open card asks every 3 s: the new data shows by itself.
    expect(page.locator("[data-emis-arrived]")).to_be_visible(timeout=10000)
    expect(page.locator("input[name=person-birth_place]")).to_have_value(
        emis_data["birth_place"]
    )
    expect(page.locator("input[name=person-phone]")).to_have_value("+79123456789")
    expect(page.locator("textarea[name=stay-note]")).to_have_value("поздний заезд")

    change_in_emis(world, person.pk, birth_place="ГОР. КАЗАНЬ")
    pull_in_dialog(page, changed="место рождения")
    expect(page.locator("input[name=person-birth_place]")).to_have_value("ГОР. КАЗАНЬ")
    expect(page.locator("input[name=person-phone]")).to_have_value("+79123456789")
    expect(page.locator("textarea[name=stay-note]")).to_have_value("поздний заезд")
    assert page.evaluate("window.__sameDocument") is True  # never reloaded

    # Leaving with unsaved typing asks first; staying keeps it.
    asked = []

    def stay(dialog):  # the browser's "leave the page?": answered "stay"
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Вернуться к заявке").click(no_wait_after=True)
    expect(page.locator("input[name=person-phone]")).to_have_value("+79123456789")
    assert asked == ["beforeunload"]
    assert page.evaluate("window.__sameDocument") is True

    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()
    person.refresh_from_db()
    stay = person.stays.get()
    assert (person.phone, person.birth_place, stay.note) == (
        "+79123456789",
        "ГОР. КАЗАНЬ",
        "поздний заезд",
    )
