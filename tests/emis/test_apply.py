import datetime as dt
import logging

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from emis.apply import person_apply_documents, persons_apply_many
from emis.names import policy as name_policy
from emis.payload import parse_person
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Visa,
)
from tests.factories import make_legal_entity, make_person, make_user

from .conftest import foreigner, russian

pytestmark = pytest.mark.django_db


def apply(person, data: dict, *, source="webhook", legal_entity=None, user=None):
    legal_entity = legal_entity or make_legal_entity()
    return person_apply_documents(
        person_id=person.pk,
        legal_entity_id=legal_entity.pk,
        data=parse_person(data),
        source=source,
        user=user,
    )


def expected_names(data: dict, legal_entity_id=None):
    parsed = parse_person(data)
    return name_policy.resolve_names(
        latin=parsed.names("latin"),
        cyrillic=parsed.names("cyrillic"),
        legal_entity_id=legal_entity_id,
    )


def test_applied_sets_person_fields_both_scripts_and_bookkeeping():
    person = make_person("Репин", phone="+79123456789")
    result = apply(person, russian(person.pk))
    person.refresh_from_db()
    assert result.status == "applied"
    assert (person.surname_cyrillic, person.surname_latin) == ("Крупкин", "KRUPKIN")
    assert (person.given_names_cyrillic, person.given_names_latin) == ("Илья", "ILIA")
    # A null script is stored as "" (the document is the truth).
    assert (person.patronymic_cyrillic, person.patronymic_latin) == ("Борисович", "")
    assert (person.sex, person.citizenship) == ("M", "RUS")
    assert person.birth_date == dt.date(1985, 4, 12)
    assert person.birth_place == "ГОР. МОСКВА"
    assert person.phone == "+79123456789"  # untouched
    assert person.emis_version == 3
    assert person.emis_updated_at == dt.datetime(2026, 11, 27, 9, 12, 45, tzinfo=dt.UTC)
    assert len(person.emis_content_hash) == 64
    assert "surname_latin" in result.changed_fields
    assert "surname" in result.changed_fields


def test_main_names_follow_the_name_policy():
    le = make_legal_entity()
    data = foreigner(make_person("Eriksson").pk)
    person = make_person("Эрикссон")
    data["person_id"] = str(person.pk)
    apply(person, data, legal_entity=le)
    person.refresh_from_db()
    resolved = expected_names(data, le.pk)
    assert person.surname == resolved.main["surname"]
    assert person.given_names == resolved.main["given_names"]
    assert person.transliterated_parts == [
        p
        for p in ("surname", "given_names", "patronymic")
        if p in resolved.transliterated
    ]
    # The Latin stays exactly as printed; the Cyrillic is not invented.
    assert (person.surname_latin, person.surname_cyrillic) == ("ERIKSSON", "")


def test_same_content_again_is_unchanged_but_records_the_version():
    person = make_person()
    apply(person, russian(person.pk))
    before = PersonChange.objects.filter(person=person).count()
    result = apply(person, russian(person.pk, version=5))
    person.refresh_from_db()
    assert result.status == "unchanged" and result.changed_fields == []
    assert person.emis_version == 5
    assert PersonChange.objects.filter(person=person).count() == before


def test_older_version_is_stale_and_changes_nothing():
    person = make_person()
    apply(person, russian(person.pk, version=4))
    stale = russian(person.pk, version=3, birth_place="ГОР. ТВЕРЬ")
    result = apply(person, stale)
    person.refresh_from_db()
    assert result.status == "stale"
    assert person.birth_place == "ГОР. МОСКВА"
    assert person.emis_version == 4


def test_documents_are_matched_and_updated_in_place_never_duplicated():
    person = make_person()
    typed = IdentityDocument.objects.create(
        person=person, kind="passport_rf", series="45 10", number="123456"
    )
    staff_only = IdentityDocument.objects.create(
        person=person, kind="birth_certificate", number="IV-МЮ 555"
    )
    apply(person, russian(person.pk))
    data = russian(person.pk, version=4)
    data["documents"][0]["expiry_date"] = "2030-01-01"
    apply(person, data)
    docs = list(person.documents.order_by("id"))
    assert [d.pk for d in docs] == [typed.pk, staff_only.pk]  # kept, not duplicated
    typed.refresh_from_db()
    assert typed.series == "4510"
    assert typed.issuer_code == "770-001"
    assert typed.expiry_date == dt.date(2030, 1, 1)
    assert typed.source == "visual"


def test_new_document_visas_and_card_are_created_then_updated():
    person = make_person("Eriksson")
    apply(person, foreigner(person.pk))
    assert person.documents.get().number == "L898902C3"
    assert sorted(person.visas.values_list("number", flat=True)) == [
        "1111111",
        "2222222",
    ]
    assert MigrationCard.objects.get(person=person).series == "4618"
    data = foreigner(person.pk, version=2)
    data["visas"][1]["valid_to"] = "2027-12-31"
    data["migration_card"]["visit_purpose"] = "tourism"
    result = apply(person, data)
    assert Visa.objects.filter(person=person).count() == 2
    assert Visa.objects.get(number="2222222").valid_to == dt.date(2027, 12, 31)
    assert MigrationCard.objects.filter(person=person).count() == 1
    assert MigrationCard.objects.get(person=person).visit_purpose == "tourism"
    assert sorted(result.changed_fields) == [
        "migration_card.visit_purpose",
        "visas[25 *****22].valid_to",
    ]


