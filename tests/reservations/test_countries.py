"""One list of country codes: ISO 3166-1 alpha-3 plus the ICAO special codes."""

import pytest
from django.core.exceptions import ValidationError

from reservations.countries import ICAO_SPECIAL_CODES, NATIONALITY_STATUS_CHOICES
from reservations.validators import validate_country_code


@pytest.mark.parametrize("code", sorted(ICAO_SPECIAL_CODES) + ["RUS", "deu", ""])
def test_country_codes_accepted(code):
    validate_country_code(code)


@pytest.mark.parametrize("code", ["D", "ZZZ", "UTO", "RU"])
def test_other_codes_refused(code):
    with pytest.raises(ValidationError):
        validate_country_code(code)


def test_status_choices_come_from_the_list():
    assert {code for code, _label in NATIONALITY_STATUS_CHOICES} <= ICAO_SPECIAL_CODES


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("USA", "Соединённые Штаты"),  # iso-codes: "Соединённые штаты"
        ("DOM", "Доминиканская Республика"),
        ("CAF", "Центральноафриканская Республика"),
        ("GBR", "Соединённое Королевство"),
        ("ARE", "Объединённые Арабские Эмираты"),
        ("KOR", "Республика Корея"),
    ],
)
def test_russian_names_capitalise_the_states_name(code, name):
    from django.utils import translation

    from reservations.countries import country_name

    with translation.override("ru"):
        assert country_name(code) == name
