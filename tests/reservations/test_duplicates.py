"""Possible duplicate persons: another person holds a document of the same
kind, issuing country and number (reservations/duplicates.py), on the
guest card, the Гости tab and GET /api/v1/persons/{id}/duplicates/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emis.apply import person_apply_documents
from emis.payload import parse_person
from reservations.duplicates import person_duplicates
from reservations.models import IdentityDocument
from tests.emis.conftest import russian
from tests.factories import make_guest, make_legal_entity, make_person, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _doc(person, kind="passport_rf", series="4510", number="123456", country="RUS"):
    return IdentityDocument.objects.create(
        person=person, kind=kind, series=series, number=number, issuing_country=country
    )


def _guest_url(stay):
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def _other_ids(person):
    return [d.person.pk for d in person_duplicates(person.pk)]


def test_same_kind_country_and_number_marks_both_persons():
    a, b, c = make_person("Репин"), make_person("Repin"), make_person("Другой")
    _doc(a)
    _doc(b)
    _doc(c, number="654321")
    assert _other_ids(a) == [b.pk]
    assert _other_ids(b) == [a.pk]
    assert _other_ids(c) == []
    (match,) = person_duplicates(a.pk)[0].matches
    assert (match.kind, match.issuing_country) == ("passport_rf", "RUS")
    assert match.label == "passport_rf 4510 ****56"  # why, never the number
    assert match.title == "Паспорт гражданина РФ ********56"


def test_series_and_number_are_one_key_whatever_the_spacing():
    # Staff type the whole "45 10 123456" in the number; EMIS splits it.
    typed, scanned = make_person("Репин"), make_person("Repin")
    _doc(typed, series="", number="45 10 123456")
    _doc(scanned, series="4510", number="123456")
    assert _other_ids(typed) == [scanned.pk]


def test_an_unknown_country_matches_but_another_country_or_kind_does_not():
    a, blank, other_country, other_kind = (make_person(str(i)) for i in range(4))
    _doc(a, kind="national_passport", series="", number="C01X00T47", country="DEU")
    _doc(blank, kind="national_passport", series="", number="c01x00t47", country="")
    _doc(
        other_country,
        kind="national_passport",
        series="",
        number="C01X00T47",
        country="AUT",
    )
    _doc(other_kind, kind="id_card", series="", number="C01X00T47", country="DEU")
    assert _other_ids(a) == [blank.pk]
    assert _other_ids(other_country) == [blank.pk]


def test_a_different_series_is_a_different_passport():
    a, b = make_person("А"), make_person("Б")
    _doc(a, series="4510")
    _doc(b, series="4511")
    assert _other_ids(a) == []


def test_staff_saving_a_document_another_guest_holds_shows_on_both_cards(
    front_desk_client,
):
    first = make_guest(make_reservation(), surname="Репин")
    _doc(first.person)
    second = make_guest(make_reservation(), surname="Репин")
    data = form_data(
        front_desk_client.get(_guest_url(second)).content.decode(), "guest-form"
    )
    data.update(
        {
            "documents-0-kind": "passport_rf",
            "documents-0-series": "4510",
            "documents-0-number": "123 456",
            "documents-0-issuing_country": "RUS",
        }
    )
    assert front_desk_client.post(_guest_url(second), data).status_code == 302

    page = front_desk_client.get(_guest_url(second)).content.decode()
    notice = page.split('class="card msg msg-warning duplicates"')[1].split(
        "</section>"
    )[0]
    assert f"Возможно, это тот же гость: ID персоны {first.person_id}" in notice
    # masked; "123 456" is stored as "123456" (reservations/rules.py)
    assert "тот же документ: Паспорт гражданина РФ ********56" in notice
    assert "Объединить…" not in notice  # front desk: no merge action
    other = front_desk_client.get(_guest_url(first)).content.decode()
    assert f"Возможно, это тот же гость: ID персоны {second.person_id}" in other


def test_emis_delivering_a_document_another_person_holds_marks_both():
    le = make_legal_entity()
    typed = make_guest(make_reservation(le), surname="Крупкин").person
    _doc(typed, number="123456")  # the example's passport, typed by staff
    scanned = make_guest(make_reservation(le), surname="Krupkin").person
    person_apply_documents(
        person_id=scanned.pk,
        legal_entity_id=le.pk,
        data=parse_person(russian(scanned.pk)),
        source="webhook",
    )
    assert _other_ids(scanned) == [typed.pk]
    assert _other_ids(typed) == [scanned.pk]


def test_admin_gets_the_merge_action_newer_into_older(admin_client_):
    older = make_guest(make_reservation(), surname="Репин")
    newer = make_guest(make_reservation(), surname="Репин")
    _doc(older.person)
    _doc(newer.person)
    merge = reverse("reservations:person_merge", args=[newer.person_id])
    expected = f'href="{merge}?into={older.person_id}"'
    for stay in (older, newer):  # the same action from either card
        page = admin_client_.get(_guest_url(stay)).content.decode()
        assert "Объединить…" in page and expected in page


def _tab(client, reservation):
    url = reverse("reservations:card", args=[reservation.pk])
    return client.get(url, {"tab": "guests"})


def test_guests_tab_marks_possible_duplicates(front_desk_client):
    reservation = make_reservation()
    marked = make_guest(reservation, surname="Репин")
    make_guest(reservation, surname="Серов")
    _doc(marked.person)
    elsewhere = make_person("Repin")
    _doc(elsewhere)
    page = _tab(front_desk_client, reservation).content.decode()
    assert page.count('data-code="possible_duplicate"') == 1
    assert f"Возможно, это тот же гость: ID персоны {elsewhere.pk}" in page


def _tab_queries(client, guests: int) -> int:
    reservation = make_reservation()
    for n in range(guests):
        stay = make_guest(reservation, surname=f"Гость{n}")
        number = f"{reservation.pk}-{n}"
        _doc(stay.person, number=number)
        _doc(make_person(f"Двойник{n}"), number=number)  # each has a twin
    with CaptureQueriesContext(connection) as ctx:
        response = _tab(client, reservation)
    assert response.content.decode().count('data-code="possible_duplicate"') == guests
    return len(ctx.captured_queries)


def test_the_duplicate_lookup_does_not_add_a_query_per_guest(front_desk_client):
    _tab_queries(front_desk_client, 1)  # warm up session/user caches
    assert _tab_queries(front_desk_client, 1) == _tab_queries(front_desk_client, 40)


def _twins_inside_tab_queries(client, pairs: int) -> int:
    """Twins who are guests of the same reservation: each names the other."""
    reservation = make_reservation()
    for n in range(pairs):
        for surname in (f"Гость{n}", f"Двойник{n}"):
            _doc(
                make_guest(reservation, surname=surname).person,
                number=f"{reservation.pk}-{n}",
            )
    with CaptureQueriesContext(connection) as ctx:
        page = _tab(client, reservation).content.decode()
    assert page.count('data-code="possible_duplicate"') == 2 * pairs
    return len(ctx.captured_queries)


def test_twins_in_the_same_reservation_add_no_query_either(front_desk_client):
    _twins_inside_tab_queries(front_desk_client, 1)  # warm up
    assert _twins_inside_tab_queries(front_desk_client, 1) == (
        _twins_inside_tab_queries(front_desk_client, 10)
    )


def test_duplicates_api_lists_candidates_with_why(api_front_desk):
    a, b = make_person("Репин"), make_person("Repin", birth_date="1985-04-12")
    mine, theirs = _doc(a), _doc(b)
    response = api_front_desk.get(f"/api/v1/persons/{a.pk}/duplicates/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "person_id": b.pk,
            "full_name": "Repin",
            "birth_date": "1985-04-12",
            "matches": [
                {
                    "kind": "passport_rf",
                    "issuing_country": "RUS",
                    "document": "passport_rf 4510 ****56",
                    "document_id": mine.pk,
                    "their_document_id": theirs.pk,
                }
            ],
        }
    ]
    assert api_front_desk.get("/api/v1/persons/999999/duplicates/").status_code == 404


def test_duplicates_api_is_for_front_desk(api_support, api_anonymous):
    person = make_person()
    assert (
        api_support.get(f"/api/v1/persons/{person.pk}/duplicates/").status_code == 403
    )
    assert (
        api_anonymous.get(f"/api/v1/persons/{person.pk}/duplicates/").status_code == 401
    )


def test_hidden_characters_of_older_rows_do_not_hide_a_duplicate():
    """Rows stored before the staff rules refused them (soft hyphen, a
    joiner, a bidi mark) are still the same document."""
    from reservations.document_key import number_key

    a, b, c = make_person("Ремарк"), make_person("Remarque"), make_person("Другой")
    _doc(a, kind="national_passport", series="", number="C01X00T47", country="DEU")
    old = _doc(
        b,
        kind="national_passport",
        series="",
        number="C01X\u00ad00\u200dT47\u200e",
        country="DEU",
    )
    _doc(c, kind="national_passport", series="", number="C01X\u3164", country="DEU")
    assert _other_ids(a) == [b.pk]
    assert _other_ids(c) == []
    old.refresh_from_db()
    assert old.number_key == number_key(old.series, old.number) == "C01X00T47"
