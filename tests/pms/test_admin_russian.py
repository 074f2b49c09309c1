"""Every Django admin page reads right in Russian (issue 12): titles by the
name alone ("Политика имён: изменение", never "Изменить политика имён"), a
list's count as "Персоны: 8" (never "8 персоны"), field names translated."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from emis.models import NamePolicy
from tests.factories import make_guest, make_reservation, make_user

pytestmark = pytest.mark.django_db

# Russian wants the accusative or genitive after these; a verbose name is
# nominative: "Изменить политика имён", "Выберите персона для изменения".
WRONG = re.compile(
    r"Изменить \w|Добавить \w|Просмотреть \w|Выберите \w+ для|\d+ персоны|"
    r"Updated (at|by)|updated (at|by)"
)


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "ru"
    return client


def _pages():
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:{}_{}_changelist".format(*info))
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            yield reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        yield reverse("admin:{}_{}_add".format(*info))


def _titles(html: str) -> str:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S)
    paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)
    # The add button too ("Добавить особая политика имён", issue 12).
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', html, re.S)
    found = (h1, paginator, crumbs, tools)
    return " ".join([title, *(m.group(1) if m else "" for m in found)])


def test_no_admin_page_reads_wrong_in_russian(superuser_client):
    reservation = make_reservation()
    for surname in ("Репин", "Сидоров", "Петров", "Иванов", "Смирнов"):
        make_guest(reservation, surname)
    NamePolicy.load()
    checked = 0
    for url in _pages():
        response = superuser_client.get(url)
        if response.status_code != 200:
            continue  # an add page the model does not allow
        text = _titles(response.content.decode())
        assert not WRONG.search(text), (url, WRONG.search(text).group(0), text)
        checked += 1
    assert checked > 20


def test_the_titles_name_the_model_and_what_the_page_does(superuser_client):
    reservation = make_reservation()
    for surname in ("Репин", "Сидоров", "Петров", "Иванов", "Смирнов"):
        make_guest(reservation, surname)
    persons = superuser_client.get("/admin/reservations/person/").content.decode()
    assert "<h1>Персоны</h1>" in persons
    assert re.search(r"Персоны: 5\s", persons)
    policy = NamePolicy.load()
    page = superuser_client.get(f"/admin/emis/namepolicy/{policy.pk}/change/")
    html = page.content.decode()
    assert "<h1>Политика имён: изменение</h1>" in html
    assert "Изменено" in html and "Кем изменено" in html
    person = reservation.stays.first().person
    view = superuser_client.get(f"/admin/reservations/person/{person.pk}/change/")
    assert "<h1>Персона: просмотр</h1>" in view.content.decode()


def test_the_add_button_reads_right(superuser_client):
    page = superuser_client.get("/admin/emis/namepolicyoverride/").content.decode()
    assert "Добавить: особая политика имён" in page


def test_object_titles_are_in_hotel_time_and_words(settings):
    """Issue 12: "d81d…: rejected" and "2026-11-29 12:59 frontdesk
    guest_card 7" (UTC, codes) in the admin's titles."""
    import datetime as dt

    from django.utils import translation

    from emis.models import EmisDelivery
    from personal_data.models import PersonalDataAccess

    settings.TIME_ZONE = "Europe/Moscow"
    at = dt.datetime(2026, 11, 29, 12, 59, tzinfo=dt.UTC)
    delivery = EmisDelivery(
        delivery_id="d81d", received_at=at, status="rejected", http_status=400
    )
    access = PersonalDataAccess(
        at=at, username="frontdesk", kind="guest_card", person_id=7
    )
    with translation.override("ru"):
        assert str(delivery) == "d81d · 29.11.2026 15:59 · Отклонена"
        assert (
            str(access)
            == "29.11.2026 15:59 · frontdesk · карточка гостя · ID персоны 7"
        )


def test_a_deliverys_bad_fields_are_in_russian_in_the_admin(superuser_client):
    from emis.models import EmisDelivery

    row = EmisDelivery.objects.create(
        delivery_id="d1",
        status="rejected",
        http_status=400,
        error_code="validation_error",
        bad_fields=[
            {"path": "person.birth_date", "reason": "must be a date YYYY-MM-DD"}
        ],
    )
    page = superuser_client.get(f"/admin/emis/emisdelivery/{row.pk}/change/")
    assert page.status_code == 200
    from django.utils import translation

    from emis.deliveries.texts import refusal_reason

    with translation.override("ru"):
        expected = refusal_reason(row)
    html = page.content.decode()
    assert expected in html and "must be a date" not in html
