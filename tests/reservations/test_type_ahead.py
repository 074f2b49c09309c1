"""Issue 12, section 4: countries typed ahead over one shared list (codes
submitted, codes validated), dates typed as дд.мм.гггг in Russian (the
English locale's format in English, ISO in the API)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reservations import countries
from reservations.countries import ALPHA3, code_for_text, country_datalist
from reservations.models import IdentityDocument, Person
from tests.factories import make_guest, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _guest_url(stay):
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


@pytest.fixture
def foreigner():
    stay = make_guest(
        make_reservation(), surname="Мюллер", citizenship="DEU", country="DEU"
    )
    IdentityDocument.objects.create(
        person=stay.person,
        kind="national_passport",
        number="C01X00T47",
        issuing_country="DEU",
        expiry_date=dt.date(2031, 5, 14),
    )
    return stay


def _post(client, stay, values: dict):
    """The guest page as rendered, with ``values`` changed, saved."""
    data = form_data(client.get(_guest_url(stay)).content.decode(), "guest-form")
    data.update({**values, "_save": "1"})
    return client.post(_guest_url(stay), data)


# --- Countries -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Рос", "RUS", "rus", "Russia", "Россия", "Russian Federation", "россий"]
)
def test_russia_is_found_by_its_russian_or_english_name_or_code(typed):
    assert code_for_text(typed, ALPHA3) == "RUS"


@pytest.mark.parametrize("typed", ["UTO", "ZZZ", "Ge", "Нарния"])
def test_unknown_or_ambiguous_text_finds_nothing(typed):
    assert code_for_text(typed, ALPHA3) is None


def test_the_shared_list_offers_russia_by_every_name_with_the_code_as_value():
    options = dict(
        re.findall(r'<option value="([^"]+)">([^<]*)</option>', country_datalist())
    )
    assert len(options) == len(ALPHA3) + 3  # the countries and three statuses
    assert (
        "Рос" in options["RUS"]
        and "Russia" in options["RUS"]
        and "(RUS)" in options["RUS"]
    )
    assert "XXA" in options  # stateless, for a citizenship


def test_the_list_is_built_once_per_language():
    assert country_datalist() is country_datalist()
    with translation.override("en"):
        english = country_datalist()
    assert english is not country_datalist()
    assert '<option value="DEU">Germany (DEU)' in english
    assert '<option value="DEU">Германия (DEU)' in country_datalist()
    assert countries._datalist.cache_info().currsize == 2  # ru, en


def test_the_guest_page_renders_one_list_and_no_country_select(
    front_desk_client, foreigner
):
    page = front_desk_client.get(_guest_url(foreigner)).content.decode()
    assert page.count("<datalist") == 1
    inputs = re.findall(
        r'<input type="text" name="([^"]+)"[^>]*list="country-codes"', page
    )
    # citizenship, country, and the issuing country of each document and visa row
    assert {
        "person-citizenship",
        "person-country",
        "documents-0-issuing_country",
    } <= set(inputs)
    # The only options before the list are the few of the sex, kinds and
    # entries selects, not 16 x 250 countries.
    assert page.split("<datalist")[0].count("<option") < 40


def test_a_filled_field_shows_the_code_and_its_name(front_desk_client, foreigner):
    page = front_desk_client.get(_guest_url(foreigner)).content.decode()
    field = re.search(
        r'name="person-citizenship" value="DEU"[^>]*>(<small[^>]*>[^<]*</small>)', page
    )
    assert field and "Германия" in field.group(1)


def test_a_name_typed_is_saved_as_its_code(front_desk_client, foreigner):
    response = _post(
        front_desk_client,
        foreigner,
        {
            "person-citizenship": "Russia",
            "person-country": "Казахстан (KAZ)",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=foreigner.person_id)
    assert (person.citizenship, person.country) == ("RUS", "KAZ")


def test_an_unknown_country_is_refused_and_nothing_saved(front_desk_client, foreigner):
    response = _post(front_desk_client, foreigner, {"person-citizenship": "UTO"})
    assert response.status_code == 200
    assert "Неизвестная страна «UTO»" in response.content.decode()
    assert Person.objects.get(pk=foreigner.person_id).citizenship == "DEU"


def test_a_country_must_not_be_a_nationality_status(front_desk_client, foreigner):
    page = _post(
        front_desk_client,
        foreigner,
        {"person-country": "XXA", "person-citizenship": "XXA"},
    ).content.decode()
    assert "Неизвестная страна «XXA»" in page  # the country; the citizenship may be
    assert page.count("Неизвестная страна") == 1


def test_a_stored_code_outside_the_list_survives_an_untouched_save(
    front_desk_client, foreigner
):
    Person.objects.filter(pk=foreigner.person_id).update(citizenship="D<<")
    assert (
        _post(
            front_desk_client, foreigner, {"person-phone": "+79123456789"}
        ).status_code
        == 302
    )
    assert Person.objects.get(pk=foreigner.person_id).citizenship == "D<<"


def test_the_name_beside_the_input_follows_what_is_typed(front_desk_client):
    url = reverse("reservations:country_name")
    assert front_desk_client.get(
        url, {"person-citizenship": "Russia"}
    ).content.decode() == ("Российская Федерация")
    assert (
        front_desk_client.get(url, {"x": "UTO"}).content.decode()
        == "неизвестная страна"
    )
    assert front_desk_client.get(url, {"x": ""}).content.decode() == ""
    assert Client().get(url, {"x": "RUS"}).status_code == 302  # login first


# --- Dates -----------------------------------------------------------------------


def test_dates_are_shown_as_russians_write_them(front_desk_client, foreigner):
    page = front_desk_client.get(_guest_url(foreigner)).content.decode()
    expiry = re.search(
        r'<input type="text" name="documents-0-expiry_date"[^>]*>', page
    ).group(0)
    assert 'value="14.05.2031"' in expiry
    assert 'placeholder="дд.мм.гггг"' in expiry and 'inputmode="numeric"' in expiry
    assert 'type="date"' not in page


def test_english_shows_the_english_locales_format(front_desk_client, foreigner):
    front_desk_client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = front_desk_client.get(_guest_url(foreigner), HTTP_ACCEPT_LANGUAGE="en")
    expiry = re.search(
        r'<input type="text" name="documents-0-expiry_date"[^>]*>',
        page.content.decode(),
    ).group(0)
    assert 'value="05/14/2031"' in expiry and 'placeholder="mm/dd/yyyy"' in expiry


@pytest.mark.parametrize("typed", ["05.08.1985", "05081985", "5.8.85", "1985-08-05"])
def test_a_date_typed_in_any_accepted_form_is_saved(
    front_desk_client, foreigner, typed
):
    assert (
        _post(front_desk_client, foreigner, {"person-birth_date": typed}).status_code
        == 302
    )
    assert Person.objects.get(pk=foreigner.person_id).birth_date == dt.date(1985, 8, 5)


def test_the_date_rules_still_apply_to_typed_dates(front_desk_client, foreigner):
    response = _post(front_desk_client, foreigner, {"person-birth_date": "01.01.1899"})
    assert response.status_code == 200
    assert Person.objects.get(pk=foreigner.person_id).birth_date is None


def test_the_api_speaks_iso_only(api_front_desk, foreigner):
    url = f"/api/v1/persons/{foreigner.person_id}/"
    assert (
        api_front_desk.patch(
            url, {"birth_date": "05.08.1985"}, format="json"
        ).status_code
        == 400
    )
    response = api_front_desk.patch(url, {"birth_date": "1985-08-05"}, format="json")
    assert response.status_code == 200 and response.json()["birth_date"] == "1985-08-05"
