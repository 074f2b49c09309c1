"""Merging a duplicate person into another (reservations/services/merge.py):
what moves, what is kept once, the alias left behind, the refusals."""

import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError

from emis.models import EmisJob, UploadLinkClick
from reservations.aliases import person_alias_ids, person_ids_resolve
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonAlias,
    PersonChange,
    Stay,
    Visa,
)
from reservations.services import (
    MergeRefused,
    person_create,
    person_merge,
    person_update,
    stay_create,
)
from reservations.services import merge as merge_service
from tests.factories import make_guest, make_legal_entity, make_reservation

pytestmark = pytest.mark.django_db


def _doc(person, **values):
    data = {"kind": "passport_rf", "series": "4510", "number": "123456", **values}
    return IdentityDocument.objects.create(person=person, **data)


@pytest.fixture
def pair():
    """An older guest and a newer duplicate of them, each with a stay."""
    le = make_legal_entity()
    older = make_guest(make_reservation(le), surname="Репин", given_names="Илья")
    newer = make_guest(make_reservation(le), surname="Repin", phone="+79123456789")
    return older.person, newer.person, le


def test_everything_moves_and_the_old_id_becomes_an_alias(pair, admin_user):
    older, newer, le = pair
    stay = newer.stays.get()
    other_doc = _doc(newer, kind="national_passport", series="", number="C01X00T47")
    visa = Visa.objects.create(person=newer, number="V1")
    card = MigrationCard.objects.create(person=newer, number="M1")
    job = EmisJob.objects.create(person=newer, legal_entity=le)
    click = UploadLinkClick.objects.create(person=newer, legal_entity=le)
    person_update(person_id=newer.pk, values={"given_names": "Ilia"})
    newer_history = set(PersonChange.objects.filter(person=newer).values_list("pk", flat=True))
    newer_emis = {"emis_version": 7, "emis_content_hash": "a" * 64}
    Person.objects.filter(pk=newer.pk).update(**newer_emis)

    survivor = person_merge(person_id=newer.pk, into_id=older.pk, user=admin_user)

    assert survivor.pk == older.pk
    assert not Person.objects.filter(pk=newer.pk).exists()
    assert Stay.objects.get(pk=stay.pk).person_id == older.pk
    assert IdentityDocument.objects.get(pk=other_doc.pk).person_id == older.pk
    assert Visa.objects.get(pk=visa.pk).person_id == older.pk
    assert MigrationCard.objects.get(pk=card.pk).person_id == older.pk
    assert EmisJob.objects.get(pk=job.pk).person_id == older.pk
    assert UploadLinkClick.objects.get(pk=click.pk).person_id == older.pk
    moved = set(PersonChange.objects.filter(pk__in=newer_history).values_list("person_id", flat=True))
    assert moved == {older.pk}
    alias = PersonAlias.objects.get(pk=newer.pk)
    assert (alias.person_id, alias.merged_by) == (older.pk, admin_user)
    assert (alias.emis_version, alias.emis_content_hash) == (7, "a" * 64)
    assert person_ids_resolve([newer.pk, older.pk, 424242]) == {
        newer.pk: older.pk,
        older.pk: older.pk,
        424242: 424242,
    }


def test_no_row_anywhere_points_at_the_merged_person(pair):
    """Whatever model points at Person (found by introspection, so a model
    added later is covered too), nothing is left behind or cascaded away."""
    older, newer, le = pair
    _doc(newer)
    EmisJob.objects.create(person=newer, legal_entity=le)
    before = {
        rel.related_model: rel.related_model._base_manager.count()
        for rel in Person._meta.related_objects
    }
    person_merge(person_id=newer.pk, into_id=older.pk)
    for rel in Person._meta.related_objects:
        rows = rel.related_model._base_manager.filter(**{rel.field.name: newer.pk})
        assert not rows.exists(), rel.related_model
    after = {m: m._base_manager.count() for m in before}
    # Moved, not deleted: every count is as before, plus the merge's history
    # rows and the alias.
    assert after.pop(PersonChange) > before.pop(PersonChange)
    assert after.pop(PersonAlias) == before.pop(PersonAlias) + 1
    assert after == before


def test_the_same_document_is_kept_once_with_blanks_filled(pair, caplog):
    older, newer, _le = pair
    mine = _doc(older, issuing_country="")
    theirs = _doc(newer, number="123 456", issuer_code="770-001", issuing_country="RUS")
    Visa.objects.create(person=older, series="25", number="1234567")
    Visa.objects.create(person=newer, series="25", number="123 4567", category="tourist")
    caplog.set_level(logging.INFO, logger="reservations.merge")

    person_merge(person_id=newer.pk, into_id=older.pk)

    doc = IdentityDocument.objects.get(person=older)  # one passport, not two
    assert doc.pk == mine.pk and not IdentityDocument.objects.filter(pk=theirs.pk).exists()
    assert (doc.number, doc.issuer_code, doc.issuing_country) == ("123456", "770-001", "RUS")
    visa = Visa.objects.get(person=older)
    assert (visa.number, visa.category) == ("1234567", "tourist")
    filled = PersonChange.objects.get(entity="document", entity_id=doc.pk, field="issuer_code")
    assert (filled.source, filled.new_value) == ("merge", "770-001")
    assert f"merged person_id={newer.pk} into person_id={older.pk}" in caplog.text
    # The series masked with the number, as headings show it (outside attack test).
    assert "kept_once=passport_rf ********56,*******67" in caplog.text
    assert "4510" not in caplog.text
    assert "123456" not in caplog.text and "123 456" not in caplog.text


