"""``reservations.rules``: each staff rule, the Russian passport's accepted
forms, and what the rules do not reach (values a write leaves as stored,
EMIS data, the name policy's re-apply)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from emis.apply import person_apply_documents
from emis.payload import parse_person
from reservations import rules
from reservations.models import IdentityDocument, Person, PersonChange, Visa
from reservations.services import person_update
from tests.factories import make_guest, make_legal_entity, make_reservation
from tests.support.formdata import form_data
from tests.support.sandbox import sample_foreigner, sample_person


def _codes(check, value) -> list[str]:
    try:
        check(value)
    except ValidationError as exc:
        return [error.code for error in exc.error_list]
    return []


@pytest.mark.parametrize(
    "name",
    [
        "WANG LI",  # Latin only: what a foreign passport gives
        "Ван Ли",
        "O'Brien-Smith",
        "D’ARTAGNAN",
        "Müller",
        "محمد",  # Arabic: right-to-left by itself, no control needed
        "می\u200cخواهم",  # Persian with a zero-width non-joiner between letters
        "李",
        "",  # blank: the field's own business
    ],
)
def test_real_names_pass(name):
    assert _codes(rules.check_name, name) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("123", "no_letter"),
        ("-", "no_letter"),
        ("\u200b", "invisible"),
        ("\u200b \u2060\ufeff", "invisible"),
        ("Ив\u202eан", "bidi"),
        ("\u200fИван", "bidi"),
        ("Иван\u2066", "bidi"),
        ("\u061cمحمد", "bidi"),
    ],
)
def test_names_without_a_letter_or_with_a_bidi_control_are_refused(name, code):
    assert _codes(rules.check_name, name) == [code]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("ГОР. МОСКВА", []),
        ("", []),
        ("می\u200cخواهم", []),  # a Persian place: ZWNJ between letters
        ("Моск\u202eва", ["bidi"]),
        ("ГОР.\u200bМОСКВА", ["zero_width"]),
        ("\ufeffМОСКВА", ["zero_width"]),
        ("\u200b\u2060", ["invisible"]),
        ("  ", ["invisible"]),
        ("ГОР.\u00adМОСКВА", ["hidden"]),  # soft hyphen
        ("ГОР.\u2062МОСКВА", ["hidden"]),  # invisible times
        ("МОСКВА\U000e0001", ["hidden"]),  # a tag character
        ("МО\u034fСКВА", ["hidden"]),  # combining grapheme joiner
        ("\u3164", ["invisible"]),  # a Hangul filler alone looks blank
        ("Кафе ☕\ufe0f", []),  # a variation selector draws the emoji
    ],
)
def test_free_text_refuses_bidi_controls_and_stray_zero_width_characters(text, codes):
    assert _codes(rules.check_text, text) == codes


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("\u3164", ["invisible"]),
        ("\u115f\u1160", ["invisible"]),
        ("Ан\u00adна", ["hidden"]),
        ("Ra\u200dm", []),  # a joiner stays allowed in a name
    ],
)
def test_a_name_needs_a_visible_letter_and_no_hidden_character(name, codes):
    assert _codes(rules.check_name, name) == codes


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("C01X00T47", []),
        ("L898902C3<", []),
        ("25 1111111", []),
        ("C01X\u200dT47", ["hidden"]),
        ("C01X\u200cT47", ["hidden"]),
        ("C01X\u00adT47", ["hidden"]),
    ],
)
def test_a_number_holds_no_invisible_character_not_even_a_joiner(value, codes):
    assert _codes(rules.check_code, value) == codes


def test_the_duplicate_key_skips_invisible_characters_of_old_data():
    from reservations.document_key import number_key

    assert number_key("", "C01X\u00ad00\u200dT47\U000e0041") == "C01X00T47"
    assert number_key("45 10", "123456") == "4510123456"


def test_the_date_limits_are_inclusive():
    for value in (rules.MIN_DATE, rules.MAX_DATE):
        assert _codes(rules.check_date, value) == []
    for value in (dt.date(1899, 12, 31), dt.date(2101, 1, 1), dt.date(1, 1, 1)):
        assert _codes(rules.check_date, value) == ["date_range"]


def test_a_birth_date_from_1900_to_today():
    today = timezone.localdate()
    assert _codes(rules.check_birth_date, today) == []
    assert _codes(rules.check_birth_date, rules.MIN_DATE) == []
    for value in (today + dt.timedelta(days=1), dt.date(1899, 12, 31)):
        assert _codes(rules.check_birth_date, value) == ["birth_date"]


def test_a_note_of_at_most_2000_characters():
    assert rules.MAX_NOTE_LENGTH == 2000
    assert _codes(rules.check_note, "x" * 2000) == []
    assert _codes(rules.check_note, "x" * 2001) == ["note_length"]


@pytest.mark.parametrize(
    ("series", "number"),
    [
        ("4510", "123456"),
        ("45 10", "123456"),
        ("", "4510 123456"),
        ("", "4510123456"),
        ("", "45 10 123456"),
        (" 4510 ", " 123 456 "),
    ],
)
def test_the_usual_forms_of_a_russian_passport_are_stored_alike(series, number):
    assert rules.rf_passport(series, number) == ("4510", "123456")


@pytest.mark.parametrize(
    ("series", "number", "fields"),
    [
        ("", "123456", ["series"]),
        ("451", "123456", ["series"]),
        ("45AB", "123456", ["series"]),
        ("4510", "1234567", ["number"]),
        ("4510", "4510123456", ["number"]),
        ("", "451012345", ["series", "number"]),
        ("", "", ["series", "number"]),
        ("４５１０", "123456", ["series"]),  # full-width digits are not typed ones
    ],
)
def test_a_russian_passport_names_the_wrong_part(series, number, fields):
    with pytest.raises(ValidationError) as exc:
        rules.rf_passport(series, number)
    assert sorted(exc.value.error_dict) == sorted(fields)


# --- both writers normalise the passport alike ---------------------------------


FORMS = [
    ("4510", "123456"),
    ("45 10", "123456"),
    ("", "4510 123456"),
    ("", "4510123456"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("series", "number"), FORMS)
def test_the_card_stores_a_typed_passport_as_4_plus_6_digits(
    front_desk_client, series, number
):
    stay = make_guest(make_reservation())
    url = reverse("reservations:guest", args=[stay.reservation_id, stay.pk])
    data = form_data(front_desk_client.get(url).content.decode(), "guest-form")
    data.update(
        {
            "documents-0-kind": "passport_rf",
            "documents-0-series": series,
            "documents-0-number": number,
        }
    )
    assert front_desk_client.post(url, data).status_code == 302
    doc = IdentityDocument.objects.get()
    assert (doc.series, doc.number) == ("4510", "123456")
    history = PersonChange.objects.filter(entity="document")
    assert {(c.field, c.new_value) for c in history} >= {
        ("series", "4510"),
        ("number", "123456"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("series", "number"), FORMS)
def test_the_api_stores_a_typed_passport_as_4_plus_6_digits(
    api_front_desk, series, number
):
    stay = make_guest(make_reservation())
    url = f"/api/v1/persons/{stay.person_id}/"
    body = {"documents": [{"kind": "passport_rf", "series": series, "number": number}]}
    response = api_front_desk.patch(url, body, format="json")
    assert response.status_code == 200
    assert [(d["series"], d["number"]) for d in response.json()["documents"]] == [
        ("4510", "123456")
    ]


@pytest.mark.django_db
def test_a_passport_retyped_whole_in_the_number_changes_only_the_number(
    api_front_desk,
):
    stay = make_guest(make_reservation())
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", series="", number="4510000001"
    )
    url = f"/api/v1/persons/{stay.person_id}/"
    body = {"documents": [{"id": doc.pk, "number": "4510 123456"}]}
    assert api_front_desk.patch(url, body, format="json").status_code == 200
    doc.refresh_from_db()
    assert (doc.series, doc.number) == ("4510", "123456")
    changes = PersonChange.objects.filter(entity="document", entity_id=doc.pk)
    assert {(c.field, c.old_value, c.new_value) for c in changes} == {
        ("series", "", "4510"),
        ("number", "4510000001", "123456"),
    }


# --- what the rules do not reach ---------------------------------------------


def _emis_apply(person: Person, data: dict):
    return person_apply_documents(
        person_id=person.pk,
        legal_entity_id=make_legal_entity().pk,
        data=parse_person(data),
        source="webhook",
    )


def _odd_but_valid_emis_data(person_id: int) -> dict:
    """A payload the contract accepts that breaks every staff rule."""
    data = sample_foreigner(str(person_id), birth_date="1899-05-01")
    data["surname"] = {"cyrillic": None, "latin": "WANG"}
    data["given_names"] = {"cyrillic": None, "latin": "\u202eLI"}
    data["documents"] = [
        {
            "kind": "passport_rf",
            "series": None,
            "number": "AB-12",
            "issue_date": "2020-01-01",
            "expiry_date": "2019-01-01",
        }
    ]
    data["visas"][0].update(valid_from="2150-01-01", valid_to="2149-01-01")
    return data


@pytest.mark.django_db
def test_emis_data_is_not_held_to_the_staff_rules():
    person = make_guest(make_reservation(), surname="Ван").person
    assert _emis_apply(person, _odd_but_valid_emis_data(person.pk)).status == "applied"
    person.refresh_from_db()
    assert (person.birth_date, person.surname_latin) == (dt.date(1899, 5, 1), "WANG")
    assert person.documents.get().number == "AB-12"  # stored as EMIS sent it
    assert person.visas.filter(valid_from=dt.date(2150, 1, 1)).exists()


@pytest.mark.django_db
def test_a_latin_only_emis_name_passes_the_staff_rules():
    person = make_guest(make_reservation()).person
    data = sample_person(str(person.pk))
    data["surname"] = {"cyrillic": None, "latin": "WANG"}
    data["given_names"] = {"cyrillic": None, "latin": "LI"}
    data["patronymic"] = None
    _emis_apply(person, data)
    person = Person.objects.get(pk=person.pk)
    assert (person.surname_latin, person.given_names_latin) == ("WANG", "LI")
    for name in ("surname", "given_names", "surname_latin", "given_names_latin"):
        assert _codes(rules.check_name, getattr(person, name)) == []


@pytest.mark.django_db
def test_staff_edit_other_fields_of_what_emis_stored(front_desk_client, api_front_desk):
    """Values a write leaves as they are are not judged: EMIS stored an odd
    birth date, name and passport, and staff still change the phone, the
    issuer and a visa's category, by the card and by the API."""
    stay = make_guest(make_reservation(), surname="Ван")
    _emis_apply(stay.person, _odd_but_valid_emis_data(stay.person_id))
    url = reverse("reservations:guest", args=[stay.reservation_id, stay.pk])
    data = form_data(front_desk_client.get(url).content.decode(), "guest-form")
    data.update(
        {
            "person-phone": "+79123456789",
            "documents-0-issuer": "МВД",
            "visas-0-category": "business",
        }
    )
    response = front_desk_client.post(url, data)
    assert response.status_code == 302, response.context["forms"].person.errors

    doc = IdentityDocument.objects.get()
    visa = Visa.objects.get(valid_from=dt.date(2150, 1, 1))
    body = {
        "address": "Москва",
        "documents": [{"id": doc.pk, "issuer": "ФМС"}],
        "visas": [{"id": v.pk} for v in Visa.objects.exclude(pk=visa.pk)]
        + [{"id": visa.pk, "category": "tourist"}],
    }
    api = api_front_desk.patch(
        f"/api/v1/persons/{stay.person_id}/", body, format="json"
    )
    assert api.status_code == 200, api.json()
    person = Person.objects.get()
    assert (person.phone, person.address) == ("+79123456789", "Москва")
    assert person.birth_date == dt.date(1899, 5, 1)
    doc.refresh_from_db()
    visa.refresh_from_db()
    assert (doc.issuer, doc.number, visa.category) == ("ФМС", "AB-12", "tourist")

    # Changing the odd value itself is judged.
    body = {"documents": [{"id": doc.pk, "number": "AB-13"}]}
    refused = api_front_desk.patch(
        f"/api/v1/persons/{stay.person_id}/", body, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()["documents"]["0"]) == {"series", "number"}


