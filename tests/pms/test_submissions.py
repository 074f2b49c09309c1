"""Each opened "create" form saves once (pms/submissions.py): the same form
posted again — Back then Save, a re-POST — creates nothing and shows the page
again with what was typed, a link to what the first save created and the form
posting to a new token: Save there creates anew, as does a newly opened form."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from legal_entities.models import LegalEntity
from pms.models import FormSubmission
from reservations.models import IdentityDocument, Person, Reservation, Stay
from tests.factories import VALID_INN, VALID_OGRN, make_legal_entity, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

ALREADY = "Ничего нового не создано: эта форма уже была сохранена."
KEPT = "Ниже — то, что вы отправили: проверьте даты и страны"
PASSPORT = {
    "documents-0-kind": "passport_rf",
    "documents-0-series": "4510",
    "documents-0-number": "123456",
    "documents-0-issuer_code": "770-001",
    "documents-0-issuing_country": "RUS",
}


def _opened(client, url: str, **query) -> str:
    """The address a create page sends the browser to: its own, with a token."""
    response = client.get(url, query)
    assert response.status_code == 302
    location = response["Location"]
    assert urlsplit(location).path == url
    assert "form" in parse_qs(urlsplit(location).query)
    return location


def _messages(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["form"][0]


def _shown_again(response, url: str, first_url: str) -> str:
    """The page a claimed token answers: the form again, warned, linking to
    what the first save created, posting to the same page with a new token."""
    assert response.status_code == 200
    page = response.content.decode()
    assert ALREADY in page and KEPT in page and "data-saved-again" in page
    assert f'<a href="{html.escape(first_url)}">Открыть сохранённое тогда</a>' in page
    assert "(там же кнопка EMIS)" in page
    assert "data-not-saved" not in page  # no error: the input was fine
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page)[1])
    assert urlsplit(action).path == urlsplit(url).path
    assert _token(action) != _token(url)
    return action


def _guest_post(client, reservation, surname: str):
    url = _opened(client, reverse("reservations:guest_new", args=[reservation.pk]))
    data = form_data(client.get(url).content.decode(), "guest-form")
    data["person-surname"] = surname
    return url, data


def test_a_new_guest_form_posted_again_creates_nothing_and_keeps_the_typing(
    front_desk_client,
):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")
    first = front_desk_client.post(url, data)
    stay = Stay.objects.get(reservation=reservation)
    assert first["Location"] == stay.get_absolute_url()

    # Back, another guest typed over the restored form, Save.
    data.update(PASSPORT, **{"person-surname": "Вторых"})
    again = front_desk_client.post(url, data)
    action = _shown_again(again, url, stay.get_absolute_url())
    assert list(Person.objects.values_list("surname", flat=True)) == ["Назадов"]
    assert not IdentityDocument.objects.exists()
    page = again.content.decode()
    assert 'name="person-surname" value="Вторых"' in page
    kept = form_data(page, "guest-form")  # as the browser would post it
    assert kept["person-surname"] == "Вторых"
    assert {name: kept[name] for name in PASSPORT} == PASSPORT

    # The form shown again, saved: the guest typed, a new one.
    second = front_desk_client.post(action, kept)
    added = Stay.objects.exclude(pk=stay.pk).get()
    assert second["Location"] == added.get_absolute_url()
    assert added.person.surname == "Вторых"
    assert added.person.documents.get().number == PASSPORT["documents-0-number"]
    # Neither page posted again adds a third.
    front_desk_client.post(url, data)
    front_desk_client.post(action, data)
    assert Person.objects.count() == 2


def test_a_saved_form_shown_again_says_so_before_the_save(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")
    assert "data-saved-before" not in front_desk_client.get(url).content.decode()
    front_desk_client.post(url, data)
    page = front_desk_client.get(url).content.decode()  # Back: fetched again
    stay = Stay.objects.get()
    assert "data-saved-before" in page and "Эта форма уже сохранена." in page
    assert "Повторное сохранение само ничего не создаст" in page
    assert f'href="{stay.get_absolute_url()}"' in page
    assert "data-saved-again" not in page
    # Until it is saved again, the form posts to its own address.
    assert '<form method="post" id="guest-form"' in page


def test_the_emis_button_posted_again_creates_nothing_either(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")
    data["_emis"] = "1"
    first = front_desk_client.post(url, data)
    assert first["Location"].endswith("?emis=1")
    again = front_desk_client.post(url, data)
    action = _shown_again(again, url, Stay.objects.get().get_absolute_url())
    assert Person.objects.count() == 1

    second = front_desk_client.post(action, data)
    added = Stay.objects.exclude(person__stays__pk=Stay.objects.first().pk)
    assert second["Location"] == f"{added.get().get_absolute_url()}?emis=1"
    assert Person.objects.count() == 2


def test_the_form_shown_again_keeps_the_guest_search(front_desk_client):
    reservation = make_reservation()
    path = reverse("reservations:guest_new", args=[reservation.pk])
    url = _opened(front_desk_client, path, q="Репин")
    data = form_data(front_desk_client.get(url).content.decode(), "guest-form")
    data["person-surname"] = "Назадов"
    front_desk_client.post(url, data)
    again = front_desk_client.post(url, data)
    action = _shown_again(again, url, Stay.objects.get().get_absolute_url())
    assert parse_qs(urlsplit(action).query)["q"] == ["Репин"]


def test_a_newly_opened_guest_form_creates_a_new_guest(front_desk_client):
    reservation = make_reservation()
    for surname in ("Первов", "Вторых"):
        url, data = _guest_post(front_desk_client, reservation, surname)
        front_desk_client.post(url, data)
    assert sorted(Person.objects.values_list("surname", flat=True)) == [
        "Вторых",
        "Первов",
    ]


def test_a_failed_save_keeps_the_token_free(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "")
    refused = front_desk_client.post(url, data)
    assert refused.status_code == 200  # the form again, with its error
    assert not FormSubmission.objects.exists()

    data["person-surname"] = "Исправлов"
    saved = front_desk_client.post(url, data)
    stay = Stay.objects.get()
    assert saved["Location"] == stay.get_absolute_url()
    assert ALREADY not in _messages(front_desk_client, saved)


def test_the_guest_search_keeps_its_query_when_given_a_token(front_desk_client):
    reservation = make_reservation()
    url = reverse("reservations:guest_new", args=[reservation.pk])
    location = _opened(front_desk_client, url, q="Репин")
    assert parse_qs(urlsplit(location).query)["q"] == ["Репин"]


def test_a_search_on_a_form_saved_before_keeps_its_token_and_warning(
    front_desk_client,
):
    """Outside check: searching on a form brought back by Back gave a new
    token, so the "already saved" warning went away."""
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Поиска")
    front_desk_client.post(url, data)
    page = front_desk_client.get(url).content.decode()
    assert "data-saved-before" in page
    token = parse_qs(urlsplit(url).query)["form"][0]
    assert f'<input type="hidden" name="form" value="{token}">' in page
    searched = front_desk_client.get(url, {"form": token, "q": "Поиска"})
    assert searched.status_code == 200  # no redirect to a new token
    assert "data-saved-before" in searched.content.decode()


def test_a_post_without_a_token_creates_as_before(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Старов")
    plain = urlsplit(url).path  # a page rendered before tokens posts here
    for _ in range(2):
        front_desk_client.post(plain, data)
    assert Person.objects.filter(surname="Старов").count() == 2


def _reservation_data(entity) -> dict:
    return {
        "arrival": "2026-12-01",
        "departure": "2026-12-03",
        "legal_entity": entity.pk,
        "status": "tentative",
    }


def test_a_new_reservation_form_posted_again_creates_one(front_desk_client):
    entity = make_legal_entity()
    url = _opened(front_desk_client, reverse("reservations:create"))
    first = front_desk_client.post(url, _reservation_data(entity))
    reservation = Reservation.objects.get()
    assert first["Location"].startswith(reservation_url(reservation))
    assert "data-saved-before" in front_desk_client.get(url).content.decode()

    typed = {**_reservation_data(entity), "departure": "2026-12-09"}
    again = front_desk_client.post(url, typed)
    action = _shown_again(again, url, first["Location"])
    assert 'value="2026-12-09"' in again.content.decode()
    assert Reservation.objects.count() == 1

    front_desk_client.post(action, typed)
    assert Reservation.objects.exclude(pk=reservation.pk).get().departure.day == 9
    fresh = _opened(front_desk_client, reverse("reservations:create"))
    front_desk_client.post(fresh, _reservation_data(entity))
    assert Reservation.objects.count() == 3


def reservation_url(reservation) -> str:
    return reverse("reservations:card", args=[reservation.pk])


def _entity_data() -> dict:
    return {"name": "ООО Ромашка", "inn": VALID_INN, "ogrn": VALID_OGRN}


def test_a_new_legal_entity_form_posted_again_creates_one(admin_client_):
    url = _opened(admin_client_, reverse("legal_entities:add"))
    first = admin_client_.post(url, _entity_data())
    entity = LegalEntity.objects.get()
    assert first["Location"] == entity.get_absolute_url()
    assert "data-saved-before" in admin_client_.get(url).content.decode()

    typed = {**_entity_data(), "name": "ООО Лютик"}
    again = admin_client_.post(url, typed)
    action = _shown_again(again, url, entity.get_absolute_url())
    assert 'value="ООО Лютик"' in again.content.decode()
    assert LegalEntity.objects.count() == 1

    admin_client_.post(action, typed)
    assert LegalEntity.objects.exclude(pk=entity.pk).get().name == "ООО Лютик"
    fresh = _opened(admin_client_, reverse("legal_entities:add"))
    admin_client_.post(fresh, _entity_data())
    assert LegalEntity.objects.count() == 3


def test_the_edit_page_of_a_legal_entity_needs_no_token(admin_client_):
    entity = make_legal_entity()
    assert admin_client_.get(entity.get_absolute_url()).status_code == 200