def test_of_two_migration_cards_the_newer_stays_and_the_older_is_in_history(pair):
    older, newer, _le = pair
    MigrationCard.objects.create(person=older, number="OLD1", entry_date=dt.date(2025, 1, 5))
    newest = MigrationCard.objects.create(
        person=newer, number="NEW2", entry_date=dt.date(2026, 11, 20)
    )
    person_merge(person_id=newer.pk, into_id=older.pk)
    assert MigrationCard.objects.get(person=older).pk == newest.pk
    gone = PersonChange.objects.get(person=older, entity="migration_card", field="number")
    assert (gone.old_value, gone.new_value, gone.source) == ("OLD1", "", "merge")


def test_blank_fields_of_the_survivor_take_the_merged_values(pair):
    older, newer, _le = pair
    person_merge(person_id=newer.pk, into_id=older.pk)
    older.refresh_from_db()
    assert older.surname == "Репин" and older.given_names == "Илья"  # kept
    assert older.phone == "+79123456789"  # was blank: filled
    row = PersonChange.objects.get(person=older, field="phone", source="merge")
    assert row.new_value == "+79123456789"


def test_the_merge_is_in_the_history_both_ids_lead_to(pair, admin_user):
    older, newer, _le = pair
    person_merge(person_id=newer.pk, into_id=older.pk, user=admin_user)
    row = PersonChange.objects.get(person=older, field="merged_person_id")
    assert (row.old_value, row.new_value) == (str(newer.pk), str(older.pk))
    assert (row.source, row.user) == ("merge", admin_user)
    # The merged person's own history (their creation) is the survivor's now.
    assert PersonChange.objects.filter(
        person=older, field="surname", new_value="Repin"
    ).exists()


def test_merging_a_survivor_moves_its_aliases_along(pair):
    older, newer, le = pair
    oldest = person_create(values={"surname": "Репин"})
    person_merge(person_id=newer.pk, into_id=older.pk)
    person_merge(person_id=older.pk, into_id=oldest.pk)
    assert person_ids_resolve([newer.pk, older.pk]) == {
        newer.pk: oldest.pk,
        older.pk: oldest.pk,
    }
    assert person_alias_ids(oldest.pk) == [newer.pk, older.pk]


def _refused(**kwargs) -> MergeRefused:
    with pytest.raises(MergeRefused) as info:
        person_merge(**kwargs)
    return info.value


def test_refusals_say_why(pair):
    older, newer, _le = pair
    assert _refused(person_id=older.pk, into_id=older.pk).code == "merge_into_itself"
    person_merge(person_id=newer.pk, into_id=older.pk)
    third = person_create(values={"surname": "Третий"})
    into_alias = _refused(person_id=third.pk, into_id=newer.pk)
    assert into_alias.code == "merge_into_alias"
    assert f"{newer.pk}" in into_alias.message and f"{older.pk}" in into_alias.message
    assert _refused(person_id=newer.pk, into_id=third.pk).code == "already_merged"
    # The same merge again: the merged ID is an alias now, not "itself".
    again = _refused(person_id=newer.pk, into_id=older.pk)
    assert again.code == "already_merged"
    assert f"{newer.pk}" in again.message and f"{older.pk}" in again.message
    # The survivor into its own old ID: one person already.
    assert _refused(person_id=older.pk, into_id=newer.pk).code == "merge_into_itself"
    with pytest.raises(ValidationError) as unknown:
        person_merge(person_id=third.pk, into_id=987654)
    assert "into" in unknown.value.message_dict
    with pytest.raises(Person.DoesNotExist):
        person_merge(person_id=987654, into_id=third.pk)


def test_two_guests_of_one_reservation_are_not_merged(pair):
    older, newer, _le = pair
    shared = make_reservation()
    stay_create(reservation=shared, person=older)
    stay_create(reservation=shared, person=newer)
    refusal = _refused(person_id=newer.pk, into_id=older.pk)
    assert refusal.code == "same_reservation" and str(shared.pk) in refusal.message
    assert Person.objects.filter(pk=newer.pk).exists()  # nothing changed
    assert not PersonAlias.objects.exists()


def test_a_refused_merge_changes_nothing_even_halfway(pair, monkeypatch):
    older, newer, _le = pair
    doc = _doc(newer)
    _doc(older)
    def broken(*args, **kwargs):
        raise MergeRefused("boom", "boom")

    monkeypatch.setattr(merge_service, "_fill_blank_fields", broken)
    with pytest.raises(MergeRefused):
        person_merge(person_id=newer.pk, into_id=older.pk)
    assert IdentityDocument.objects.filter(pk=doc.pk, person=newer).exists()
    assert newer.stays.exists() and not PersonAlias.objects.exists()


def test_a_filled_name_part_keeps_where_it_came_from(pair):
    """A policy re-apply rewrites only parts EMIS or the policy gave: a part
    taken from the merged person brings its source, the survivor's own parts
    keep theirs."""
    older, newer, _le = pair
    Person.objects.filter(pk=older.pk).update(
        given_names="", name_sources={"surname": "staff"}
    )
    Person.objects.filter(pk=newer.pk).update(
        given_names="Ilia", name_sources={"surname": "emis", "given_names": "emis"}
    )
    person_merge(person_id=newer.pk, into_id=older.pk)
    older.refresh_from_db()
    assert (older.surname, older.given_names) == ("Репин", "Ilia")
    assert older.name_sources == {"surname": "staff", "given_names": "emis"}
