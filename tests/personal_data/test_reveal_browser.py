"""In a real browser: "Показать полный номер" swaps the history row in
place (htmx, with the CSRF header), the admin's access log page and the
card's last reads show the reveal, and nothing breaks the CSP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.models import IdentityDocument
from reservations.services import RecordEdit, person_records_save
from tests.browser.test_csp_browser import Browser
from tests.factories import make_guest, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server, new_context):
    return Browser(new_context, live_server.url)


def test_a_clerk_reveals_an_old_number_and_the_admin_sees_it(browser):
    from playwright.sync_api import expect

    for role in Role:  # transactional tests flush the migration's groups
        Group.objects.get_or_create(name=role.value)
    stay = make_guest(make_reservation(), surname="Репин")
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", series="4510", number="123456"
    )
    edit = RecordEdit(pk=doc.pk, values={"number": "654321"})
    person_records_save(person_id=stay.person_id, edits={"documents": [edit]})
    make_user(Role.FRONT_DESK, username="desk")
    make_user(Role.ADMIN, username="boss")
    guest = f"/reservations/{stay.reservation_id}/guests/{stay.pk}/"

    page = browser.new_page()
    browser.visit(page, "/accounts/login/")
    browser.login(page, "desk")
    browser.visit(page, guest)
    row = page.locator(".history-table tr", has=page.locator("[data-reveal]"))
    expect(row.locator("td.old")).to_have_text("****56")
    row.locator("[data-reveal]").click()
    revealed = page.locator(".history-table tr[data-revealed]")
    expect(revealed.locator("td.old")).to_have_text("123456")
    expect(revealed.locator("td.new")).to_have_text("654321")

    admin = browser.new_page()
    browser.visit(admin, "/accounts/login/")
    browser.login(admin, "boss")
    browser.visit(admin, guest)
    reads = admin.locator("[data-access-reads]")
    expect(reads).to_contain_text("показан полный номер документа")
    expect(reads).to_contain_text("desk")
    browser.visit(admin, f"/personal-data/access-log/?person={stay.person_id}")
    expect(admin.locator("table.access-log")).to_contain_text("карточка гостя")
    assert browser.violations == []
