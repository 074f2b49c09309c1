"""Every guest save that did not go through — a new guest's or an existing
one's — says so at the top ("Не сохранено: см. сообщения ниже."): on a phone
the field's own error is screens below, and the EMIS button of an unsaved
guest (which saves first) otherwise seems to do nothing."""

import pytest
from django.urls import reverse

from reservations.models import Person
from tests.factories import make_guest, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

BANNER = "Не сохранено: см. сообщения ниже."

# A document number without its kind, a date that is none, a phone that is none.
BAD = [
    {"documents-0-number": "123456"},
    {"person-birth_date": "31.02.1990"},
    {"person-phone": "позвонить"},
]


def _new_guest_form(client, reservation) -> tuple[str, dict]:
    response = client.get(
        reverse("reservations:guest_new", args=[reservation.pk]), follow=True
    )
    url = response.wsgi_request.get_full_path()  # with the form's token
    return url, form_data(response.content.decode(), "guest-form")


@pytest.mark.parametrize("bad", BAD)
def test_a_new_guest_not_saved_says_so_at_the_top(front_desk_client, bad):
    url, data = _new_guest_form(front_desk_client, make_reservation())
    data.update({"person-surname": "Новиков", **bad})
    response = front_desk_client.post(url, data)
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert not Person.objects.exists()


def test_the_emis_button_of_a_new_guest_not_saved_says_so(front_desk_client):
    url, data = _new_guest_form(front_desk_client, make_reservation())
    data.update({"person-surname": "Новиков", "_emis": "1", **BAD[0]})
    response = front_desk_client.post(url, data)
    assert BANNER in response.content.decode()


@pytest.mark.parametrize("bad", BAD)
def test_an_existing_guest_not_saved_says_so_at_the_top(front_desk_client, bad):
    stay = make_guest(make_reservation(), "Старов")
    url = stay.get_absolute_url()
    data = form_data(front_desk_client.get(url).content.decode(), "guest-form")
    data.update(bad)
    response = front_desk_client.post(url, data)
    assert response.status_code == 200
    assert BANNER in response.content.decode()


def test_a_page_not_posted_has_no_banner(front_desk_client):
    stay = make_guest(make_reservation(), "Старов")
    url, _data = _new_guest_form(front_desk_client, stay.reservation)
    assert BANNER not in front_desk_client.get(url).content.decode()
    page = front_desk_client.get(stay.get_absolute_url()).content.decode()
    assert BANNER not in page
