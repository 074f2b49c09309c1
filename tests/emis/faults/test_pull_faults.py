""" "Получить данные документов" against the real sandbox process while EMIS
misbehaves: a one-off fault is retried and the pull succeeds; a lasting
fault fails the job with a plain reason and leaves the profile untouched.
Without a broker, as here, the job's attempts are worked as the open
dialog's looks work them (``tests.factories.work_pull``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from emis.errors import EmisError
from emis.models import EmisJob
from emis.pull import MAX_RETRIES, job_as_dict
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_reservation,
    work_pull,
)
from tests.support.sandbox import sample_foreigner

from .conftest import free_port, snapshot

pytestmark = pytest.mark.sandbox

# fault name -> (sandbox fault, the job's error code when it never clears)
FAULTS = {
    "500": ({"status": 500}, "server_error"),
    "503": ({"status": 503}, "unavailable"),
    "429": ({"status": 429, "retry_after": 2}, "rate_limited"),
    "slow": ({"latency_ms": 3000}, "timeout"),
    "malformed_json": ({"malformed_json": True}, "bad_response"),
    "truncate_body": ({"truncate_body": True}, "unreachable"),
    "drop_connection": ({"drop_connection": True}, "unreachable"),
}
PERSONS = "/api/v1/persons"


@pytest.fixture(autouse=True)
def _short_read_timeout(settings):
    settings.EMIS_READ_TIMEOUT = 0.6  # far below the "slow" fault's latency


@pytest.fixture
def subject(wired, settings, sleeps, django_capture_on_commit_callbacks):
    """A guest whose profile already holds EMIS version 1; EMIS now has
    version 2 (a new document, another birth place) waiting to be pulled."""
    # A pull needs a stay with the legal entity (emis/scope.py).
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Eriksson").person
    wired.save_person(le.pk, sample_foreigner(person.pk))
    assert pull(person, le, django_capture_on_commit_callbacks)[0].result == "applied"
    v2 = sample_foreigner(person.pk, birth_place="STOCKHOLM")
    v2["documents"].append(
        {
            "kind": "residence_permit",
            "series": "82",
            "number": "7700991",
            "issue_date": "2025-01-10",
            "expiry_date": "2030-01-09",
            "issuer": "МВД",
            "issuer_code": None,
            "issuing_country": "RUS",
            "source": "visual",
        }
    )
    wired.save_person(le.pk, v2)
    wired.reset_counts = wired.request_counts()  # the first pull's request
    sleeps.clear()
    return person, le


def pull(person, le, capture) -> tuple[EmisJob, list[float]]:
    """The job, ended, and the waits between its attempts."""
    with capture(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    return job, work_pull(job)


def person_requests(sandbox) -> int:
    before = sandbox.reset_counts.get(PERSONS, 0)
    return sandbox.request_counts().get(PERSONS, 0) - before


def assert_v2_applied(person) -> None:
    after = snapshot(person.pk)
    assert after["person"]["birth_place"] == "STOCKHOLM"
    assert after["emis"][0] == 2
    assert [d["number"] for d in after["documents"]] == ["L898902C3", "7700991"]
    assert any(f == "birth_place" and s == "pull" for f, _o, _n, s in after["history"])


@pytest.mark.parametrize(
    ("layer", "max_attempts"), [("client", 3), ("task", 1)], ids=["client", "task"]
)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_one_off_fault_is_retried_and_the_pull_succeeds(
    subject,
    wired,
    settings,
    sleeps,
    django_capture_on_commit_callbacks,
    fault,
    layer,
    max_attempts,
):
    """``client``: the HTTP client's own bounded retry absorbs the fault
    within one job attempt. ``task``: the client gives up at once and the
    job goes back to the queue, then succeeds on its second attempt."""
    settings.EMIS_MAX_ATTEMPTS = max_attempts
    person, le = subject
    spec, _code = FAULTS[fault]
    wired.set_faults(**spec, times=1, paths=[PERSONS])
    job, waits = pull(person, le, django_capture_on_commit_callbacks)
    if fault == "malformed_json" and layer == "task":
        # A body that is not JSON is read again by the client only (it is
        # "bad_response", permanent for the job): with one HTTP attempt
        # allowed the job fails at once, having applied nothing.
        assert (job.status, job.error_code, job.attempts) == (
            "failed",
            "bad_response",
            1,
        )
        assert snapshot(person.pk)["emis"][0] == 1
        return
    assert (job.status, job.result) == ("succeeded", "applied"), job.error_code
    assert job.attempts == (1 if layer == "client" else 2)
    assert job_as_dict(job)["error"] is None
    assert person_requests(wired) == 2
    assert_v2_applied(person)
    if layer == "client":
        # EMIS's Retry-After, or the client's own back-off, within the call.
        assert sleeps == ([2.0] if fault == "429" else [0.05]) and waits == []
    else:
        # EMIS's Retry-After, or the job's own back-off (2 ** attempt): never
        # slept, the job's next attempt is due then.
        assert sleeps == [] and waits == [2.0]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_lasting_fault_fails_with_a_plain_reason_and_applies_nothing(
    subject, wired, settings, sleeps, django_capture_on_commit_callbacks, fault
):
    settings.EMIS_MAX_ATTEMPTS = 1
    person, le = subject
    before = snapshot(person.pk)
    spec, code = FAULTS[fault]
    wired.set_faults(**spec, paths=[PERSONS])
    job, _waits = pull(person, le, django_capture_on_commit_callbacks)
    assert job.status == "failed"
    error = job_as_dict(job)["error"]
    assert error == {"code": code, "message": EmisError(code).message}
    assert_plain(job.error_message)
    expected_attempts = 1 if EmisError(code).permanent else MAX_RETRIES + 1
    assert job.attempts == expected_attempts
    assert person_requests(wired) == expected_attempts
    assert snapshot(person.pk) == before


def assert_plain(text: str) -> None:
    """A sentence for staff, not a library's exception text."""
    assert text
    for technical in ("Traceback", "Error(", "HTTPConnectionPool", "Errno", "http"):
        assert technical not in text, text


