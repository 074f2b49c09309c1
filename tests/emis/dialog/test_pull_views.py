"""The dialog's "Получить данные документов": start a job, poll it."""

import copy
import json
from pathlib import Path

import pytest
import responses

from emis.models import EmisJob
from emis.views import changed_field_labels
from tests.factories import EMIS_BASE, make_legal_entity

EXAMPLE = json.loads(
    (Path("/work/shared/emis-examples/person-russian-citizen.json")).read_text()
)


def emis_person(person_id, **changes):
    data = copy.deepcopy(EXAMPLE)
    data["person_id"] = str(person_id)
    data.update(changes)
    return data


def pull(client, stay, entity):
    return client.post(
        f"/emis/persons/{stay.person.pk}/pull/", {"legal_entity": entity.pk}
    )


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Jobs are dispatched on commit; tests run inside one transaction."""

    def post(client, stay, entity):
        with django_capture_on_commit_callbacks(execute=True):
            return pull(client, stay, entity)

    return post


@responses.activate
def test_pull_applies_and_reports_changed_fields(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(
        f"{EMIS_BASE}/api/v1/persons/{person_id}", json=emis_person(person_id)
    )

    response = run_jobs(front_desk_client, stay, entity)

    assert response.status_code == 202
    job = response.json()
    url = f"/emis/persons/{person_id}/jobs/{job['id']}/"
    front_desk_client.cookies["django_language"] = "en"
    state = front_desk_client.get(url).json()
    assert state["final"] is True
    assert (state["status"], state["result"]) == ("succeeded", "applied")
    assert "birth_place" in state["changed_fields"]
    assert "birth place" in state["changed_labels"]
    # The request went to EMIS with this person and this legal entity.
    sent = responses.calls[0].request
    assert sent.url.endswith(f"/api/v1/persons/{person_id}?legal_entity_id={entity.pk}")
    stay.person.refresh_from_db()
    assert stay.person.birth_place == "ГОР. МОСКВА"
    assert EmisJob.objects.get().created_by is not None


@responses.activate
def test_second_pull_reports_nothing_new(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(
        f"{EMIS_BASE}/api/v1/persons/{person_id}", json=emis_person(person_id)
    )
    run_jobs(front_desk_client, stay, entity)
    job = run_jobs(front_desk_client, stay, entity).json()
    state = front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/").json()
    assert (state["status"], state["result"]) == ("succeeded", "unchanged")
    assert state["changed_labels"] == []


@responses.activate
def test_permanent_emis_error_fails_the_job_with_a_plain_message(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(f"{EMIS_BASE}/api/v1/persons/{person_id}", status=401, json={})
    job = run_jobs(front_desk_client, stay, entity).json()
    front_desk_client.cookies["django_language"] = "en"
    state = front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/").json()
    assert state["status"] == "failed" and state["final"] is True
    assert state["error"]["code"] == "api_auth_failed"
    assert "API credentials" in state["error"]["message"]


def test_pull_when_integration_inactive_is_503(front_desk_client, stay, entity):
    response = pull(front_desk_client, stay, entity)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "not_configured"
    assert not EmisJob.objects.exists()


def test_pull_needs_an_active_legal_entity(front_desk_client, emis_connection, stay):
    inactive = make_legal_entity(is_active=False)
    response = pull(front_desk_client, stay, inactive)
    # 403 like the contract's inactive integration (issue 8, item 5; see
    # tests/security/test_pull_upload_scope.py); an unknown one stays a 400.
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "legal_entity_inactive"
    unknown = front_desk_client.post(
        f"/emis/persons/{stay.person.pk}/pull/", {"legal_entity": 424242}
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "bad_request"
    assert not EmisJob.objects.exists()


@responses.activate
def test_nothing_in_emis_yet_is_a_final_not_found(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(
        f"{EMIS_BASE}/api/v1/persons/{person_id}",
        status=404,
        json={"error": {"code": "person_not_found", "message": "-"}},
    )
    job = run_jobs(front_desk_client, stay, entity).json()
    state = front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/").json()
    assert state["final"] is True
    assert (state["status"], state["result"]) == ("succeeded", "not_found")


def test_pull_for_unknown_person_is_404(front_desk_client, emis_connection, entity):
    response = front_desk_client.post(
        "/emis/persons/987654/pull/", {"legal_entity": entity.pk}
    )
    assert response.status_code == 404
    assert not EmisJob.objects.exists()


def test_pull_is_post_only(front_desk_client, emis_connection, stay):
    assert (
        front_desk_client.get(f"/emis/persons/{stay.person.pk}/pull/").status_code
        == 405
    )


def test_pull_requires_csrf(front_desk, emis_connection, stay, entity):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    assert pull(client, stay, entity).status_code == 403


def test_job_of_another_person_is_404(front_desk_client, stay, entity):
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    other = stay.person.pk + 1000
    assert (
        front_desk_client.get(f"/emis/persons/{other}/jobs/{job.pk}/").status_code
        == 404
    )


def test_queued_job_is_not_final(front_desk_client, stay, entity):
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    state = front_desk_client.get(
        f"/emis/persons/{stay.person.pk}/jobs/{job.pk}/"
    ).json()
    assert state["status"] == "queued" and state["final"] is False


def test_support_cannot_pull_or_poll(support_client, emis_connection, stay, entity):
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    assert pull(support_client, stay, entity).status_code == 403
    url = f"/emis/persons/{stay.person.pk}/jobs/{job.pk}/"
    assert support_client.get(url).status_code == 403


def test_person_state_reports_emis_version(front_desk_client, stay):
    url = f"/emis/persons/{stay.person.pk}/state/"
    assert front_desk_client.get(url).json() == {"emis_version": None}
    type(stay.person).objects.filter(pk=stay.person.pk).update(emis_version=4)
    assert front_desk_client.get(url).json() == {"emis_version": 4}
    assert front_desk_client.get("/emis/persons/987654/state/").status_code == 404


@pytest.mark.django_db
def test_changed_field_labels_hide_document_numbers():
    from django.utils import translation

    with translation.override("en"):
        labels = changed_field_labels(
            [
                "surname",
                "birth_place",
                "documents[passport_rf 4510 123456].expiry_date",
                "documents[passport_rf 4510 123456].issuer",
                "documents[passport_rf 4510 123456].expiry_date",
                "migration_card.number",
                "something_new",
            ]
        )
    assert labels == [
        "surname",
        "birth place",
        "identity document: expiry date",
        "identity document: issued by",
        "migration card: number",
        "something_new",
    ]
    assert not any("123456" in label for label in labels)
