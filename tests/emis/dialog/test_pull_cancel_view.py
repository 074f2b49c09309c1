""" "Отменить" in the dialog's pull fragment: a POST with CSRF (htmx sends
the token header), front desk only; the answer is the job's final
fragment with its plain reason."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client

from emis.models import EmisJob
from pms.roles import Role
from tests.factories import EMIS_BASE, make_user


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def post(client, stay, entity):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/emis/persons/{stay.person.pk}/pull/", {"legal_entity": entity.pk}
            )

    return post


def urls(job: EmisJob) -> tuple[str, str]:
    base = f"/emis/persons/{job.person_id}/jobs/{job.pk}/"
    return base, base + "cancel/"


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(page.split())


def test_the_clerk_cancels_a_pull_waiting_for_a_slow_emis(
    front_desk_client, emis_connection, stay, entity, run_jobs, http
):
    http.get(
        f"{EMIS_BASE}/api/v1/persons/{stay.person.pk}",
        body=requests.exceptions.ReadTimeout("slow"),
    )
    started = run_jobs(front_desk_client, stay, entity)
    job = EmisJob.objects.get()
    look, cancel = urls(job)
    waiting = front_desk_client.get(look)  # the first look: attempt 1 times out
    assert f'hx-post="{cancel}"' in waiting.content.decode()
    assert f'hx-post="{cancel}"' in started.content.decode()  # from the start

    answer = front_desk_client.post(cancel, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-job-status="cancelled"' in page
    assert "hx-trigger=" not in page and "data-emis-job-cancel" not in page  # final
    assert "Отменено оператором." in text(answer)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.next_attempt_at) == (
        "cancelled",
        "cancelled",
        None,
    )
    # The dialog's fragment, asked again, says the same; EMIS is not asked.
    front_desk_client.cookies["django_language"] = "en"
    assert "Cancelled by the operator." in text(front_desk_client.get(look))
    assert len(http.calls) == 1


def test_cancel_is_a_post_with_csrf_for_front_desk(
    front_desk, emis_connection, stay, entity
):
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    _look, cancel = urls(job)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(front_desk)
    assert strict.post(cancel).status_code == 403  # no CSRF token
    assert strict.get(cancel).status_code == 405
    support = Client()
    support.force_login(make_user(Role.SUPPORT))
    assert support.post(cancel).status_code == 403
    anonymous = Client().post(cancel)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    other_person = f"/emis/persons/{stay.person.pk + 1000}/jobs/{job.pk}/cancel/"
    desk = Client()
    desk.force_login(front_desk)
    assert desk.post(other_person).status_code == 404
    job.refresh_from_db()
    assert job.status == "queued"


def test_a_pull_that_ended_first_shows_its_end(
    front_desk_client, emis_connection, stay, entity
):
    job = EmisJob.objects.create(
        person=stay.person, legal_entity=entity, status="succeeded", result="unchanged"
    )
    _look, cancel = urls(job)
    front_desk_client.cookies["django_language"] = "en"
    answer = front_desk_client.post(cancel)
    # The same answer as the API's (409), with the job's end and why nothing
    # was cancelled; htmx swaps it in like any answer.
    assert answer.status_code == 409
    assert "The job had already ended: there is nothing to cancel." in text(answer)
    assert "EMIS has no new data for this guest" in text(answer)
    again = front_desk_client.post(cancel)  # a second click: the same
    assert again.status_code == 409
    job.refresh_from_db()
    assert job.status == "succeeded"
