"""Cancelling a pull ("Отменить"): the service and the API. A cancelled job
is final with a plain reason, a worker that picks it up later does
nothing, and an attempt already running applies nothing."""

from __future__ import annotations

import json

import pytest
import requests
from django.test import Client

from emis.models import EmisJob
from emis.pull import job_cancel, job_run_pull
from emis.tasks import pull_person
from pms.roles import Role
from reservations.models import Person, PersonChange
from tests.factories import (
    EMIS_BASE,
    make_guest,
    make_legal_entity,
    make_reservation,
    make_user,
    work_pull,
)

from .conftest import russian

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest(emis_connection):
    le = make_legal_entity()
    return make_guest(make_reservation(le), "Репин").person, le


def person_url(person: Person) -> str:
    return f"{EMIS_BASE}/api/v1/persons/{person.pk}"


def cancel_url(job: EmisJob) -> str:
    return f"/api/v1/emis/jobs/{job.pk}/cancel/"


def queued_job(person, le) -> EmisJob:
    from emis.pull import job_enqueue_pull

    return job_enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)[0]


def pull_history(person) -> int:
    return PersonChange.objects.filter(person=person, source="pull").count()


def test_the_api_cancels_a_queued_pull_with_a_plain_reason(
    front_desk_client, guest, http
):
    person, le = guest
    job = queued_job(person, le)
    front_desk_client.cookies["django_language"] = "en"
    answer = front_desk_client.post(cancel_url(job))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["next_attempt_at"]) == ("cancelled", None)
    assert body["error"] == {
        "code": "cancelled",
        "message": "Cancelled by the operator.",
    }
    # Asked again: it has ended (cancelled), like any ended job: 409 with a
    # code; a look at it sends nothing to EMIS.
    again = front_desk_client.post(cancel_url(job))
    assert again.status_code == 409
    assert again.json()["code"] == "job_ended"
    assert again.json()["job"]["status"] == "cancelled"
    detail = front_desk_client.get(f"/api/v1/emis/jobs/{job.pk}/").json()
    assert detail["status"] == "cancelled" and len(http.calls) == 0
    front_desk_client.cookies["django_language"] = "ru"
    russian_body = front_desk_client.get(f"/api/v1/emis/jobs/{job.pk}/").json()
    assert russian_body["error"]["message"] == "Отменено оператором."


def test_a_job_that_ended_first_is_a_409_with_its_end(front_desk_client, guest, http):
    person, le = guest
    http.get(person_url(person), json=russian(person.pk))
    job = queued_job(person, le)
    work_pull(job)
    front_desk_client.cookies["django_language"] = "en"
    answer = front_desk_client.post(cancel_url(job))
    assert answer.status_code == 409
    body = answer.json()
    assert (body["code"], body["detail"]) == (
        "job_ended",
        "The job had already ended: there is nothing to cancel.",
    )
    assert (body["job"]["status"], body["job"]["result"]) == ("succeeded", "applied")
    job.refresh_from_db()
    assert job.status == "succeeded"


def test_only_pull_jobs_of_front_desk_can_be_cancelled(front_desk_client, guest):
    person, le = guest
    job = queued_job(person, le)
    sync = EmisJob.objects.create(kind=EmisJob.Kind.SYNC)
    support = Client()
    support.force_login(make_user(Role.SUPPORT))
    assert support.post(cancel_url(job)).status_code == 403
    assert Client().post(cancel_url(job)).status_code in (401, 403)
    assert front_desk_client.get(cancel_url(job)).status_code == 405
    assert front_desk_client.post(cancel_url(sync)).status_code == 404
    assert front_desk_client.post("/api/v1/emis/jobs/987654/cancel/").status_code == 404
    job.refresh_from_db()
    sync.refresh_from_db()
    assert (job.status, sync.status) == ("queued", "queued")


def test_an_attempt_running_when_cancelled_applies_nothing(guest, http):
    """The clerk cancels while EMIS is answering: the data that arrives is
    not applied, and the job stays cancelled with its plain reason."""
    person, le = guest
    job = queued_job(person, le)

    def emis_answers_after_the_cancel(request):
        assert job_cancel(job_id=job.pk) is True
        return 200, {"Content-Type": "application/json"}, json.dumps(russian(person.pk))

    http.add_callback("GET", person_url(person), callback=emis_answers_after_the_cancel)
    before = pull_history(person)
    assert work_pull(job) == []
    assert len(http.calls) == 1
    assert (job.status, job.result, job.error_code) == ("cancelled", "", "cancelled")
    person.refresh_from_db()
    assert person.surname_latin == "" and person.emis_version is None
    assert pull_history(person) == before


def test_an_attempt_failing_after_the_cancel_schedules_nothing(guest, http):
    person, le = guest
    job = queued_job(person, le)

    def emis_times_out_after_the_cancel(request):
        job_cancel(job_id=job.pk)
        raise requests.exceptions.ReadTimeout("slow")

    http.add_callback(
        "GET", person_url(person), callback=emis_times_out_after_the_cancel
    )
    outcome = job_run_pull(job_id=job.pk)
    assert outcome.retry_in is None  # no Celery retry, no next attempt
    job.refresh_from_db()
    assert (job.status, job.error_code, job.next_attempt_at) == (
        "cancelled",
        "cancelled",
        None,
    )


def test_a_worker_message_for_a_cancelled_job_does_nothing(guest, http):
    """Cancelled while it waited for its retry: the message Celery delivers
    at the countdown claims nothing and asks EMIS nothing."""
    person, le = guest
    http.get(person_url(person), status=503)
    job = queued_job(person, le)
    assert job_run_pull(job_id=job.pk).retry_in == 2.0  # the worker's attempt 1
    assert job_cancel(job_id=job.pk) is True
    http.replace("GET", person_url(person), json=russian(person.pk))
    pull_person.apply(args=[job.pk])  # the retry's message, delivered
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("cancelled", 1)
    assert len(http.calls) == 1  # the first attempt's only
    assert job_run_pull(job_id=job.pk).worked is False