@pytest.mark.django_db
def test_the_name_policy_re_apply_is_not_a_staff_write():
    """It rewrites names from EMIS data, which its contract checks: a name
    the staff rules refuse is still applied (by staff it is refused)."""
    person = make_guest(make_reservation()).person
    with pytest.raises(ValidationError) as exc:
        person_update(person_id=person.pk, values={"given_names": "\u202eLI"})
    assert list(exc.value.error_dict) == ["given_names"]
    person_update(
        person_id=person.pk,
        values={"given_names": "\u202eLI"},
        source=PersonChange.Source.POLICY,
    )
    assert Person.objects.get().given_names == "\u202eLI"


@pytest.mark.django_db
def test_a_conflict_can_be_decided_for_an_emis_value_the_staff_rules_refuse(
    api_front_desk,
):
    """Staff changed EMIS's birth date; EMIS sends another one a staff write
    could not set (before 1900): taking it is EMIS data, not a staff value."""
    person = make_guest(make_reservation()).person
    data = sample_person(str(person.pk), version=1, birth_date="1899-05-01")
    _emis_apply(person, data)
    url = f"/api/v1/persons/{person.pk}/"
    staff = api_front_desk.patch(url, {"birth_date": "1985-01-01"}, format="json")
    assert staff.status_code == 200
    _emis_apply(person, {**data, "version": 2, "birth_date": "1898-01-01"})

    answer = api_front_desk.post(
        f"{url}emis/conflicts/resolve/",
        {"keep": "emis", "field": "birth_date"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert Person.objects.get().birth_date == dt.date(1898, 1, 1)
    refused = api_front_desk.patch(url, {"birth_date": "1897-01-01"}, format="json")
    assert list(refused.json()) == ["birth_date"]  # a value of staff's own


@pytest.mark.django_db
def test_what_is_stored_is_known_after_a_save_and_a_refresh():
    """``writes`` compares with the database's values: read, saved or
    refreshed; a row never read is judged whole."""
    person = Person(surname="Репин", birth_date=dt.date(1890, 1, 1))
    with pytest.raises(ValidationError):
        person.full_clean()  # new: every value is the writer's
    person.save()  # stored as it is (a row from before the rules, say)
    person.phone = "+79123456789"
    person.full_clean()  # the old birth date is not this write's
    person.birth_date = dt.date(1880, 1, 1)
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert list(exc.value.error_dict) == ["birth_date"]
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1880, 1, 1))
    person.refresh_from_db(fields=["birth_date"])
    person.full_clean()  # 1880 is what the database holds now
