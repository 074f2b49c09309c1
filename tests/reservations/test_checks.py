"""Document checks of a stay: every code, boundary dates, no queries."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import translation

from reservations.checks import reservation_readiness, stay_warnings
from reservations.models import IdentityDocument, MigrationCard, Stay, Visa
from reservations.selectors import stay_detail
from reservations.services import stay_create

from ..factories import make_person, make_reservation

pytestmark = pytest.mark.django_db

D = dt.date
EXAMPLE = Path(__file__).with_name("person-foreigner-two-visas.json")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def stay_for(person, start=D(2026, 11, 27), end=D(2026, 11, 30)) -> Stay:
    reservation = make_reservation(arrival=start, departure=end)
    stay = stay_create(reservation=reservation, person=person)
    # As the guest card reads it: the checks below then make no query.
    return stay_detail(reservation_id=reservation.pk, stay_id=stay.pk)


def codes(stay) -> list[str]:
    return [w.code for w in stay_warnings(stay)]


def passport(person, expiry, kind="passport_rf", number="123456"):
    return IdentityDocument.objects.create(
        person=person, kind=kind, number=number, expiry_date=expiry
    )


def russian():
    return make_person(citizenship="RUS")


def foreigner(citizenship="SWE", **values):
    person = make_person(surname="Eriksson", citizenship=citizenship, **values)
    passport(person, D(2032, 4, 15), kind="national_passport")
    return person


def add_visa(person, start, end, category="tourist", number="1"):
    return Visa.objects.create(
        person=person, number=number, category=category, valid_from=start, valid_to=end
    )


def add_migration_card(person):
    return MigrationCard.objects.create(person=person, number="1234567")


# --- Identity documents -------------------------------------------------------


def test_valid_russian_passport_gives_no_warning():
    person = russian()
    passport(person, None)
    assert stay_warnings(stay_for(person)) == []


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        (D(2026, 11, 26), ["document_expired"]),  # the day before arrival
        (D(2026, 11, 27), ["document_expires_during_stay"]),  # arrival day
        (D(2026, 11, 29), ["document_expires_during_stay"]),  # the day before departure
        (D(2026, 11, 30), []),  # valid through the departure day
        (None, []),
    ],
)
def test_expiry_boundaries(expiry, expected):
    person = russian()
    passport(person, expiry, kind="foreign_passport_rf")
    assert codes(stay_for(person)) == expected


def test_expired_message_names_the_document_and_date():
    # Dates in the language's short format: m/d/Y in English, дд.мм.гггг in Russian.
    person = russian()
    passport(person, D(2026, 3, 12), kind="foreign_passport_rf")
    (warning,) = stay_warnings(stay_for(person))
    assert warning.message == (
        "Russian international passport expired on 03/12/2026, before arrival"
    )
    with translation.override("ru"):
        (ru,) = stay_warnings(stay_for(person))
    assert ru.code == "document_expired"
    assert "12.03.2026" in ru.message


def test_expires_during_stay_message():
    person = russian()
    passport(person, D(2026, 11, 28), kind="foreign_passport_rf")
    (warning,) = stay_warnings(stay_for(person))
    assert "11/28/2026" in warning.message and "11/30/2026" in warning.message


def test_one_valid_document_among_expired_ones_is_enough():
    person = russian()
    passport(person, D(2020, 1, 1), kind="foreign_passport_rf", number="1")
    passport(person, None, number="2")
    assert codes(stay_for(person)) == []


def test_all_expired_names_the_latest_document():
    person = russian()
    passport(person, D(2020, 1, 1), kind="birth_certificate", number="1")
    passport(person, D(2025, 5, 5), kind="foreign_passport_rf", number="2")
    (warning,) = stay_warnings(stay_for(person))
    assert warning.code == "document_expired"
    assert "05/05/2025" in warning.message
    assert "international passport" in warning.message


def test_a_person_without_documents_is_told_so_and_not_ready():
    stay = stay_for(russian())
    (warning,) = stay_warnings(stay)
    assert warning.code == "no_identity_document"
    assert warning.message == "No identity document on file"
    assert reservation_readiness([stay]) == (0, 1)


def test_no_identity_document_comes_first_for_a_foreigner():
    person = make_person(surname="Eriksson", citizenship="SWE")
    assert codes(stay_for(person)) == [
        "no_identity_document",
        "visa_not_valid_for_stay",
        "migration_card_missing",
    ]


# --- Visas --------------------------------------------------------------------


def example_person():
    """The contract's worked example: a Swede with two visas."""
    data = json.loads(EXAMPLE.read_text())
    person = make_person(surname="Eriksson", citizenship=data["citizenship"])
    for doc in data["documents"]:
        IdentityDocument.objects.create(
            person=person,
            kind=doc["kind"],
            number=doc["number"],
            expiry_date=D.fromisoformat(doc["expiry_date"]),
        )
    for visa in data["visas"]:
        add_visa(
            person,
            D.fromisoformat(visa["valid_from"]),
            D.fromisoformat(visa["valid_to"]),
            category=visa["category"],
            number=visa["number"],
        )
    add_migration_card(person)
    return person


