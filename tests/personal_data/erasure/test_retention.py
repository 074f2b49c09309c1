"""The retention rule: who is due, the purge (the daily task and the
command), its dry run, and its registration with django-celery-beat."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from personal_data.models import PersonErasure
from personal_data.retention import retention_purge
from personal_data.tasks import purge_personal_data
from reservations.models import IdentityDocument, Person, Reservation
from reservations.services import person_update, stay_create
from tests.factories import make_guest, make_legal_entity

from .conftest import PHONE, coming, departed, rich_guest

pytestmark = pytest.mark.django_db


def _departed_guest(legal_entity, days_ago: int, phone: str = PHONE):
    stay = make_guest(departed(legal_entity, days_ago=days_ago), "Тестов")
    person_update(person_id=stay.person_id, values={"phone": phone})
    return stay.person


def _erased(person) -> bool:
    return Person.objects.get(pk=person.pk).phone == ""


def test_due_only_after_the_period_and_without_a_current_or_future_stay():
    entity = make_legal_entity(personal_data_retention_days=30)
    due = _departed_guest(entity, days_ago=31)
    recent = _departed_guest(entity, days_ago=30)  # ended exactly 30 days ago
    coming_back = _departed_guest(entity, days_ago=100)
    stay_create(reservation=coming(make_legal_entity()), person=coming_back)
    in_house = _departed_guest(entity, days_ago=100)
    stay_create(reservation=coming(make_legal_entity(), in_days=-1), person=in_house)

    run = retention_purge()

    assert run.persons == {entity.pk: 1}
    assert _erased(due)
    assert not any(map(_erased, (recent, coming_back, in_house)))
    record = PersonErasure.objects.get()
    assert (record.person_id, record.rule, record.legal_entity_id) == (
        due.pk,
        PersonErasure.Rule.RETENTION,
        entity.pk,
    )
    assert record.user is None and record.retention_days == 30


def test_the_last_stay_with_that_legal_entity_counts():
    entity = make_legal_entity(personal_data_retention_days=30)
    guest = _departed_guest(entity, days_ago=400)
    stay_create(reservation=departed(entity, days_ago=10), person=guest)
    retention_purge()
    assert not _erased(guest)


def test_a_blank_period_keeps_the_data():
    guest = _departed_guest(make_legal_entity(), days_ago=4000)
    assert retention_purge().total == 0
    assert not _erased(guest)


def test_each_legal_entity_counts_its_own_period():
    short = make_legal_entity(personal_data_retention_days=10)
    long = make_legal_entity(personal_data_retention_days=1000)
    guest = _departed_guest(long, days_ago=50)
    stay_create(reservation=departed(short, days_ago=60), person=guest)
    # Short's period passed after its stay: erased (nothing current anywhere).
    assert retention_purge().persons == {short.pk: 1, long.pk: 0}
    assert _erased(guest)


def test_an_erased_guest_is_not_erased_again_until_they_come_again():
    entity = make_legal_entity(personal_data_retention_days=30)
    guest = _departed_guest(entity, days_ago=40)
    assert retention_purge().total == 1
    assert retention_purge().total == 0
    # The guest came again, typed data at the desk, and left long ago.
    stay_create(reservation=departed(entity, days_ago=35), person=guest)
    person_update(person_id=guest.pk, values={"phone": "+79001112233"})
    assert not _erased(guest)
    assert retention_purge().total == 1
    assert _erased(guest) and PersonErasure.objects.count() == 2


def test_the_dry_run_prints_who_and_what_and_erases_nothing(
    emis, http, django_capture_on_commit_callbacks
):
    entity = make_legal_entity(personal_data_retention_days=365)
    guest = rich_guest(entity, http, capture=django_capture_on_commit_callbacks)
    out = StringIO()

    call_command("purge_personal_data", "--dry-run", stdout=out)

    text = out.getvalue()
    assert f"person_id={guest.person.pk} legal_entity={entity.pk}" in text
    assert "documents=1 visas=0 migration_card=0" in text
    assert "total: 1 persons would be erased" in text
    assert guest.person.surname_cyrillic not in text  # IDs and counts only
    assert Person.objects.get(pk=guest.person.pk).phone == PHONE
    assert IdentityDocument.objects.filter(person=guest.person).exists()
    assert not PersonErasure.objects.exists()


def test_the_command_erases():
    entity = make_legal_entity(personal_data_retention_days=1)
    guests = [_departed_guest(entity, days_ago=5) for _ in range(3)]
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "total: 3 persons erased" in out.getvalue()
    assert all(map(_erased, guests))


def test_batches_cover_every_due_person(monkeypatch):
    monkeypatch.setattr("personal_data.retention.BATCH", 2)
    entity = make_legal_entity(personal_data_retention_days=1)
    guests = [_departed_guest(entity, days_ago=5) for _ in range(5)]
    assert retention_purge().total == 5
    assert all(map(_erased, guests))


def test_the_daily_task_is_registered_with_beat_and_purges():
    task = PeriodicTask.objects.get(task="personal_data.tasks.purge_personal_data")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "days")
    entity = make_legal_entity(personal_data_retention_days=7)
    guest = _departed_guest(entity, days_ago=8)
    purge_personal_data.apply()
    assert _erased(guest)


def test_cancelled_reservations_do_not_count_as_a_current_stay():
    entity = make_legal_entity(personal_data_retention_days=7)
    guest = _departed_guest(entity, days_ago=8)
    cancelled = coming(make_legal_entity(), status=Reservation.Status.CANCELLED)
    stay_create(reservation=cancelled, person=guest)
    assert retention_purge().total == 1


@pytest.mark.parametrize("days", [3_000_000, 10**9])
def test_a_period_out_of_range_skips_its_entity_and_purges_the_others(days, caplog):
    from legal_entities.models import LegalEntity

    broken = make_legal_entity(personal_data_retention_days=30)
    # Written around the validators (saved before they bounded the field).
    LegalEntity.objects.filter(pk=broken.pk).update(personal_data_retention_days=days)
    kept = _departed_guest(broken, days_ago=40)
    entity = make_legal_entity(personal_data_retention_days=30)
    due = _departed_guest(entity, days_ago=40)

    run = retention_purge()

    assert run.persons == {broken.pk: 0, entity.pk: 1}
    assert _erased(due) and not _erased(kept)
    assert f"legal_entity={broken.pk} days={days}" in caplog.text


@pytest.mark.parametrize("days", [36_501, 3_000_000])
def test_the_period_is_at_most_a_hundred_years(days):
    from django.core.exceptions import ValidationError

    entity = make_legal_entity()
    entity.personal_data_retention_days = days
    with pytest.raises(ValidationError) as raised:
        entity.full_clean()
    assert "personal_data_retention_days" in raised.value.message_dict
    entity.personal_data_retention_days = 36_500
    entity.full_clean()


@pytest.mark.parametrize(
    "typed",
    [
        {"phone": "+79001112233"},
        {"birth_place": "г. Тотьма"},
        # Typed and cleared again: the history row still holds the value.
        {"email": "back@example.org"},
    ],
)
def test_data_typed_into_an_erased_guest_without_a_stay_is_purged_again(typed):
    entity = make_legal_entity(personal_data_retention_days=30)
    guest = _departed_guest(entity, days_ago=40)
    assert retention_purge().total == 1
    # Staff may fill the erased profile (the guest may be back at the desk
    # before a stay is booked): allowed, and the purge catches it.
    person_update(person_id=guest.pk, values=typed)
    if "email" in typed:
        person_update(person_id=guest.pk, values={"email": ""})

    assert retention_purge().total == 1

    person = Person.objects.get(pk=guest.pk)
    assert (person.phone, person.birth_place, person.email) == ("", "", "")
    assert not guest.changes.exclude(old_value="", new_value="").exists()
    assert PersonErasure.objects.filter(person=guest).count() == 2
    assert retention_purge().total == 0  # nothing left: not erased a third time
