"""The guest card and the API refuse the same staff writes, on the same field
with the same message: the rules live in the models (``reservations.rules``,
run by the models' ``clean``), not in the form or the serializer."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from legal_entities.models import LegalEntity
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Reservation,
    Visa,
)
from tests.factories import make_guest, make_legal_entity, make_reservation
from tests.support.formdata import form_data

pytestmark = pytest.mark.django_db

RECORDS = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
PASSPORT = {"kind": "passport_rf", "series": "4510", "number": "123456"}
NATIONAL = {
    "kind": "national_passport",
    "number": "C01X00T47",
    "issuing_country": "DEU",
}
VISA = {"number": "987654321"}
CARD = {"number": "7654321"}


@dataclass(frozen=True)
class Case:
    """One refused write: where it goes (the person itself or one of its
    records), its values and the field that must be named."""

    where: str  # "person", "documents", "visas", "migration_card"
    values: dict = field(default_factory=dict)
    field: str = ""

    def form_data(self) -> dict:
        prefix = "person" if self.where == "person" else f"{self.where}-0"
        return {f"{prefix}-{name}": value for name, value in self.values.items()}

    def api_body(self) -> dict:
        if self.where == "person":
            return dict(self.values)
        many = self.where != "migration_card"
        return {self.where: [self.values] if many else self.values}

    def api_path(self) -> tuple[str, ...]:
        if self.where == "person":
            return (self.field,)
        index = ("0",) if self.where != "migration_card" else ()
        return (self.where, *index, self.field)


def _person(field_name, value):
    return Case("person", {field_name: value}, field_name)


CASES = {
    # Birth date: not in the future, not before 1900.
    "birth-date-tomorrow": _person("birth_date", TOMORROW),
    "birth-date-1899": _person("birth_date", "1899-12-31"),
    # Every date 1900–2100.
    "issue-date-1899": Case(
        "documents", {**PASSPORT, "issue_date": "1899-12-31"}, "issue_date"
    ),
    "expiry-date-2101": Case(
        "documents", {**PASSPORT, "expiry_date": "2101-01-01"}, "expiry_date"
    ),
    "visa-from-1899": Case("visas", {**VISA, "valid_from": "1899-12-31"}, "valid_from"),
    "visa-to-2101": Case("visas", {**VISA, "valid_to": "2101-01-01"}, "valid_to"),
    "card-entry-0202": Case(
        "migration_card", {**CARD, "entry_date": "0202-11-20"}, "entry_date"
    ),
    # Expiry not before issue; visa end not before start (and the card's).
    "expiry-before-issue": Case(
        "documents",
        {**PASSPORT, "issue_date": "2020-01-01", "expiry_date": "2019-01-01"},
        "expiry_date",
    ),
    "visa-end-before-start": Case(
        "visas",
        {**VISA, "valid_from": "2026-11-01", "valid_to": "2026-10-01"},
        "valid_to",
    ),
    "card-end-before-entry": Case(
        "migration_card",
        {**CARD, "entry_date": "2026-11-20", "valid_to": "2026-11-19"},
        "valid_to",
    ),
    # Names: a letter, no bidi control, not only invisible characters.
    "surname-without-a-letter": _person("surname", "12-3"),
    "given-names-zero-width-only": _person("given_names", "\u200b\u200c"),
    "patronymic-bidi-override": _person("patronymic", "Ив\u202eан"),
    "surname-bidi-isolate": _person("surname", "\u2067Репин\u2069"),
    # Other free text: no bidi control, no stray zero-width character, not
    # only invisible characters.
    "birth-place-bidi-override": _person("birth_place", "Моск\u202eва"),
    "birth-place-bidi-mark": _person("birth_place", "\u200fГОР. МОСКВА"),
    "birth-place-zero-width-space": _person("birth_place", "ГОР.\u200bМОСКВА"),
    "birth-place-invisible-only": _person("birth_place", "\u200b\u2060"),
    "address-bidi-isolate": _person("address", "\u2066ул. Ленина, 1\u2069"),
    "issuer-bidi-override": Case(
        "documents", {**PASSPORT, "issuer": "ОВД \u202eаксрevТ"}, "issuer"
    ),
    "visa-category-zero-width": Case(
        "visas", {**VISA, "category": "\ufeffОбыкновенная"}, "category"
    ),
    "card-purpose-bidi": Case(
        "migration_card", {**CARD, "visit_purpose": "\u202bТуризм"}, "visit_purpose"
    ),
    # Other invisible characters (format, default-ignorable, Hangul fillers):
    # refused in names and free text; in numbers even the joiners.
    "surname-hangul-filler-only": _person("surname", "\u3164"),
    "given-names-soft-hyphen": _person("given_names", "Ан\u00adна"),
    "patronymic-grapheme-joiner": _person("patronymic", "Ив\u034fанович"),
    "surname-mongolian-separator": _person("surname", "Репин\u180e"),
    "birth-place-invisible-times": _person("birth_place", "ГОР.\u2062МОСКВА"),
    "address-tag-character": _person("address", "ул. Ленина\U000e0041, 1"),
    "national-number-zwj": Case(
        "documents", {**NATIONAL, "number": "C01X\u200dT47"}, "number"
    ),
    "national-number-soft-hyphen": Case(
        "documents", {**NATIONAL, "number": "C01X00\u00adT47"}, "number"
    ),
    "national-series-filler": Case(
        "documents", {**NATIONAL, "series": "\u115fA"}, "series"
    ),
    "visa-series-invisible-operator": Case(
        "visas", {**VISA, "series": "2\u20625"}, "series"
    ),
    "card-number-zwnj": Case("migration_card", {"number": "765\u200c4321"}, "number"),
    # A Russian passport: 4 digits + 6 digits.
    "passport-series-3-digits": Case(
        "documents", {**PASSPORT, "series": "451"}, "series"
    ),
    "passport-number-5-digits": Case(
        "documents", {**PASSPORT, "number": "12345"}, "number"
    ),
    "passport-letters": Case("documents", {**PASSPORT, "number": "12345A"}, "number"),
    "passport-whole-number-and-a-series": Case(
        "documents", {**PASSPORT, "number": "4510 123456"}, "number"
    ),
}


def _guest_url(stay):
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def _form_post(client, stay, data: dict):
    form = form_data(client.get(_guest_url(stay)).content.decode(), "guest-form")
    return client.post(_guest_url(stay), {**form, **data})


def _form_errors(response, where: str) -> dict:
    assert response.status_code == 200  # re-rendered, not saved
    forms = response.context["forms"]
    if where in ("person", "stay"):
        return getattr(forms, where).errors
    return forms.records[where].forms[0].errors


def _at(body: dict, path: tuple[str, ...]):
    for key in path:
        assert list(body) == [key], body  # only this field is named
        body = body[key]
    return body


def _stored(person: Person) -> tuple:
    person.refresh_from_db()
    fields = [f.attname for f in Person._meta.concrete_fields if f.name != "updated_at"]
    records = [
        model.objects.filter(person=person).count() for model in RECORDS.values()
    ]
    return (*[getattr(person, f) for f in fields], *records)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_card_and_api_refuse_the_same_value_on_the_same_field(
    front_desk_client, api_front_desk, case
):
    stay = make_guest(make_reservation(), surname="Репин", given_names="Илья")
    before = _stored(stay.person)
    history = PersonChange.objects.count()

    errors = _form_errors(
        _form_post(front_desk_client, stay, case.form_data()), case.where
    )
    assert list(errors) == [case.field]
    assert _stored(stay.person) == before

    url = f"/api/v1/persons/{stay.person_id}/"
    response = api_front_desk.patch(url, case.api_body(), format="json")
    assert response.status_code == 400
    assert _at(response.json(), case.api_path()) == errors[case.field]
    assert _stored(stay.person) == before
    assert PersonChange.objects.count() == history


def test_the_refusals_are_in_russian(front_desk_client, api_front_desk):
    stay = make_guest(make_reservation())
    case = CASES["passport-series-3-digits"]
    response = _form_post(front_desk_client, stay, case.form_data())
    message = "Серия паспорта РФ — 4 цифры, например 4510."
    assert _form_errors(response, case.where)["series"] == [message]
    assert message in response.content.decode()  # shown beside the field
    response = api_front_desk.patch(
        f"/api/v1/persons/{stay.person_id}/", {"birth_date": TOMORROW}, format="json"
    )
    assert response.json() == {
        "birth_date": ["Укажите дату рождения от 1900 года до сегодняшнего дня."]
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"note": "я" * 2001}, "note"),
        ({"arrival": "1899-12-31"}, "arrival"),
        ({"departure": "2101-01-01"}, "departure"),
    ],
)
def test_reservation_card_and_api_refuse_the_same(
    front_desk_client, api_front_desk, values, field
):
    reservation = make_reservation(note="VIP")
    tab = "request" if field == "note" else "booking"
    data = {
        "status": reservation.status,
        "legal_entity": reservation.legal_entity_id,
        "arrival": reservation.arrival.isoformat(),
        "departure": reservation.departure.isoformat(),
        **values,
    }
    url = reverse("reservations:card", args=[reservation.pk]) + f"?tab={tab}"
    response = front_desk_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]

    api = api_front_desk.patch(
        f"/api/v1/reservations/{reservation.pk}/", values, format="json"
    )
    assert api.status_code == 400
    assert api.json() == {field: errors[field]}
    stored = Reservation.objects.get()
    assert (stored.note, stored.arrival, stored.departure) == (
        "VIP",
        reservation.arrival,
        reservation.departure,
    )


def test_stay_dates_are_refused_by_the_card_and_the_api(
    front_desk_client, api_front_desk
):
    stay = make_guest(make_reservation())
    response = _form_post(
        front_desk_client, stay, {"stay-registration_to": "2101-01-01"}
    )
    errors = _form_errors(response, "stay")
    assert list(errors) == ["registration_to"]
    url = f"/api/v1/reservations/{stay.reservation_id}/guests/{stay.pk}/"
    api = api_front_desk.patch(url, {"registration_to": "2101-01-01"}, format="json")
    assert api.status_code == 400
    assert api.json() == {"registration_to": errors["registration_to"]}


def test_a_note_of_2000_characters_is_kept_one_more_is_refused(front_desk_client):
    stay = make_guest(make_reservation())
    refused = _form_post(front_desk_client, stay, {"stay-note": "я" * 2001})
    assert list(_form_errors(refused, "stay")) == ["note"]
    kept = _form_post(front_desk_client, stay, {"stay-note": "я" * 2000})
    assert kept.status_code == 302
    stay.refresh_from_db()
    assert len(stay.note) == 2000


def test_the_api_names_a_latin_or_cyrillic_name_by_its_path(api_front_desk):
    stay = make_guest(make_reservation())
    body = {"latin": {"surname": "\u202eNIPER"}, "cyrillic": {"given_names": "1"}}
    response = api_front_desk.patch(
        f"/api/v1/persons/{stay.person_id}/", body, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"latin", "cyrillic"}
    assert list(errors["latin"]) == ["surname"]
    assert "U+202E" in errors["latin"]["surname"][0]
    assert list(errors["cyrillic"]) == ["given_names"]


def test_a_new_guest_is_checked_by_the_same_rules(api_front_desk):
    reservation = make_reservation()
    url = f"/api/v1/reservations/{reservation.pk}/guests/"
    response = api_front_desk.post(
        url, {"surname": "\u200b", "latin": {"surname": "1"}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"surname", "latin"}
    assert not Person.objects.exists()


def test_an_existing_document_is_checked_against_its_stored_dates(api_front_desk):
    stay = make_guest(make_reservation())
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="other", number="1", issue_date="2020-01-01"
    )
    url = f"/api/v1/persons/{stay.person_id}/"
    body = {"documents": [{"id": doc.pk, "expiry_date": "2019-12-31"}]}
    response = api_front_desk.patch(url, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["documents"]["0"]) == ["expiry_date"]
    doc.refresh_from_db()
    assert doc.expiry_date is None


# --- Rules of the service, not the form's or the serializer's ----------------

INACTIVE = "Это юридическое лицо неактивно."
ALREADY_A_GUEST = "Этот человек уже есть среди гостей заявки."


def _inactive_entity():
    return make_legal_entity(name="ООО Закрыто", is_active=False)


def test_a_new_reservation_with_an_inactive_legal_entity_is_refused_alike(
    front_desk_client, api_front_desk
):
    entity = _inactive_entity()
    values = {"legal_entity": entity.pk, "arrival": "2026-11-27"}
    values["departure"] = "2026-11-30"
    page = front_desk_client.get(reverse("reservations:create"))
    assert "ООО Закрыто" not in page.content.decode()  # not offered

    response = front_desk_client.post(
        reverse("reservations:create"), {**values, "status": "confirmed"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"legal_entity": [INACTIVE]}

    api = api_front_desk.post("/api/v1/reservations/", values, format="json")
    assert api.status_code == 400
    assert api.json() == {"legal_entity": errors["legal_entity"]}
    assert not Reservation.objects.exists()


def test_moving_a_reservation_to_an_inactive_legal_entity_is_refused_alike(
    front_desk_client, api_front_desk
):
    reservation = make_reservation()
    entity = _inactive_entity()
    url = reverse("reservations:card", args=[reservation.pk]) + "?tab=booking"
    data = {
        "legal_entity": entity.pk,
        "arrival": reservation.arrival.isoformat(),
        "departure": reservation.departure.isoformat(),
    }
    response = front_desk_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"legal_entity": [INACTIVE]}

    api = api_front_desk.patch(
        f"/api/v1/reservations/{reservation.pk}/",
        {"legal_entity": entity.pk},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"legal_entity": errors["legal_entity"]}
    assert Reservation.objects.get().legal_entity_id == reservation.legal_entity_id


def test_a_legal_entity_switched_off_since_stays_on_both(
    front_desk_client, api_front_desk
):
    """The rule judges a change only: the card and the API still save a
    reservation whose stored legal entity was switched off since."""
    entity = make_legal_entity(name="ООО Закрыто")
    reservation = make_reservation(entity, note="VIP")
    LegalEntity.objects.filter(pk=entity.pk).update(is_active=False)
    url = reverse("reservations:card", args=[reservation.pk]) + "?tab=booking"
    page = front_desk_client.get(url).content.decode()
    assert "ООО Закрыто" in page  # the stored one is offered
    departure = (reservation.departure + dt.timedelta(days=1)).isoformat()
    data = {
        "legal_entity": entity.pk,
        "arrival": reservation.arrival.isoformat(),
        "departure": departure,
    }
    assert front_desk_client.post(url, data).status_code == 302
    api = api_front_desk.patch(
        f"/api/v1/reservations/{reservation.pk}/",
        {"legal_entity": entity.pk, "note": "VIP 2"},
        format="json",
    )
    assert api.status_code == 200
    stored = Reservation.objects.get()
    assert (stored.legal_entity_id, stored.note) == (entity.pk, "VIP 2")
    assert stored.departure.isoformat() == departure


def test_a_guest_already_in_the_reservation_is_refused_alike(
    front_desk_client, api_front_desk
):
    stay = make_guest(make_reservation(), surname="Левитан")
    reservation = stay.reservation
    attach = front_desk_client.post(
        reverse("reservations:guest_attach", args=[reservation.pk]),
        {"person_id": stay.person_id},
        follow=True,
    )
    shown = [str(m) for m in attach.context["messages"]]
    assert shown == [ALREADY_A_GUEST]

    api = api_front_desk.post(
        f"/api/v1/reservations/{reservation.pk}/guests/",
        {"person_id": stay.person_id},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"person_id": shown}
    assert reservation.stays.count() == 1