def test_two_visas_one_covering_the_stay():
    assert codes(stay_for(example_person(), D(2026, 11, 27), D(2026, 11, 30))) == []


def test_two_visas_none_covering_names_them():
    stay = stay_for(example_person(), D(2025, 7, 10), D(2025, 7, 15))
    (warning,) = stay_warnings(stay)
    assert warning.code == "visa_not_valid_for_stay"
    assert "07/10/2025–07/15/2025" in warning.message
    # The closest visa comes first.
    first = warning.message.index("06/01/2025–06/30/2025 (tourist)")
    second = warning.message.index("11/01/2026–10/31/2027 (business)")
    assert first < second


@pytest.mark.parametrize(
    ("start", "end", "covered"),
    [
        (D(2026, 11, 1), D(2026, 11, 30), True),  # exactly the visa
        (D(2026, 10, 31), D(2026, 11, 5), False),  # arrives a day early
        (D(2026, 11, 25), D(2026, 12, 1), False),  # leaves a day late
    ],
)
def test_visa_boundaries(start, end, covered):
    person = foreigner()
    add_migration_card(person)
    add_visa(person, D(2026, 11, 1), D(2026, 11, 30))
    assert (codes(stay_for(person, start, end)) == []) is covered


def test_no_visa_at_all():
    person = foreigner()
    add_migration_card(person)
    (warning,) = stay_warnings(stay_for(person))
    assert warning.code == "visa_not_valid_for_stay"
    assert "No visa on file" in warning.message


def test_a_visa_without_end_date_proves_nothing():
    person = foreigner()
    add_migration_card(person)
    add_visa(person, D(2026, 1, 1), None)
    assert codes(stay_for(person)) == ["visa_not_valid_for_stay"]


@pytest.mark.parametrize("citizenship", ["KAZ", "BLR", "UZB", "ARM"])
def test_visa_free_states_need_no_visa(citizenship):
    person = foreigner(citizenship)
    add_migration_card(person)
    assert "visa_not_valid_for_stay" not in codes(stay_for(person))


@pytest.mark.parametrize("citizenship", ["XXA", "XXB"])
def test_stateless_and_refugees_need_papers(citizenship):
    person = foreigner(citizenship)
    assert codes(stay_for(person)) == [
        "visa_not_valid_for_stay",
        "migration_card_missing",
    ]


def test_russians_and_unknown_citizenship_need_no_visa_or_card():
    person = russian()
    passport(person, None)
    assert codes(stay_for(person)) == []
    # No visa or card asked for, but the open question is said, and blocks.
    unknown = make_person(citizenship="")
    passport(unknown, None)
    stay = stay_for(unknown)
    assert codes(stay) == ["citizenship_unknown"]
    assert reservation_readiness([stay]) == (0, 1)


