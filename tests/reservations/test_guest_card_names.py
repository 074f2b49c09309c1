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


def test_a_part_emis_did_not_send_falls_back_to_what_staff_typed(front_desk_client):
    # EMIS filled the Cyrillic surname and given names, no patronymic: the
    # one the clerk typed stays on the line, as in the heading and the form.
    stay = make_guest(
        make_reservation(),
        "Петров",
        given_names="Иван",
        patronymic="Петрович",
        surname_cyrillic="Петров",
        given_names_cyrillic="Иван",
    )
    assert _cyrillic_line(front_desk_client, stay) == "Петров Иван Петрович"


def test_a_latin_main_part_is_not_put_on_the_cyrillic_line(front_desk_client):
    stay = make_guest(
        make_reservation(), "MUELLER", given_names="HANS", surname_cyrillic="Мюллер"
    )
    assert _cyrillic_line(front_desk_client, stay) == "Мюллер"


def _latin_line(client, stay) -> str:
    page = client.get(stay.get_absolute_url()).content.decode()
    return re.search(r"<dd data-name-latin>(.*?)</dd>", page, re.S).group(1).strip()


def test_the_latin_line_is_the_stored_latin_parts_only(front_desk_client):
    # As in the document: no surname there is no "—" before the given names,
    # and the patronymic staff typed in Cyrillic is not put on it.
    stay = make_guest(
        make_reservation(),
        "Петров",
        given_names="Иван",
        patronymic="Петрович",
        given_names_latin="IVAN",
    )
    assert _latin_line(front_desk_client, stay) == "IVAN"
    bare = make_guest(make_reservation(), "Сидоров")
    assert _latin_line(front_desk_client, bare) == "—"
