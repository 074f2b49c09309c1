"""Save first, automatically: the EMIS button of an unsaved guest is a submit
of the guest form; the page view saves and comes back with ?emis=1."""

import re

import pytest

from reservations.models import Person, Stay
from tests.factories import make_reservation
from tests.support.formdata import form_data


@pytest.fixture
def reservation(entity):
    return make_reservation(entity)


def test_emis_on_unsaved_guest_saves_and_reopens_with_dialog(
    front_desk_client, emis_connection, reservation
):
    new_url = f"/reservations/{reservation.pk}/guests/new/"
    page = front_desk_client.get(new_url, follow=True).content.decode()
    assert re.search(r'<button type="submit" name="_emis" value="1"', page)
    data = form_data(page, "guest-form")
    data["person-surname"] = "Репин"
    data["_emis"] = "1"  # the pressed button

    response = front_desk_client.post(new_url, data)

    person = Person.objects.get(surname="Репин")
    stay = Stay.objects.get(person=person, reservation=reservation)
    assert response.status_code == 302
    assert response["Location"] == f"{stay.get_absolute_url()}?emis=1"
    card = front_desk_client.get(response["Location"]).content.decode()
    # The saved guest's page opens the dialog by itself, for that person ID.
    assert "data-autoopen" in card
    assert f'action="/emis/persons/{person.pk}/upload/" target="_blank"' in card
    assert 'name="_emis"' not in card


def test_emis_without_surname_saves_nothing_and_opens_nothing(
    front_desk_client, emis_connection, reservation
):
    new_url = f"/reservations/{reservation.pk}/guests/new/"
    page = front_desk_client.get(new_url, follow=True).content.decode()
    data = form_data(page, "guest-form")
    data["_emis"] = "1"
    response = front_desk_client.post(new_url, data)
    assert response.status_code == 200  # the form again, with its error
    assert not Person.objects.exists()
    assert "<dialog" not in response.content.decode()


def test_saved_guest_page_has_the_dialog_not_the_submit(
    front_desk_client, emis_connection, stay
):
    page = front_desk_client.get(stay.get_absolute_url()).content.decode()
    assert 'data-dialog="emis-dialog"' in page
    assert "data-autoopen" not in page
    assert 'name="_emis"' not in page


def test_guest_page_with_inactive_integration_shows_disabled_button(
    front_desk_client, stay
):
    page = front_desk_client.get(stay.get_absolute_url()).content.decode()
    assert "EMIS не подключён" in page
    assert "<dialog" not in page
