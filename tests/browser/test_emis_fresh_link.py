"""Issue 12: F5 on the EMIS tab is no dead end.

Every click of the guest card's "Загрузить новые документы" asks EMIS for a
fresh one-time link (two clicks, two tokens, two open EMIS pages). A reload
of the EMIS tab shows the page again; the same link in another browser is
refused, and the refusal's link leads through the PMS login to the page
whose button opens EMIS with a fresh link.
"""

import re
from urllib.parse import urlsplit

import pytest

from emis.models import UploadLinkClick
from reservations.models import Person
from tests.browser import test_emis_flow as flow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
]

world = flow.world  # the PMS on a live server, connected to the sandbox


def open_emis(page, dialog):
    """Click the dialog's button; the new tab once it shows the EMIS page."""
    from playwright.sync_api import expect

    with page.context.expect_page() as tab_info:
        dialog.get_by_role("button", name="Загрузить новые документы").click()
    tab = tab_info.value
    tab.wait_for_load_state()
    expect(tab.locator("h1")).to_have_text("Загрузка документов")
    return tab


def token_of(url: str) -> str:
    return urlsplit(url).path.removeprefix("/s/")


def test_each_click_opens_emis_with_a_fresh_link(world, new_page):
    from playwright.sync_api import expect

    page = new_page(timeout=20000)
    dialog = flow.new_guest_in_emis_dialog(page, world, "Крупкин")
    person = Person.objects.get(surname="Крупкин")

    first = open_emis(page, dialog)
    second = open_emis(page, dialog)  # the same button, the dialog still open

    sandbox = world["sandbox"].base_url + "/s/"
    assert first.url.startswith(sandbox) and second.url.startswith(sandbox)
    assert token_of(first.url) != token_of(second.url)
    for tab in (first, second):
        expect(tab.locator("#person-id")).to_have_text(str(person.pk))
        expect(tab.locator("#f-surname_cyrillic")).to_have_value("Крупкин")
    assert UploadLinkClick.objects.filter(person=person, ok=True).count() == 2

    # F5 on an EMIS tab: the page again, still able to save.
    first.reload()
    expect(first.locator("#person-id")).to_have_text(str(person.pk))
    first.select_option("#f-sex", "M")
    first.fill("#f-citizenship", "RUS")
    first.get_by_role("button", name="Сохранить").click()
    expect(first.locator(".notice.ok").last).to_contain_text(
        "PMS приняла данные (applied)"
    )


def test_a_used_link_elsewhere_leads_back_to_a_fresh_one(world, new_page):
    from playwright.sync_api import expect

    page = new_page(timeout=20000)
    dialog = flow.new_guest_in_emis_dialog(page, world, "Репин")
    person = Person.objects.get(surname="Репин")
    used = open_emis(page, dialog).url

    # Another browser (say, the address sent to a colleague): refused.
    other = new_page(timeout=20000)
    response = other.goto(used)
    assert response.status == 410
    back = other.locator("a#back-to-pms")
    stay = person.stays.get()
    expect(back).to_have_attribute(
        "href",
        f"{world['url']}/emis/persons/{person.pk}/upload/"
        f"?legal_entity={world['entity'].pk}&reservation={stay.reservation_id}",
    )

    # The way back: the PMS login first, then the page that asks EMIS for a
    # fresh link, for the same legal entity and reservation.
    back.click()
    other.wait_for_url(re.compile(r"/accounts/login/"))
    other.fill("input[name=username]", "desk")
    other.fill("input[name=password]", flow.PASSWORD)
    other.click("button[type=submit].primary")
    other.wait_for_url(re.compile(rf"/emis/persons/{person.pk}/upload/\?"))
    expect(other.locator("[data-emis-upload-again]")).to_be_visible()
    expect(other.locator("select[name=legal_entity]")).to_have_value(
        str(world["entity"].pk)
    )
    other.click("[data-emis-fresh-link]")
    other.wait_for_url(re.compile(re.escape(world["sandbox"].base_url) + "/s/"))
    expect(other.locator("#person-id")).to_have_text(str(person.pk))
    assert token_of(other.url) != token_of(used)
    assert UploadLinkClick.objects.filter(person=person, ok=True).count() == 2