def test_emis_down_fails_unreachable_after_the_retries(
    subject, wired, settings, sleeps, django_capture_on_commit_callbacks
):
    settings.EMIS_MAX_ATTEMPTS = 2
    person, le = subject
    before = snapshot(person.pk)
    connect_to_sandbox(wired, base_url=f"http://127.0.0.1:{free_port()}")
    job, waits = pull(person, le, django_capture_on_commit_callbacks)
    assert (job.status, job.attempts) == ("failed", MAX_RETRIES + 1)
    assert job_as_dict(job)["error"]["code"] == "unreachable"
    assert_plain(job.error_message)
    # Each job attempt: one retry in the client, then the job's back-off.
    assert sleeps == [0.05] * (MAX_RETRIES + 1)
    assert waits == [2.0, 4.0, 8.0, 16.0]
    assert snapshot(person.pk) == before


def test_refused_credentials_fail_at_once_without_retrying(
    subject, wired, settings, sleeps, django_capture_on_commit_callbacks
):
    settings.EMIS_MAX_ATTEMPTS = 3
    person, le = subject
    before = snapshot(person.pk)
    connect_to_sandbox(wired, api_password="not-the-api-password")
    job, waits = pull(person, le, django_capture_on_commit_callbacks)
    assert (job.status, job.attempts, waits) == ("failed", 1, [])
    assert job_as_dict(job)["error"] == {
        "code": "api_auth_failed",
        "message": EmisError("api_auth_failed").message,
    }
    assert person_requests(wired) == 1 and sleeps == []
    assert snapshot(person.pk) == before


def test_the_dialog_api_shows_the_plain_reason(
    subject,
    wired,
    settings,
    sleeps,
    front_desk_client,
    django_capture_on_commit_callbacks,
):
    settings.EMIS_MAX_ATTEMPTS = 1
    person, le = subject
    wired.set_faults(drop_connection=True, paths=[PERSONS])
    with django_capture_on_commit_callbacks(execute=True):
        started = front_desk_client.post(
            f"/api/v1/persons/{person.pk}/emis/pull/",
            {"legal_entity": le.pk},
            content_type="application/json",
        )
    assert started.status_code == 202
    url = f"/api/v1/emis/jobs/{started.json()['job']}/"
    # Without a broker the API client's look works the due attempt.
    job = front_desk_client.get(url).json()
    assert (job["status"], job["attempts"], job["max_attempts"]) == ("queued", 1, 5)
    assert job["next_attempt_at"] is not None
    assert job["error"]["code"] == "unreachable"  # the reason, while retrying
    assert_plain(job["error"]["message"])
    while job["status"] == "queued":  # the clock reaches each next attempt
        EmisJob.objects.filter(pk=job["id"]).update(next_attempt_at=timezone.now())
        job = front_desk_client.get(url).json()
    assert (job["status"], job["attempts"], job["next_attempt_at"]) == ("failed", 5, None)
    assert job["error"]["code"] == "unreachable"
    assert_plain(job["error"]["message"])