def test_a_card_staff_typed_is_kept_when_emis_sends_none():
    person = make_person()
    MigrationCard.objects.create(person=person, series="1", number="777")
    apply(person, russian(person.pk))
    assert MigrationCard.objects.get(person=person).number == "777"


def test_history_rows_per_field_with_masked_labels_and_sensitive_numbers():
    user = make_user()
    person = make_person()
    apply(person, russian(person.pk), source="pull", user=user)
    rows = {
        (c.entity_label, c.field) if c.entity_label else c.field: c
        for c in PersonChange.objects.filter(person=person)
    }
    number = rows[("passport_rf 4510 ****56", "number")]
    assert number.sensitive and number.new_value == "123456" and number.old_value == ""
    assert number.entity == "document"
    assert not rows["surname_latin"].sensitive
    assert rows["surname_latin"].new_value == "KRUPKIN"
    assert rows["birth_date"].new_value == "1985-04-12"
    assert all(c.source == "pull" and c.user_id == user.pk for c in rows.values())
    assert not any("123456" in str(key) for key in rows)


def test_a_null_birth_date_does_not_erase_what_staff_entered():
    person = make_person(birth_date=dt.date(1990, 1, 1), birth_place="Тверь")
    apply(person, russian(person.pk, birth_date=None, birth_place=None))
    person.refresh_from_db()
    assert person.birth_date == dt.date(1990, 1, 1)
    assert person.birth_place == "Тверь"


def test_markup_in_a_name_is_stored_as_plain_text():
    person = make_person()
    data = russian(person.pk)
    data["surname"] = {"cyrillic": "<script>alert(1)</script>", "latin": "X"}
    apply(person, data)
    person.refresh_from_db()
    assert person.surname_cyrillic == "<script>alert(1)</script>"


def test_log_has_person_status_fields_and_never_a_number(caplog):
    person = make_person()
    with caplog.at_level(logging.INFO, logger="emis.apply"):
        apply(person, russian(person.pk))
    text = caplog.text
    assert f"person_id={person.pk}" in text and "status=applied" in text
    assert "surname_latin" in text
    assert "123456" not in text


def test_query_count_does_not_grow_with_the_number_of_documents():
    def run(n_docs: int) -> int:
        person = make_person()
        for i in range(n_docs):
            IdentityDocument.objects.create(person=person, kind="other", number=f"N{i}")
        data = foreigner(person.pk)
        data["documents"] = [
            {"kind": "other", "number": f"N{i}", "issuer": "X"} for i in range(n_docs)
        ] + [{"kind": "id_card", "number": f"NEW{i}"} for i in range(n_docs)]
        data["visas"] = [{"series": "25", "number": f"{i}"} for i in range(n_docs)]
        le = make_legal_entity()
        with CaptureQueriesContext(db_connection) as ctx:
            apply(person, data, legal_entity=le)
        assert person.documents.count() == 2 * n_docs
        return len(ctx.captured_queries)

    run(1)  # warm-up: the first use may create the name-policy row
    # (Kept under ~140 history rows: SQLite splits bigger bulk inserts.)
    assert run(2) == run(10)  # 20 documents: the payload's ceiling


def test_many_persons_in_one_go_with_unknowns_and_bounded_queries():
    le = make_legal_entity()
    people = [make_person(f"P{i}") for i in range(20)]
    items = [parse_person(russian(p.pk)) for p in people]
    items.append(parse_person(russian(999_999_999)))
    with CaptureQueriesContext(db_connection) as ctx:
        outcome = persons_apply_many(legal_entity_id=le.pk, items=items, source="sync")
    assert outcome.count("applied") == 20
    assert [u.person_id for u in outcome.unknown] == ["999999999"]
    assert len(ctx.captured_queries) < 20
    assert IdentityDocument.objects.filter(person__in=people).count() == 20
    latin = Person.objects.filter(pk__in=[p.pk for p in people])
    assert set(latin.values_list("surname_latin", flat=True)) == {"KRUPKIN"}


def test_same_person_twice_in_one_batch_is_not_duplicated():
    le = make_legal_entity()
    person = make_person()
    first = russian(person.pk, version=1)
    second = russian(person.pk, version=2)
    second["documents"][0]["expiry_date"] = "2031-01-01"
    outcome = persons_apply_many(
        legal_entity_id=le.pk,
        items=[parse_person(first), parse_person(second)],
        source="sync",
    )
    assert [r.status for _i, r in outcome.results] == ["applied", "applied"]
    doc = IdentityDocument.objects.get(person=person)
    assert doc.expiry_date == dt.date(2031, 1, 1)
    person.refresh_from_db()
    assert person.emis_version == 2


