"""Pull jobs: the services, the task (eager) and the REST API, with EMIS
http at the HTTP seam. Without a broker, as here, a job's attempts are
worked by looks at it: the API's GET, or ``tests.factories.work_pull``."""

import pytest

from emis.models import EmisJob
from emis.pull import job_as_dict, job_run_pull
from integrations.models import ConnectorCall
from reservations.models import PersonChange
from reservations.services import stay_create
from tests.factories import (
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_person,
    make_reservation,
    make_user,
    work_pull,
)

from .conftest import BASE_URL, russian

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    # One HTTP attempt per job attempt and no sleeping: the retry schedule
    # under test is the job's own.
    settings.EMIS_MAX_ATTEMPTS = 1
    settings.EMIS_RETRY_BACKOFF = (0,)


@pytest.fixture
def subject(connection):
    # A pull needs a stay with the legal entity it names (emis/scope.py).
    le = make_legal_entity()
    return make_guest(make_reservation(le), "Репин").person, le


def person_url(person_id: int) -> str:
    return f"{BASE_URL}/api/v1/persons/{person_id}"


def emis_error(code: str) -> dict:
    return {"error": {"code": code, "message": "..."}}


def start(client, person, le):
    return client.post(
        f"/api/v1/persons/{person.pk}/emis/pull/",
        {"legal_entity": le.pk},
        content_type="application/json",
    )


def test_pull_applies_and_the_job_api_reports_it(
    front_desk_client, subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), json=russian(person.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = start(front_desk_client, person, le)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert not http.calls  # the POST only queues; the job's look works it
    job = front_desk_client.get(f"/api/v1/emis/jobs/{body['job']}/").json()
    call = http.calls[0].request
    assert call.params == {"legal_entity_id": str(le.pk)}
    assert job["status"] == "succeeded" and job["result"] == "applied"
    assert job["error"] is None
    assert "surname_latin" in job["changed_fields"]
    # A document's series is masked with its number, as in logs (outside
    # re-check: the job showed "passport_rf 4510 ****56").
    documents = [f for f in job["changed_fields"] if f.startswith("documents[")]
    assert documents and all(f.startswith("documents[passport_rf ****") for f in documents)
    assert not any("4510" in f for f in job["changed_fields"])
    person.refresh_from_db()
    assert person.surname_latin == "KRUPKIN"
    assert PersonChange.objects.filter(person=person, source="pull").exists()


def test_pull_of_an_unchanged_person(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), json=russian(person.pk))
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=user)
    work_pull(first)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=user)
    assert job.pk != first.pk  # the first had ended: a new pull
    work_pull(job)
    assert (job.status, job.result, job.changed_fields) == (
        "succeeded",
        "unchanged",
        [],
    )


def test_emis_404_is_succeeded_not_found(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), status=404, json=emis_error("person_not_found"))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert job_as_dict(job) == {
        "id": job.pk,
        "status": "succeeded",
        "result": "not_found",
        "changed_fields": [],
        "attempts": 1,
        "max_attempts": 5,
        "next_attempt_at": None,
        "conflicts": [],
        "error": None,
    }


def test_nothing_in_emis_is_no_integration_error_on_the_integrations_page(
    subject, http, admin_client_, django_capture_on_commit_callbacks, settings
):
    """Стыковки shows the call as EMIS answering (its last success), never
    as the connection's last error: the clerk's information, not admins'."""
    settings.LANGUAGE_CODE = "en"
    person, le = subject
    http.get(person_url(person.pk), status=404, json=emis_error("person_not_found"))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    (call,) = ConnectorCall.objects.all()
    assert (call.operation, call.ok) == ("get_person", True)
    assert (call.http_status, call.error_code) == (404, "person_not_found")
    row = admin_client_.get("/integrations/").content.decode()
    row = row.split('data-connector="emis"')[1].split("</tr>")[0]
    assert "EMIS has no data for this guest" not in row
    assert 'class="error"' not in row
    assert call.created_at.strftime("%Y") in row  # shown as the last success

    # A real failure still is one.
    http.get(person_url(person.pk), status=401, json=emis_error("api_auth_failed"))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    row = admin_client_.get("/integrations/").content.decode()
    assert "EMIS refused the API credentials" in row


