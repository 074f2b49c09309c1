import pytest
from django.core.exceptions import ValidationError

from legal_entities.validators import inn_is_valid, ogrn_is_valid, validate_kpp
from pms.masking import mask_text
from reservations.models import Person

from ..factories import make_guest, make_reservation


def test_inn_and_ogrn_check_digits():
    assert inn_is_valid("7707083893")
    assert not inn_is_valid("7707083894")
    assert inn_is_valid("500100732259")
    assert not inn_is_valid("500100732258")
    assert ogrn_is_valid("1027700132195")
    assert not ogrn_is_valid("1027700132194")


@pytest.mark.parametrize(
    "ogrnip", ["304500000000010", "304500000000021", "304500000000032"]
)
def test_ogrnip_check_digit_is_lowest_digit_of_remainder(ogrnip):
    # Remainders mod 13 of 10, 11, 12: plain stdnum.ru.ogrn.is_valid refuses them.
    assert ogrn_is_valid(ogrnip)
    assert not ogrn_is_valid(ogrnip[:-1] + str((int(ogrnip[-1]) + 1) % 10))


@pytest.mark.parametrize(
    ("kpp", "valid"),
    [
        ("770701001", True),
        ("7707AB001", True),
        ("7707ab001", False),
        ("77070100", False),
        ("77O701001", False),
    ],
)
def test_kpp_format(kpp, valid):
    if valid:
        validate_kpp(kpp)
    else:
        with pytest.raises(ValidationError):
            validate_kpp(kpp)


def test_log_masking_hides_document_numbers():
    assert mask_text("passport 4510 123456 saved") == "passport ********56 saved"
    assert "person_id=160848" in mask_text("person_id=160848")


def test_anonymous_is_sent_to_login(client):
    response = client.get("/reservations/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_person_id_survives_reservation_deletion():
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Иванов")
    person_id = stay.person_id
    reservation.delete()
    assert Person.objects.get(pk=person_id).surname == "Иванов"
    second = make_guest(make_reservation(), surname="Петров")
    assert second.person_id > person_id


@pytest.mark.django_db
def test_pages_are_russian_until_the_switcher_says_english(front_desk_client):
    page = front_desk_client.get("/reservations/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Заявки" in page.content.decode()
    front_desk_client.post("/i18n/setlang/", {"language": "en", "next": "/reservations/"})
    page = front_desk_client.get("/reservations/")
    assert "Reservations" in page.content.decode()
    assert "Заявки" not in page.content.decode()
