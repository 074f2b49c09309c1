"""The history page reads the structured rows every writer leaves
(reservations.history): one title per document, new records from "—"."""

import pytest

from emis.apply import person_apply_documents
from emis.payload import parse_person
from pms.roles import Role
from reservations import services
from reservations.guest_views import history_rows
from reservations.models import PersonChange
from tests.emis.conftest import russian
from tests.factories import make_guest, make_legal_entity, make_reservation, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _emis_apply(person_id: int, **overrides):
    person_apply_documents(
        person_id=person_id,
        legal_entity_id=make_legal_entity().pk,
        data=parse_person(russian(person_id, **overrides)),
        source="webhook",
    )


def _document_titles(person_id: int) -> set[str]:
    rows = history_rows(person_id, make_user(Role.FRONT_DESK))
    return {r.field.split(":")[0] for r in rows if r.field.startswith("Паспорт")}


def test_one_document_shows_under_one_title_whoever_wrote_it():
    person = make_guest(make_reservation()).person
    _emis_apply(person.pk)  # EMIS creates the passport
    doc = person.documents.get()
    edit = services.RecordEdit(pk=doc.pk, values={"issuer": "ОВД Тверского р-на"})
    services.person_records_save(person_id=person.pk, edits={"documents": [edit]})
    services.person_apply(
        person_id=person.pk,
        values={},
        documents=[{"id": doc.pk, "issuer_code": "690-001"}],
    )
    entities = set(
        PersonChange.objects.exclude(entity="person").values_list("entity", flat=True)
    )
    assert entities == {"document"}
    assert _document_titles(person.pk) == {"Паспорт гражданина РФ ********56"}

    # A number corrected later: still one title, the current one.
    services.person_apply(
        person_id=person.pk, values={}, documents=[{"id": doc.pk, "number": "123457"}]
    )
    assert _document_titles(person.pk) == {"Паспорт гражданина РФ ********57"}


def test_a_new_document_from_emis_starts_from_nothing():
    person = make_guest(make_reservation()).person
    _emis_apply(person.pk)
    rows = [r for r in history_rows(person.pk, make_user(Role.FRONT_DESK)) if "Паспорт" in r.field]
    assert rows and all(r.old == "" for r in rows)  # shown as "—" → value
    assert "Введено вручную" not in {r.old for r in rows}
    kind = PersonChange.objects.get(entity="document", field="kind")
    assert (kind.old_value, kind.new_value) == ("", "passport_rf")


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN, Role.SUPPORT])
def test_numbers_in_titles_and_values_are_masked_for_every_role(role):
    person = make_guest(make_reservation()).person
    _emis_apply(person.pk)
    rows = history_rows(person.pk, make_user(role))
    assert not any("123456" in f"{r.field} {r.old} {r.new}" for r in rows)
    number = next(r for r in rows if r.field.endswith(": номер"))
    assert number.new == ("скрыто" if role is Role.SUPPORT else "****56")


def test_support_sees_which_field_changed_when_and_by_whom_but_no_value():
    person = make_guest(make_reservation()).person
    _emis_apply(person.pk)
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    services.person_update(
        person_id=person.pk, values={"birth_place": "Тверь"}, user=clerk
    )
    staff_rows = history_rows(person.pk, make_user(Role.FRONT_DESK))
    rows = history_rows(person.pk, make_user(Role.SUPPORT))
    assert [(r.field, r.user, r.created_at) for r in rows] == [
        (r.field, r.user, r.created_at) for r in staff_rows
    ]
    assert rows[0].field == "Место рождения" and rows[0].user == "clerk"
    assert (staff_rows[0].old, staff_rows[0].new) == ("ГОР. МОСКВА", "Тверь")
    assert (rows[0].old, rows[0].new) == ("скрыто", "скрыто")
    values = {v for r in rows for v in (r.old, r.new)}
    assert values <= {"", "скрыто"}  # no name, date, place or number at all


def test_a_long_number_masks_alike_in_the_title_the_values_and_the_api():
    """One mask (pms.masking.mask_number) for a number wherever it is shown:
    the history's title of the document, its values, and the API for
    support — a 13-character number used to be 10 stars in one and
    11 in the others."""
    from rest_framework.test import APIRequestFactory

    from reservations.models import Person
    from reservations.serializers import PersonSerializer

    person = make_guest(make_reservation()).person
    services.person_apply(
        person_id=person.pk,
        values={},
        documents=[{"kind": "national_passport", "number": "AB12345678901"}],
    )
    support = make_user(Role.SUPPORT)
    rows = history_rows(person.pk, make_user(Role.FRONT_DESK))
    number = next(r for r in rows if r.field.endswith(": номер"))
    assert number.field.startswith(f"Национальный паспорт {number.new}:")
    request = APIRequestFactory().get("/")
    request.user = support
    person = Person.objects.prefetch_related("documents", "visas").get(pk=person.pk)
    shown = PersonSerializer(person, context={"request": request}).data
    assert shown["documents"][0]["number"] == number.new == "********01"


def test_dates_and_name_parts_read_as_staff_write_them():
    """Issue 12: "2026-12-01" in the history reads 01.12.2026 in Russian, and
    the names to check are named, not "surname, given_names"."""
    import datetime as dt

    person = make_guest(make_reservation()).person
    services.person_apply(
        person_id=person.pk,
        values={
            "birth_date": dt.date(1990, 12, 1),
            "transliterated_parts": ["surname", "given_names"],
        },
    )
    rows = {r.field: r for r in history_rows(person.pk, make_user(Role.FRONT_DESK))}
    assert rows["Дата рождения"].new == "01.12.1990"
    parts = next(r for name, r in rows.items() if "транслитерац" in name)
    assert parts.new == "фамилия, имя"