def test_transient_failure_goes_back_to_queued_with_the_error_visible(subject, http):
    person, le = subject
    http.get(person_url(person.pk), status=503)
    job = EmisJob.objects.create(person=person, legal_entity=le)
    outcome = job_run_pull(job_id=job.pk)
    job.refresh_from_db()
    assert outcome.retry_in == 2.0  # 2 ** attempt
    assert (job.status, job.attempts, job.error_code) == ("queued", 1, "unavailable")
    assert job_as_dict(job)["error"]["code"] == "unavailable"
    # The next attempt is due then: the row holds the schedule.
    waited = (job.next_attempt_at - job.started_at).total_seconds()
    assert 2.0 <= waited < 3.0
    assert job_as_dict(job)["next_attempt_at"] == job.next_attempt_at


def test_retry_after_from_emis_sets_the_countdown(subject, http):
    person, le = subject
    http.get(
        person_url(person.pk),
        status=429,
        headers={"Retry-After": "42"},
        json=emis_error("rate_limited"),
    )
    job = EmisJob.objects.create(person=person, legal_entity=le)
    assert job_run_pull(job_id=job.pk).retry_in == 42.0


def test_transient_failure_is_retried_then_succeeds(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), status=503)
    http.get(person_url(person.pk), status=502)
    http.get(person_url(person.pk), json=russian(person.pk))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    assert work_pull(job) == [2.0, 4.0]
    assert (job.status, job.result, job.attempts) == ("succeeded", "applied", 3)
    assert job_as_dict(job)["error"] is None
    assert len(http.calls) == 3


def test_transient_failure_gives_up_after_four_retries(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), status=503)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    assert work_pull(job) == [2.0, 4.0, 8.0, 16.0]
    assert (job.status, job.attempts) == ("failed", 5)
    assert job_as_dict(job)["error"]["code"] == "unavailable"
    assert len(http.calls) == 5


@pytest.mark.parametrize(
    ("status", "code"), [(401, "api_auth_failed"), (400, "bad_request")]
)
def test_permanent_failure_fails_at_once(
    subject, http, django_capture_on_commit_callbacks, status, code
):
    person, le = subject
    http.get(person_url(person.pk), status=status, json=emis_error(code))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    assert work_pull(job) == []
    assert (job.status, job.attempts) == ("failed", 1)
    error = job_as_dict(job)["error"]
    assert error["code"] == code and error["message"]


def test_inactive_integration_fails_not_configured(
    subject, connection, django_capture_on_commit_callbacks
):
    person, le = subject
    connection.is_active = False
    connection.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.error_code) == ("failed", "not_configured")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(sex="unknown"),
        lambda d: d.update(person_id="999999999"),  # another guest's data
    ],
)
def test_data_breaking_the_contract_fails_bad_response(
    subject, http, django_capture_on_commit_callbacks, mutate
):
    person, le = subject
    data = russian(person.pk)
    mutate(data)
    http.get(person_url(person.pk), json=data)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.error_code) == ("failed", "bad_response")
    person.refresh_from_db()
    assert person.surname_latin == ""


