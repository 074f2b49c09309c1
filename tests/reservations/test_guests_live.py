"""The open Гости tab asks whether its guests changed (reservations:guests_state)
and is drawn again only when they did: EMIS data by webhook shows without a
reload."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reservations.selectors import reservation_guests_version
from reservations.services import stay_create
from tests.emis.conftest import connection, post_webhook, russian, webhook_body  # noqa: F401
from tests.factories import make_guest, make_legal_entity, make_person, make_reservation

pytestmark = pytest.mark.django_db


def _version_on(page) -> str:
    return re.search(r'data-guests-version="([0-9a-f]+)"', page.content.decode())[1]


def test_the_tab_carries_its_version_and_asks_for_news(front_desk_client):
    reservation = make_reservation()
    make_guest(reservation, "Сидоров")
    page = front_desk_client.get(f"/reservations/{reservation.pk}/", {"tab": "guests"})
    version = _version_on(page)
    assert version == reservation_guests_version(reservation.pk)
    state = reverse("reservations:guests_state", args=[reservation.pk])
    assert f'hx-get="{state}?v={version}"' in page.content.decode()
    assert 'hx-trigger="every 3s' in page.content.decode()


@pytest.mark.usefixtures("connection")
def test_nothing_new_is_204_and_emis_data_redraws_the_guests(front_desk_client):
    entity, person = make_legal_entity(), make_person("Репин")
    reservation = make_reservation(entity)
    stay_create(reservation=reservation, person=person)
    make_guest(reservation, "Сидоров")
    state = reverse("reservations:guests_state", args=[reservation.pk])
    version = reservation_guests_version(reservation.pk)
    assert front_desk_client.get(state, {"v": version}).status_code == 204

    body = webhook_body(russian(person.pk), entity.pk)
    assert post_webhook(Client(), body).json() == {"status": "applied"}

    redrawn = front_desk_client.get(state, {"v": version})
    assert redrawn.status_code == 200
    html = redrawn.content.decode()
    assert "Крупкин Илья Борисович" in html and "Сидоров" in html
    assert 'id="guests-tab"' in html  # replaces the tab in place
    new_version = _version_on(redrawn)
    assert new_version != version
    assert front_desk_client.get(state, {"v": new_version}).status_code == 204


def test_a_guest_added_elsewhere_changes_the_version(front_desk_client):
    reservation = make_reservation()
    make_guest(reservation, "Сидоров")
    before = reservation_guests_version(reservation.pk)
    make_guest(reservation, "Петров")
    assert reservation_guests_version(reservation.pk) != before
    assert reservation_guests_version(make_reservation().pk) != before


def test_support_gets_no_rows(support_client):
    state = reverse("reservations:guests_state", args=[make_reservation().pk])
    assert support_client.get(state, {"v": "x"}).status_code == 403


def test_an_unknown_reservation_is_404(front_desk_client):
    missing = reverse("reservations:guests_state", args=[987654])
    assert front_desk_client.get(missing, {"v": "x"}).status_code == 404
