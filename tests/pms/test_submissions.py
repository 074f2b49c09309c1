"""Each opened "create" form saves once (pms/submissions.py): the same form
posted again — Back then Save, a re-POST — creates nothing and lands on what
the first save created; a newly opened form creates anew."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from legal_entities.models import LegalEntity
from pms.models import FormSubmission
from reservations.models import Person, Reservation, Stay
from tests.factories import VALID_INN, VALID_OGRN, make_legal_entity, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

ALREADY = "Эта форма уже была сохранена"


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


def _guest_post(client, reservation, surname: str):
    url = _opened(client, reverse("reservations:guest_new", args=[reservation.pk]))
    data = form_data(client.get(url).content.decode(), "guest-form")
    data["person-surname"] = surname
    return url, data


def test_a_new_guest_form_posted_again_creates_one_person(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")

    first = front_desk_client.post(url, data)
    again = front_desk_client.post(url, data)  # Back, then Save

    stay = Stay.objects.get(reservation=reservation)
    assert Person.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == stay.get_absolute_url()
    page = _messages(front_desk_client, again)
    assert ALREADY in page
    assert f'id="person-id">{stay.person_id}</span>' in page


def test_a_saved_form_shown_again_says_so_before_the_save(front_desk_client):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")
    assert "data-saved-before" not in front_desk_client.get(url).content.decode()
    front_desk_client.post(url, data)
    page = front_desk_client.get(url).content.decode()  # Back: fetched again
    stay = Stay.objects.get()
    assert "data-saved-before" in page and "Эта форма уже сохранена" in page
    assert f'href="{stay.get_absolute_url()}"' in page


def test_the_emis_button_posted_again_reopens_the_dialog_on_the_first(
    front_desk_client,
):
    reservation = make_reservation()
    url, data = _guest_post(front_desk_client, reservation, "Назадов")
    data["_emis"] = "1"
    first = front_desk_client.post(url, data)
    again = front_desk_client.post(url, data)
    assert again["Location"] == first["Location"]
    assert again["Location"].endswith("?emis=1")
    assert Person.objects.count() == 1


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
    again = front_desk_client.post(url, _reservation_data(entity))
    reservation = Reservation.objects.get()
    assert again["Location"] == first["Location"]
    assert first["Location"].startswith(reservation_url(reservation))
    assert ALREADY in _messages(front_desk_client, again)
    assert "data-saved-before" in front_desk_client.get(url).content.decode()

    fresh = _opened(front_desk_client, reverse("reservations:create"))
    front_desk_client.post(fresh, _reservation_data(entity))
    assert Reservation.objects.count() == 2


def reservation_url(reservation) -> str:
    return reverse("reservations:card", args=[reservation.pk])


def _entity_data() -> dict:
    return {"name": "ООО Ромашка", "inn": VALID_INN, "ogrn": VALID_OGRN}


def test_a_new_legal_entity_form_posted_again_creates_one(admin_client_):
    url = _opened(admin_client_, reverse("legal_entities:add"))
    first = admin_client_.post(url, _entity_data())
    again = admin_client_.post(url, _entity_data())
    entity = LegalEntity.objects.get()
    assert again["Location"] == first["Location"] == entity.get_absolute_url()
    assert ALREADY in _messages(admin_client_, again)
    assert "data-saved-before" in admin_client_.get(url).content.decode()

    fresh = _opened(admin_client_, reverse("legal_entities:add"))
    admin_client_.post(fresh, _entity_data())
    assert LegalEntity.objects.count() == 2


def test_the_edit_page_of_a_legal_entity_needs_no_token(admin_client_):
    entity = make_legal_entity()
    assert admin_client_.get(entity.get_absolute_url()).status_code == 200