def test_enqueue_refuses_unsaved_guest_and_inactive_legal_entity(front_desk_client, db):
    le = make_legal_entity()
    person = make_person()
    response = front_desk_client.post(
        "/api/v1/persons/999999/emis/pull/",
        {"legal_entity": le.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    inactive = make_legal_entity(is_active=False)
    # An inactive legal entity is refused (issue 8, item 5): in the API a
    # rule of the request, 400 with its code (issue 14).
    stay_create(reservation=make_reservation(inactive), person=person)
    refused = start(front_desk_client, person, inactive)
    assert refused.status_code == 400
    assert refused.json()["code"] == "legal_entity_inactive"
    with pytest.raises(ValueError):
        enqueue_pull(person_id=None, legal_entity_id=le.pk, user=None)
    response = front_desk_client.post(
        f"/api/v1/persons/{person.pk}/emis/pull/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not EmisJob.objects.exists()


def test_enqueue_dispatches_only_at_commit(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    http.get(person_url(person.pk), json=russian(person.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    job.refresh_from_db()
    assert job.status == "queued" and len(callbacks) == 1
    assert not http.calls


def test_api_needs_the_front_desk_role(client, support_client, subject):
    person, le = subject
    assert start(client, person, le).status_code in (401, 403)
    assert start(support_client, person, le).status_code == 403
    job = EmisJob.objects.create(person=person, legal_entity=le)
    assert support_client.get(f"/api/v1/emis/jobs/{job.pk}/").status_code == 403


def test_job_api_shape_for_a_failed_job(admin_client_, subject):
    person, le = subject
    job = EmisJob.objects.create(
        person=person, legal_entity=le, status="failed", error_code="api_auth_failed"
    )
    body = admin_client_.get(f"/api/v1/emis/jobs/{job.pk}/").json()
    assert body["status"] == "failed" and body["result"] is None
    assert body["error"]["code"] == "api_auth_failed"
    assert "API" in body["error"]["message"] or body["error"]["message"]
    assert admin_client_.get("/api/v1/emis/jobs/999999/").status_code == 404


def test_a_bug_fails_the_job_instead_of_leaving_it_running(
    subject, http, monkeypatch, django_capture_on_commit_callbacks
):
    import emis.pull

    def broken(**kwargs):
        raise RuntimeError("bug")

    person, le = subject
    http.get(person_url(person.pk), json=russian(person.pk))
    monkeypatch.setattr(emis.pull, "person_apply_documents", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    with pytest.raises(RuntimeError):  # the bug is reported, not swallowed
        work_pull(job)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job_as_dict(job)["error"]["code"] == "internal_error"
    assert job_as_dict(job)["error"]["message"]


def test_a_re_pull_applies_a_switched_name_policy(
    subject, http, django_capture_on_commit_callbacks
):
    """Same EMIS data, policy switched to Latin: the re-pull changes the main
    names' script (and only them); a second re-pull is "unchanged"."""
    from emis.models import NamePolicy

    person, le = subject
    http.get(person_url(person.pk), json=russian(person.pk))
    user = make_user()

    def pull() -> EmisJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=user)
        work_pull(job)
        return job

    assert pull().result == "applied"
    person.refresh_from_db()
    assert person.surname == "Крупкин"
    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    job = pull()
    assert job.result == "applied"
    assert set(job.changed_fields) <= {"surname", "given_names", "patronymic", "transliterated_parts"}
    person.refresh_from_db()
    assert person.surname == "Krupkin"
    assert person.surname_cyrillic == "Крупкин"  # stored script untouched
    assert pull().result == "unchanged"


def test_a_pull_of_broken_data_names_each_field_with_its_reason(
    subject, http, django_capture_on_commit_callbacks
):
    """The job's message names the fields as the delivery log does, in the
    reader's language; the API reports the same."""
    from django.utils import translation

    person, le = subject
    data = russian(person.pk, sex="X")
    data["documents"][0]["expiry_date"] = "31.12.2030"
    http.get(person_url(person.pk), json=data)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.error_code, job.attempts) == ("failed", "bad_response", 1)
    with translation.override("en"):
        message = job_as_dict(job)["error"]["message"]
    assert message == (
        "EMIS answered with data that breaks the contract. Bad fields: "
        "person.sex — must be one of F, M; "
        "person.documents[0].expiry_date — must be a date YYYY-MM-DD"
    )
    with translation.override("ru"):
        message = job_as_dict(job)["error"]["message"]
    assert "person.documents[0].expiry_date — должно быть датой ГГГГ-ММ-ДД" in message


def test_a_pull_with_hundreds_of_bad_fields_keeps_whole_fields(
    subject, http, django_capture_on_commit_callbacks
):
    person, le = subject
    data = russian(person.pk)
    data["visas"] = [{"number": None, "valid_from": "x"} for _ in range(50)]
    http.get(person_url(person.pk), json=data)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert len(job.error_message) <= 500 and job.error_message.endswith("; …")
    for part in job.error_message.split("; ")[:-1]:
        assert part.startswith("person.visas[") and " — " in part
