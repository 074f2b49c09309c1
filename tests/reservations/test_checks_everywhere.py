"""The readiness checks are one set (``reservations/checks.py``), shown the
same everywhere: a guest with no citizenship gets ``citizenship_unknown``, and
is not ready, on the guest card, on the Гости tab, on the arrivals board and
in the API (the arrivals and the reservation's guests)."""

import datetime as dt
import re

import pytest

from reservations.deadlines import hotel_today
from reservations.models import IdentityDocument
from tests.factories import make_guest, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

CODE = "citizenship_unknown"


@pytest.fixture
def stay():
    today = hotel_today()
    reservation = make_reservation(arrival=today, departure=today + dt.timedelta(3))
    guest = make_guest(reservation, surname="Безгражданства", citizenship="")
    # A valid passport: the citizenship is the only thing missing.
    IdentityDocument.objects.create(person=guest.person, kind="passport_rf", number="1")
    return guest


def _warnings(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li data-code="([a-z_]+)">([^<]*)</li>', html)


def _card(client, stay) -> str:
    response = client.get(f"/reservations/{stay.reservation_id}/guests/{stay.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html.split("data-checks", 1)[1].split("</section>", 1)[0]


def _tab_row(client, stay) -> str:
    response = client.get(f"/reservations/{stay.reservation_id}/?tab=guests")
    html = response.content.decode()
    return html.split(f'<tr data-stay="{stay.pk}">', 1)[1].split("</tr>", 1)[0]


def _board_row(client, stay) -> str:
    response = client.get("/board/", {"date": stay.registration_from.isoformat()})
    html = response.content.decode()
    return html.split(f'data-stay="{stay.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Гражданство не указано"), ("en", "Citizenship not set")],
)
def test_no_citizenship_is_the_same_warning_on_every_page(
    front_desk_client, stay, language, text
):
    if language == "en":
        front_desk_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    expected = (CODE, text)
    card = _card(front_desk_client, stay)
    assert expected in _warnings(card)
    assert 'data-ready="false"' in card
    tab = _tab_row(front_desk_client, stay)
    assert expected in _warnings(tab)
    assert 'class="badge ok"' not in tab  # not ready
    board = _board_row(front_desk_client, stay)
    assert expected in _warnings(board)
    assert 'data-state="warnings"' in board


def test_the_api_says_it_in_the_same_words(api_front_desk, stay):
    day = stay.registration_from.isoformat()
    arrivals = api_front_desk.get("/api/v1/arrivals/", {"date": day}).json()
    (row,) = arrivals["results"]
    assert row["ready"] is False
    assert {"code": CODE, "message": "Гражданство не указано"} in row["warnings"]
    guests = api_front_desk.get(
        f"/api/v1/reservations/{stay.reservation_id}/guests/"
    ).json()
    assert guests[0]["warnings"] == row["warnings"]


def test_a_set_citizenship_takes_the_warning_away_everywhere(front_desk_client, stay):
    stay.person.citizenship = "RUS"
    stay.person.save()
    assert CODE not in _card(front_desk_client, stay)
    assert 'data-ready="true"' in _card(front_desk_client, stay)
    assert CODE not in _tab_row(front_desk_client, stay)
    assert CODE not in _board_row(front_desk_client, stay)
