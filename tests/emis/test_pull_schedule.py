"""Bounded waits without a broker (emis/pull_schedule.py): the POST only
queues, each look at the job works at most one attempt within the request
budget, the retries wait in the job row, never in a request. EMIS answers at
the HTTP seam (``responses``); the attempts made within each request are
counted, never the time they take."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
import requests
from django.utils import timezone

from emis.models import EmisJob
from emis.pull import MAX_ATTEMPTS
from reservations.models import Person
from tests.factories import EMIS_BASE, make_guest, make_legal_entity, make_reservation

from .conftest import russian

pytestmark = pytest.mark.django_db


@pytest.fixture
def sleeps(monkeypatch):
    """A request that sleeps between attempts would show here."""
    asked: list[float] = []
    monkeypatch.setattr("emis.client.time.sleep", asked.append)
    return asked


@pytest.fixture
def guest(emis_connection, front_desk_client):
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Репин").person
    front_desk_client.cookies["django_language"] = "en"
    return person, le


def person_url(person: Person) -> str:
    return f"{EMIS_BASE}/api/v1/persons/{person.pk}"


def fragment(response) -> dict:
    """What the pull's fragment shows: its status, the attempt and phase, the
    text a clerk reads, whether it offers "Cancel", and when it asks again."""
    page = response.content.decode()
    found = {
        name: re.search(pattern, page)
        for name, pattern in {
            "id": r'id="job-(\d+)"',
            "status": r'data-job-status="([^"]+)"',
            "attempt": r'data-emis-attempt="(\d+)"',
            "phase": r'data-emis-phase="([^"]+)"',
            "trigger": r'hx-trigger="([^"]+)"',
        }.items()
    }
    values = {name: m.group(1) if m else None for name, m in found.items()}
    text = re.sub(r"<button.*?</button>|<[^>]+>", " ", page, flags=re.S)
    return {
        **values,
        "text": " ".join(html.unescape(text).split()),
        "cancel": "data-emis-job-cancel" in page,
    }


def start(client, person, le, capture):
    with capture(execute=True):  # the views send the job on commit
        response = client.post(
            f"/emis/persons/{person.pk}/pull/", {"legal_entity": le.pk}
        )
    assert response.status_code == 202
    return EmisJob.objects.get(pk=fragment(response)["id"]), response


def look(client, job):
    """The fragment asking for itself, as the open dialog does."""
    return client.get(f"/emis/persons/{job.person_id}/jobs/{job.pk}/")


def clock_reaches_next_attempt(job) -> None:
    EmisJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())


def test_the_post_only_queues_and_offers_cancel_at_once(
    front_desk_client, guest, http, django_capture_on_commit_callbacks
):
    person, le = guest
    job, response = start(
        front_desk_client, person, le, django_capture_on_commit_callbacks
    )
    assert len(http.calls) == 0  # nothing asked of EMIS yet
    assert (job.status, job.attempts) == ("queued", 0)
    assert job.next_attempt_at <= timezone.now()
    shown = fragment(response)
    assert (shown["phase"], shown["attempt"]) == ("asking", "1")
    assert "Attempt 1 of 5: asking EMIS…" in shown["text"]
    assert shown["cancel"]
    assert shown["trigger"] == "load delay:0ms"  # the first look comes at once


def test_a_slow_emis_holds_each_look_for_one_attempt_and_the_retries_wait_in_the_row(
    front_desk_client, guest, http, sleeps, django_capture_on_commit_callbacks
):
    """The measured case: EMIS times out on every request. Each look makes
    exactly one HTTP attempt (3.05 + 10 s at most, within 15 s), the job is
    queued with its next attempt, and the clerk sees which attempt failed,
    why, when the next is due, and "Cancel"."""
    person, le = guest
    http.get(person_url(person), body=requests.exceptions.ReadTimeout("slow"))
    job, _ = start(front_desk_client, person, le, django_capture_on_commit_callbacks)

    shown = fragment(look(front_desk_client, job))
    assert len(http.calls) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error_code) == ("queued", 1, "timeout")
    waited = (job.next_attempt_at - job.started_at).total_seconds()
    assert 2.0 <= waited < 3.0
    assert (shown["phase"], shown["attempt"], shown["cancel"]) == ("waiting", "1", True)
    assert "Attempt 1 of 5 failed: EMIS did not answer in time" in shown["text"]
    assert re.search(r"Next attempt in [12] s, at \d\d:\d\d:\d\d\.", shown["text"])

    # Asked again before the next attempt is due: nothing is sent.
    assert fragment(look(front_desk_client, job))["phase"] == "waiting"
    assert len(http.calls) == 1

    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock_reaches_next_attempt(job)
        shown = fragment(look(front_desk_client, job))
        assert len(http.calls) == attempt  # one more, never two
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error_code) == ("failed", 5, "timeout")
    assert job.next_attempt_at is None
    assert shown["trigger"] is None and not shown["cancel"]  # final
    assert "EMIS did not answer in time" in shown["text"]
    assert "Attempts made: 5." in shown["text"]
    assert sleeps == []  # no request slept between attempts


def test_retry_after_is_scheduled_not_slept(
    front_desk_client, guest, http, sleeps, django_capture_on_commit_callbacks
):
    person, le = guest
    http.get(
        person_url(person),
        status=429,
        headers={"Retry-After": "42"},
        json={"error": {"code": "rate_limited", "message": "-"}},
    )
    job, _ = start(front_desk_client, person, le, django_capture_on_commit_callbacks)
    shown = fragment(look(front_desk_client, job))
    assert len(http.calls) == 1 and sleeps == []
    job.refresh_from_db()
    waited = (job.next_attempt_at - job.started_at).total_seconds()
    assert 42.0 <= waited < 43.0
    assert re.search(r"Next attempt in 4[12] s", shown["text"])


def test_two_looks_at_once_make_one_attempt(
    front_desk_client, guest, http, django_capture_on_commit_callbacks
):
    """Two tabs ask for the same due job at once: the claim by update lets
    one of them work it; the other shows the attempt running."""
    person, le = guest
    job, _ = start(front_desk_client, person, le, django_capture_on_commit_callbacks)
    seen_meanwhile = []

    def emis_answers(request):
        seen_meanwhile.append(fragment(look(front_desk_client, job)))
        return 200, {"Content-Type": "application/json"}, json.dumps(russian(person.pk))

    http.add_callback("GET", person_url(person), callback=emis_answers)
    final = fragment(look(front_desk_client, job))
    assert len(http.calls) == 1
    assert [(s["status"], s["phase"], s["attempt"]) for s in seen_meanwhile] == [
        ("running", "asking", "1")
    ]
    assert final["status"] == "succeeded" and final["text"].startswith("Updated ")


def test_an_attempt_lost_with_its_process_is_taken_over_after_its_lease(
    front_desk_client, guest, http
):
    person, le = guest
    http.get(person_url(person), json=russian(person.pk))
    later = timezone.now() + dt.timedelta(seconds=60)
    running = EmisJob.objects.create(
        person=person,
        legal_entity=le,
        status="running",
        attempts=1,
        next_attempt_at=later,
    )
    # Its lease runs: another look leaves it to the request that works it.
    assert fragment(look(front_desk_client, running))["status"] == "running"
    assert len(http.calls) == 0
    # The lease ran out (the process died): the next look takes it over.
    clock_reaches_next_attempt(running)
    look(front_desk_client, running)
    running.refresh_from_db()
    assert (running.status, running.result, running.attempts) == (
        "succeeded",
        "applied",
        2,
    )
    # The last attempt lost: the job fails, and EMIS is not asked a sixth time.
    last = EmisJob.objects.create(
        person=person,
        legal_entity=le,
        status="running",
        attempts=MAX_ATTEMPTS,
        next_attempt_at=timezone.now(),
    )
    look(front_desk_client, last)
    last.refresh_from_db()
    assert (last.status, last.error_code, len(http.calls)) == (
        "failed",
        "internal_error",
        1,
    )


def test_an_api_client_sees_the_attempts_and_the_next_one(
    front_desk_client, guest, http, django_capture_on_commit_callbacks
):
    person, le = guest
    http.get(person_url(person), body=requests.exceptions.ConnectTimeout("no route"))
    with django_capture_on_commit_callbacks(execute=True):
        started = front_desk_client.post(
            f"/api/v1/persons/{person.pk}/emis/pull/",
            {"legal_entity": le.pk},
            content_type="application/json",
        )
    assert started.status_code == 202 and len(http.calls) == 0
    body = front_desk_client.get(f"/api/v1/emis/jobs/{started.json()['job']}/").json()
    assert len(http.calls) == 1
    assert (body["status"], body["attempts"], body["max_attempts"]) == ("queued", 1, 5)
    assert body["next_attempt_at"] and body["error"]["code"] == "unreachable"


def test_with_a_worker_the_post_sends_the_task_and_a_look_works_nothing(
    front_desk_client,
    guest,
    http,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from emis import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(tasks.pull_person, "delay", sent.append)  # the broker
    person, le = guest
    job, response = start(
        front_desk_client, person, le, django_capture_on_commit_callbacks
    )
    assert sent == [job.pk]
    shown = fragment(look(front_desk_client, job))
    assert len(http.calls) == 0  # the worker works it, not the request
    assert (shown["phase"], shown["attempt"], shown["cancel"]) == ("queued", "1", True)
    assert "Attempt 1 of 5: queued…" in shown["text"]
    assert shown["trigger"] == "load delay:700ms"
