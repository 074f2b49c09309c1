"""The erasure service: what goes, what stays, the record, and the refusal
while the guest has a current or future stay."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from emis.models import EmisConflict, EmisJob
from personal_data.erasure import PLACEHOLDER, ErasureRefused, person_erase
from personal_data.models import PersonErasure
from reservations.models import (
    IdentityDocument,
    Person,
    PersonAlias,
    PersonChange,
    Reservation,
    Stay,
)
from reservations.services import stay_create
from tests.factories import make_legal_entity

from .conftest import coming

pytestmark = pytest.mark.django_db


def _erase(guest, user, reason="Письменное заявление от 20.11.2026"):
    return person_erase(person_id=guest.person.pk, user=user, reason=reason)


def test_the_profile_keeps_only_its_id_stays_and_dates(guest, admin_user):
    pid = guest.person.pk
    stays_before = list(
        Stay.objects.filter(person_id=pid).values_list(
            "pk", "registration_from", "registration_to"
        )
    )
    history_rows = PersonChange.objects.filter(person_id=pid).count()
    version = guest.person.emis_version

    _erase(guest, admin_user)

    person = Person.objects.get(pk=pid)
    assert person.surname == PLACEHOLDER and str(person) == PLACEHOLDER
    assert person.given_names == person.surname_latin == person.surname_cyrillic == ""
    assert (person.birth_date, person.birth_place, person.sex) == (None, "", "")
    assert (person.phone, person.email, person.address, person.citizenship) == (
        "",
        "",
        "",
        "",
    )
    assert person.emis_values == {} and person.name_sources == {}
    assert person.emis_content_hash == "" and person.emis_version == version
    assert not IdentityDocument.objects.filter(person_id=pid).exists()
    assert not EmisConflict.objects.filter(person_id=pid).exists()
    stays_after = list(
        Stay.objects.filter(person_id=pid).values_list(
            "pk", "registration_from", "registration_to"
        )
    )
    assert stays_after == stays_before
    assert Stay.objects.get(person_id=pid, reservation=guest.reservation).note == ""
    # The history says which field changed when, never the values.
    rows = PersonChange.objects.filter(person_id=pid)
    assert rows.count() == history_rows
    assert set(
        rows.values_list("old_value", "new_value", "entity_label").distinct()
    ) == {("", "", "")}
    assert "surname" in set(rows.values_list("field", flat=True))
    assert (
        EmisJob.objects.filter(person_id=pid).values_list("changed_fields", flat=True)[
            0
        ]
        == []
    )
    alias = PersonAlias.objects.get(pk=guest.duplicate_id)
    assert alias.person_id == pid and alias.emis_content_hash == ""
    reservation = Reservation.objects.get(pk=guest.reservation.pk)
    assert (reservation.phone, reservation.email) == ("", "")
    assert LogEntry.objects.get(object_id=str(pid)).object_repr == f"#{pid}"


def test_the_erasure_is_recorded_with_who_and_why(guest, admin_user):
    record = _erase(guest, admin_user)
    assert PersonErasure.objects.get() == record
    assert record.rule == PersonErasure.Rule.REQUEST
    assert record.user == admin_user
    assert record.reason_text == "Письменное заявление от 20.11.2026"
    assert record.stays_until == guest.reservation.departure


def test_a_reservation_contact_that_is_someone_elses_stays(guest, admin_user):
    Reservation.objects.filter(pk=guest.reservation.pk).update(phone="+74951234567")
    _erase(guest, admin_user)
    assert Reservation.objects.get(pk=guest.reservation.pk).phone == "+74951234567"


def test_refused_while_the_guest_has_a_future_stay(guest, admin_user):
    stay_create(reservation=coming(make_legal_entity()), person=guest.person)
    with pytest.raises(ErasureRefused) as refused:
        _erase(guest, admin_user)
    assert refused.value.code == "person_has_current_stay"
    assert Person.objects.get(pk=guest.person.pk).phone != ""
    assert not PersonErasure.objects.exists()


def test_a_stay_ending_today_is_current(guest, admin_user):
    stay_create(reservation=coming(guest.legal_entity, in_days=-2), person=guest.person)
    with pytest.raises(ErasureRefused):
        _erase(guest, admin_user)


def test_a_cancelled_future_stay_does_not_keep_the_data(guest, admin_user):
    cancelled = coming(guest.legal_entity, status=Reservation.Status.CANCELLED)
    stay_create(reservation=cancelled, person=guest.person)
    _erase(guest, admin_user)
    assert Person.objects.get(pk=guest.person.pk).phone == ""


def test_a_reason_is_required(guest, admin_user):
    with pytest.raises(ValueError):
        _erase(guest, admin_user, reason="   ")
    assert not PersonErasure.objects.exists()
