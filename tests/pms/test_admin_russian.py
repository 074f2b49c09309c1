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
    found = (h1, paginator, crumbs)
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