def test_a_residence_permit_replaces_visa_and_migration_card():
    person = foreigner()
    passport(person, D(2028, 1, 1), kind="residence_permit", number="82 1234567")
    assert codes(stay_for(person)) == []


def test_an_expiring_residence_permit_does_not():
    person = foreigner()
    passport(person, D(2026, 11, 28), kind="temporary_residence_permit", number="9")
    assert codes(stay_for(person)) == [
        "visa_not_valid_for_stay",
        "migration_card_missing",
    ]


# --- Migration card -----------------------------------------------------------


def test_migration_card_missing():
    person = foreigner()
    add_visa(person, D(2026, 11, 1), D(2026, 12, 31))
    (warning,) = stay_warnings(stay_for(person))
    assert warning.code == "migration_card_missing"
    assert warning.message == "No migration card on file"


def test_belarus_needs_no_migration_card():
    assert codes(stay_for(foreigner("BLR"))) == []


def test_kazakhstan_needs_a_migration_card_but_no_visa():
    assert codes(stay_for(foreigner("KAZ"))) == ["migration_card_missing"]


@pytest.mark.parametrize(
    ("valid_to", "expected"),
    [
        (None, []),  # no end date known: nothing to say
        (D(2026, 11, 30), []),  # valid through the day of departure
        (D(2026, 12, 31), []),
        (D(2026, 11, 29), ["migration_card_expires_during_stay"]),
        (D(2026, 11, 1), ["migration_card_expires_during_stay"]),  # before arrival
    ],
)
def test_migration_card_validity_against_departure(valid_to, expected):
    person = foreigner("KAZ")
    MigrationCard.objects.create(person=person, number="0001", valid_to=valid_to)
    assert codes(stay_for(person, D(2026, 11, 27), D(2026, 11, 30))) == expected


def test_migration_card_expiry_message_names_both_dates():
    person = foreigner("KAZ")
    MigrationCard.objects.create(person=person, number="1", valid_to=D(2026, 11, 29))
    (warning,) = stay_warnings(stay_for(person, D(2026, 11, 27), D(2026, 11, 30)))
    assert warning.message == (
        "The migration card is valid until 11/29/2026, before departure (11/30/2026)"
    )
    assert reservation_readiness([stay_for(person)]) == (0, 1)


# --- Names and readiness ------------------------------------------------------


def test_transliterated_name_is_flagged_with_its_parts():
    person = russian()
    passport(person, None)
    person.transliterated_parts = ["given_names", "surname"]
    person.save()
    (warning,) = stay_warnings(stay_for(person))
    assert warning.code == "name_transliterated"
    assert warning.message.endswith(": surname, given names")
    assert warning.as_dict()["code"] == "name_transliterated"


def test_unknown_parts_are_ignored():
    person = russian()
    passport(person, None)
    person.transliterated_parts = ["nickname"]
    person.save()
    assert codes(stay_for(person)) == []


def test_every_check_reads_only_prefetched_data(django_assert_num_queries):
    person = example_person()
    person.transliterated_parts = ["surname"]
    person.save()
    no_card = foreigner()
    stays = [
        stay_for(person, D(2025, 7, 10), D(2025, 7, 15)),
        stay_for(no_card),
        stay_for(russian()),
    ]
    with django_assert_num_queries(0):
        found = [codes(stay) for stay in stays]
        readiness = reservation_readiness(stays)
    assert found == [
        ["visa_not_valid_for_stay", "name_transliterated"],
        ["visa_not_valid_for_stay", "migration_card_missing"],
        ["no_identity_document"],
    ]
    # The Russian has no document at all: not ready either.
    assert readiness == (0, 3)


def test_readiness_ignores_only_the_name_warning():
    clean = russian()
    passport(clean, None)
    flagged = russian()
    passport(flagged, None, number="2")
    flagged.transliterated_parts = ["surname"]
    flagged.save()
    expired = russian()
    passport(expired, D(2020, 1, 1), number="3")
    stays = [stay_for(p) for p in (clean, flagged, expired)]
    assert reservation_readiness(stays) == (2, 3)
