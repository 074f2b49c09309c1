"""An admin merges a duplicate guest in a real browser: the card's notice,
the confirmation page, the POST, the survivor's card. No JavaScript of ours
runs, and the Content-Security-Policy reports nothing."""

import pytest
from django.contrib.auth.models import Group

from pms.roles import Role
from reservations.models import IdentityDocument, Person, PersonAlias
from tests.factories import make_guest, make_reservation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_merges_a_duplicate_from_the_guest_card(live_server, page):
    from playwright.sync_api import expect

    for role in Role:  # transactional tests flush the migration's groups
        Group.objects.get_or_create(name=role.value)
    older = make_guest(make_reservation(), surname="Репин", given_names="Илья")
    newer = make_guest(make_reservation(), surname="Repin", phone="+79123456789")
    for stay in (older, newer):
        IdentityDocument.objects.create(
            person=stay.person, kind="passport_rf", series="4510", number="123456"
        )
    make_user(Role.ADMIN, username="boss")
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(f"{live_server.url}{newer.get_absolute_url()}")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    notice = page.locator(f"[data-duplicate='{older.person_id}']")
    expect(notice).to_contain_text(
        f"Возможно, это тот же гость: ID персоны {older.person_id}"
    )
    expect(notice).to_contain_text("Паспорт гражданина РФ ********56")

    notice.locator("text=Объединить…").click()
    expect(page.locator("h1")).to_have_text("Объединение дубликатов персон")
    assert Person.objects.filter(pk=newer.person_id).exists()  # only asked so far
    page.click(f"text=Объединить ID персоны {newer.person_id} с {older.person_id}")

    expect(page.locator("#person-id")).to_have_text(str(older.person_id))
    expect(page.locator(".messages")).to_contain_text(
        f"Персона с ID {newer.person_id} объединена с ID персоны {older.person_id}."
    )
    expect(page.locator(".duplicates")).to_have_count(0)
    expect(page.locator("#id_person-phone")).to_have_value("+79123456789")
    assert PersonAlias.objects.get(pk=newer.person_id).person_id == older.person_id
    assert problems == []
