"""Re-applying the name policy to existing profiles (service and task)."""

import datetime as dt

import pytest

from emis.models import EmisJob, NamePolicy, NamePolicyOverride
from emis.names import reapply
from emis.tasks import reapply_name_policy
from reservations.models import Person, PersonChange
from reservations.services import stay_create
from tests.factories import make_legal_entity, make_person, make_reservation

pytestmark = pytest.mark.django_db


def set_policy(**values):
    policy = NamePolicy.load()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()


def russian(**values):
    data = {
        "surname": "Крупкин",
        "given_names": "Илья",
        "surname_latin": "KRUPKIN",
        "given_names_latin": "ILIA",
        "surname_cyrillic": "Крупкин",
        "given_names_cyrillic": "Илья",
        "patronymic_cyrillic": "Борисович",
        "patronymic": "Борисович",
    }
    data.update(values)
    return make_person(**data)


def run_job(django_capture_on_commit_callbacks, user=None) -> EmisJob:
    with django_capture_on_commit_callbacks(execute=True):
        job, _created = reapply.reapply_job_get_or_create(user=user)
        reapply_name_policy.delay_on_commit(job.pk)  # what the views do
    job.refresh_from_db()
    return job


def test_switching_to_latin_rewrites_names_with_history(
    django_capture_on_commit_callbacks,
):
    person = russian()
    untouched = make_person(surname="Ручной")  # no document names stored
    set_policy(script="latin")
    assert reapply.would_change_count() == 1

    job = run_job(django_capture_on_commit_callbacks)

    person.refresh_from_db()
    assert (person.surname, person.given_names, person.patronymic) == (
        "Krupkin",
        "Ilia",
        "Borisovich",
    )
    assert person.transliterated_parts == ["patronymic"]
    assert Person.objects.get(pk=untouched.pk).surname == "Ручной"
    history = PersonChange.objects.filter(person=person, source="policy")
    assert {c.field for c in history} == {
        "surname",
        "given_names",
        "patronymic",
        "transliterated_parts",
    }
    assert job.status == EmisJob.Status.SUCCEEDED
    assert job.result == EmisJob.Result.APPLIED
    assert (job.progress_done, job.progress_total) == (1, 1)
    progress = reapply.job_progress(job)
    assert progress["percent"] == 100 and progress["persons_changed"] == 1
    assert reapply.would_change_count() == 0


def test_part_without_document_forms_keeps_what_staff_typed(
    django_capture_on_commit_callbacks,
):
    person = russian(patronymic="Борисович", patronymic_cyrillic="")
    set_policy(script="latin", letter_case="upper")
    run_job(django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert person.surname == "KRUPKIN"
    assert person.patronymic == "Борисович"
    assert person.transliterated_parts == []


def test_the_latest_reservation_decides_the_override(
    django_capture_on_commit_callbacks,
):
    person = russian()
    old_entity, new_entity = make_legal_entity(), make_legal_entity()
    NamePolicyOverride.objects.create(legal_entity=new_entity, letter_case="upper")
    for entity, arrival in (
        (old_entity, dt.date(2025, 1, 5)),
        (new_entity, dt.date(2026, 3, 1)),
    ):
        reservation = make_reservation(
            entity, arrival=arrival, departure=arrival + dt.timedelta(days=2)
        )
        stay_create(reservation=reservation, person=person)
    run_job(django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert (person.surname, person.given_names) == ("КРУПКИН", "ИЛЬЯ")


def test_nothing_to_change_ends_unchanged(django_capture_on_commit_callbacks):
    russian()
    job = run_job(django_capture_on_commit_callbacks)
    assert job.status == EmisJob.Status.SUCCEEDED
    assert job.result == EmisJob.Result.UNCHANGED
    assert not PersonChange.objects.filter(source="policy").exists()


def test_progress_is_kept_per_batch(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(reapply, "BATCH_SIZE", 2)
    people = [russian(surname_latin=f"KRUPKIN{'A' * i}") for i in range(5)]
    set_policy(script="latin")
    job = run_job(django_capture_on_commit_callbacks)
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert sorted(Person.objects.values_list("surname", flat=True)) == sorted(
        p.surname_latin.capitalize() for p in people
    )


def test_an_invalid_new_name_skips_that_profile_only(
    django_capture_on_commit_callbacks,
):
    too_long = make_person(surname="Щ", surname_cyrillic="Щ" * 200)
    fine = russian()
    set_policy(script="latin")
    job = run_job(django_capture_on_commit_callbacks)
    assert job.status == EmisJob.Status.SUCCEEDED
    assert reapply.job_progress(job)["skipped_person_ids"] == str(too_long.pk)
    assert Person.objects.get(pk=too_long.pk).surname == "Щ"
    assert Person.objects.get(pk=fine.pk).surname == "Krupkin"


def test_an_unexpected_error_fails_the_job(
    django_capture_on_commit_callbacks, monkeypatch
):
    russian()
    set_policy(script="latin")

    def broken(person_id, policy):
        raise RuntimeError("database went away")

    monkeypatch.setattr(reapply, "_reapply_one", broken)
    job = run_job(django_capture_on_commit_callbacks)
    assert job.status == EmisJob.Status.FAILED
    assert reapply.job_progress(job)["error"] == "RuntimeError"
    assert job.finished_at is not None


def test_a_second_start_returns_the_active_job():
    first, created = reapply.reapply_job_get_or_create()
    assert created
    assert reapply.reapply_job_get_or_create() == (first, False)
    assert EmisJob.objects.filter(kind="reapply_names").count() == 1


def test_a_stale_job_does_not_block_a_new_one(settings):
    settings.EMIS_REAPPLY_STALE_AFTER = 60
    first, _created = reapply.reapply_job_get_or_create()
    EmisJob.objects.filter(pk=first.pk).update(
        created_at=first.created_at - dt.timedelta(minutes=5)
    )
    assert reapply.reapply_job_get_or_create()[0].pk != first.pk


def test_a_duplicate_delivery_of_the_task_does_nothing(
    django_capture_on_commit_callbacks,
):
    russian()
    set_policy(script="latin")
    job = run_job(django_capture_on_commit_callbacks)
    set_policy(script="cyrillic")
    reapply.reapply_job_run(job_id=job.pk)  # already succeeded: not claimed again
    assert Person.objects.get().surname == "Krupkin"