def test_unknown_person_raises_does_not_exist():
    with pytest.raises(Person.DoesNotExist):
        person_apply_documents(
            person_id=424242,
            legal_entity_id=make_legal_entity().pk,
            data=parse_person(russian(424242)),
            source="webhook",
        )


def test_a_legal_entity_override_switches_the_main_script():
    from emis.models import NamePolicyOverride

    plain, latin_le = make_legal_entity(), make_legal_entity()
    NamePolicyOverride.objects.create(
        legal_entity=latin_le, script="latin", letter_case="upper"
    )
    a, b = make_person(), make_person()
    apply(a, russian(a.pk), legal_entity=plain)
    apply(b, russian(b.pk), legal_entity=latin_le)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.surname, a.given_names) == ("Крупкин", "Илья")
    assert (b.surname, b.given_names) == ("KRUPKIN", "ILIA")
    # No Latin patronymic printed: under the Latin policy it is derived and
    # flagged for staff to check.
    assert b.transliterated_parts == ["patronymic"]
    assert a.transliterated_parts == []


def test_derived_cyrillic_names_of_a_foreigner_are_flagged():
    person = make_person("Eriksson")
    apply(person, foreigner(person.pk))
    person.refresh_from_db()
    assert person.transliterated_parts == ["surname", "given_names"]
    assert person.surname and person.surname != "ERIKSSON"


def test_history_and_values_keep_quotes_commas_and_line_breaks_in_bulk():
    le = make_legal_entity()
    person = make_person(birth_place="")
    tricky = 'ГОР. "МОСКВА", ул.\nЛенина \\ 1'
    data = russian(person.pk, birth_place=tricky)
    data["documents"][0]["issuer"] = ""  # an empty string is not NULL
    persons_apply_many(legal_entity_id=le.pk, items=[parse_person(data)], source="sync")
    person.refresh_from_db()
    assert person.birth_place == tricky
    row = PersonChange.objects.get(person=person, field="birth_place")
    assert (row.old_value, row.new_value, row.source) == ("", tricky, "sync")
    assert row.user_id is None and row.created_at is not None
    assert IdentityDocument.objects.get(person=person).issuer == ""
    assert person.transliterated_parts == []
    assert person.emis_updated_at == dt.datetime(2026, 11, 27, 9, 12, 45, tzinfo=dt.UTC)


def test_a_patronymic_the_document_does_not_print_keeps_what_staff_typed():
    # A foreign passport prints no patronymic; the guest told the desk one.
    person = make_person("Иванов", patronymic="Борисович")
    apply(person, foreigner(person.pk, version=1))
    person.refresh_from_db()
    assert person.patronymic == "Борисович"
    # EMIS still gives none: kept again, and it is no conflict either.
    apply(person, foreigner(person.pk, version=2))
    person.refresh_from_db()
    assert person.patronymic == "Борисович"
    assert not person.emis_conflicts.exists()


def test_a_patronymic_emis_gave_is_cleared_when_emis_corrects_it_to_none():
    person = make_person("Иванов")
    given = russian(person.pk, version=1)
    apply(person, given)
    person.refresh_from_db()
    assert person.patronymic == "Борисович"
    corrected = russian(person.pk, version=2)
    corrected["patronymic"] = {"cyrillic": None, "latin": None}
    apply(person, corrected)
    person.refresh_from_db()
    assert person.patronymic == ""


def test_latin_staff_typed_is_kept_when_emis_gives_cyrillic_names_only():
    """Outside walkthrough: an EMIS save with Cyrillic names only erased the
    MUELLER / HANS the desk had typed, and a Latin policy then printed the
    transliteration guess «Miuller Khans»."""
    from emis.models import NamePolicyOverride

    le = make_legal_entity()
    NamePolicyOverride.objects.create(legal_entity=le, script="latin")
    person = make_person(
        "Мюллер", given_names="Ханс", surname_latin="MUELLER", given_names_latin="HANS"
    )
    data = foreigner(person.pk, version=1)
    data["surname"] = {"cyrillic": "Мюллер", "latin": None}
    data["given_names"] = {"cyrillic": "Ханс", "latin": None}
    apply(person, data, legal_entity=le)
    person.refresh_from_db()
    assert (person.surname_latin, person.given_names_latin) == ("MUELLER", "HANS")
    assert (person.surname_cyrillic, person.given_names_cyrillic) == ("Мюллер", "Ханс")
    # The policy's Latin is the form the profile holds, not a guess.
    assert (person.surname, person.given_names) == ("Mueller", "Hans")
    assert not PersonChange.objects.filter(person=person, field="surname_latin").exists()
    # A Latin form EMIS gives later meets the typed one as a conflict (as
    # the birth place does): the profile keeps MUELLER until staff decide.
    data = foreigner(person.pk, version=2)
    apply(person, data, legal_entity=le)
    person.refresh_from_db()
    assert person.surname_latin == "MUELLER"
    conflict = person.emis_conflicts.get(field="surname_latin")
    assert conflict.emis_value == data["surname"]["latin"]
