"""The guest card's "Кириллица" line (issue 12): a name staff typed in
Cyrillic is its own Cyrillic form, never "—"."""

import re

import pytest

from tests.factories import make_guest, make_reservation

pytestmark = pytest.mark.django_db


def _cyrillic_line(client, stay) -> str:
    page = client.get(stay.get_absolute_url()).content.decode()
    return re.search(r"<dd data-name-cyrillic>(.*?)</dd>", page, re.S).group(1).strip()


def test_a_cyrillic_main_name_is_shown_on_the_cyrillic_line(front_desk_client):
    stay = make_guest(make_reservation(), "Сидоров", given_names="Пётр")
    assert _cyrillic_line(front_desk_client, stay) == "Сидоров Пётр"


def test_the_stored_cyrillic_form_wins(front_desk_client):
    stay = make_guest(
        make_reservation(),
        "REPIN",
        given_names="ILIA",
        surname_cyrillic="Репин",
        given_names_cyrillic="Илья",
    )
    assert _cyrillic_line(front_desk_client, stay) == "Репин Илья"


def test_a_latin_name_without_a_cyrillic_form_shows_a_dash(front_desk_client):
    stay = make_guest(make_reservation(), "MUELLER", given_names="HANS")
    assert _cyrillic_line(front_desk_client, stay) == "—"
