"""The dialog's "Получить данные документов": start a job, follow its
fragment (emis/job_fragments.py) to the end."""

import copy
import html
import json
import re
from pathlib import Path

import pytest
import responses

from emis.field_labels import changed_field_labels
from emis.models import EmisJob
from tests.factories import EMIS_BASE, make_legal_entity

EXAMPLE = json.loads(
    (Path("/work/shared/emis-examples/person-russian-citizen.json")).read_text()
)


def emis_person(person_id, **changes):
    data = copy.deepcopy(EXAMPLE)
    data["person_id"] = str(person_id)
    data.update(changes)
    return data


def box(response) -> dict:
    """What the job's fragment says: id, status, whether it asks again (not
    final), its text, and the error code it names."""
    page = response.content.decode()
    job = re.search(r'id="job-(\d+)"', page)
    status = re.search(r'data-job-status="([^"]+)"', page)
    error = re.search(r'data-emis-error="([^"]*)"', page)
    text = re.search(r"<span data-emis-status-text[^>]*>(.*?)</span>", page, re.S)
    return {
        "id": int(job.group(1)) if job else None,
        "status": status.group(1) if status else None,
        "final": "hx-trigger=" not in page,
        "text": html.unescape(text.group(1)).strip() if text else "",
        "error": error.group(1) if error else None,
        "retry": "data-emis-retry" in page,
    }


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
    job = box(response)
    url = f"/emis/persons/{person_id}/jobs/{job['id']}/"
    front_desk_client.cookies["django_language"] = "en"
    page = front_desk_client.get(url)
    state = box(page)
    assert state["final"] is True and state["status"] == "succeeded"
    assert re.match(r"Updated \d+ fields?: ", state["text"])
    assert "birth place" in page.content.decode()  # in the folded details
    assert EmisJob.objects.get().result == "applied"
    assert "birth_place" in EmisJob.objects.get().changed_fields
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
    first = box(run_jobs(front_desk_client, stay, entity))
    front_desk_client.get(f"/emis/persons/{person_id}/jobs/{first['id']}/")
    job = box(run_jobs(front_desk_client, stay, entity))
    front_desk_client.cookies["django_language"] = "en"
    state = box(front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/"))
    assert state["status"] == "succeeded"
    assert state["text"] == "EMIS has no new data for this guest"
    assert EmisJob.objects.get(pk=job["id"]).result == "unchanged"


@responses.activate
def test_permanent_emis_error_fails_the_job_with_a_plain_message(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(f"{EMIS_BASE}/api/v1/persons/{person_id}", status=401, json={})
    job = box(run_jobs(front_desk_client, stay, entity))
    front_desk_client.cookies["django_language"] = "en"
    state = box(front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/"))
    assert state["status"] == "failed" and state["final"] is True
    assert state["error"] == "api_auth_failed"
    assert "API credentials" in state["text"]
    assert state["retry"]  # "Try again" posts the pull once more


def test_pull_when_integration_inactive_is_503(front_desk_client, stay, entity):
    response = pull(front_desk_client, stay, entity)
    assert response.status_code == 503
    assert box(response)["error"] == "not_configured"
    assert not EmisJob.objects.exists()


def test_pull_needs_an_active_legal_entity(front_desk_client, emis_connection, stay):
    inactive = make_legal_entity(is_active=False)
    response = pull(front_desk_client, stay, inactive)
    # 403 like the contract's inactive integration (issue 8, item 5; see
    # tests/security/test_pull_upload_scope.py); an unknown one stays a 400.
    assert response.status_code == 403
    assert box(response)["error"] == "legal_entity_inactive"
    unknown = front_desk_client.post(
        f"/emis/persons/{stay.person.pk}/pull/", {"legal_entity": 424242}
    )
    assert unknown.status_code == 400
    assert box(unknown)["error"] == "bad_request"
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
    job = box(run_jobs(front_desk_client, stay, entity))
    front_desk_client.cookies["django_language"] = "en"
    state = box(front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/"))
    assert state["final"] is True and state["status"] == "succeeded"
    assert state["text"].startswith("EMIS has no data for this guest yet.")


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
    url = f"/emis/persons/{stay.person.pk}/jobs/{job.pk}/"
    response = front_desk_client.get(url)
    state = box(response)
    assert state["status"] == "queued" and state["final"] is False
    # It asks for itself again, in place.
    assert f'hx-get="{url}"' in response.content.decode()


def test_support_cannot_pull_or_poll(support_client, emis_connection, stay, entity):
    job = EmisJob.objects.create(person=stay.person, legal_entity=entity)
    assert pull(support_client, stay, entity).status_code == 403
    url = f"/emis/persons/{stay.person.pk}/jobs/{job.pk}/"
    assert support_client.get(url).status_code == 403


def test_person_state_says_when_new_emis_data_arrived(front_desk_client, stay):
    url = f"/emis/persons/{stay.person.pk}/state/"
    # Nothing new since the card was rendered (no version yet): no content.
    assert front_desk_client.get(url, {"v": ""}).status_code == 204
    type(stay.person).objects.filter(pk=stay.person.pk).update(emis_version=4)
    front_desk_client.cookies["django_language"] = "en"
    moved = front_desk_client.get(url, {"v": ""})
    assert moved.status_code == 200
    assert moved["HX-Trigger"] == "emis-data-arrived"  # the card redraws itself
    assert front_desk_client.get(url, {"v": "4"}).status_code == 204
    assert front_desk_client.get("/emis/persons/987654/state/").status_code == 404


def test_dialog_actions_follow_the_chosen_legal_entity(front_desk_client, stay, entity):
    other = make_legal_entity(name="ООО Астра")
    closed = make_legal_entity(name="ООО Закрыто", is_active=False)
    url = f"/emis/persons/{stay.person.pk}/dialog/"
    reservation = stay.reservation.pk

    def actions(legal_entity):
        page = front_desk_client.get(
            url, {"legal_entity": legal_entity, "reservation": reservation}
        )
        assert page.status_code == 200
        return page.content.decode()

    own = actions(entity.pk)
    assert f'name="reservation" value="{reservation}"' in own
    assert " disabled" not in own
    # Another legal entity: the reservation (of the first one) stays behind.
    assert 'name="reservation"' not in actions(other.pk)
    assert " disabled" not in actions(other.pk)
    # Nothing chosen, or an inactive one: both buttons are off.
    for value in ("", closed.pk, "x"):
        assert actions(value).count(" disabled") == 2
    # A reservation the guest is not in is refused.
    foreign = front_desk_client.get(url, {"legal_entity": entity.pk, "reservation": 987654})
    assert foreign.status_code == 404


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


@pytest.mark.django_db
def test_the_pull_result_is_a_short_summary_without_internal_names():
    from django.utils import translation

    from emis.field_labels import changed_fields_summary

    paths = [
        "surname",
        "surname_latin",
        "given_names",
        "transliterated_parts",
        "name_sources",
        "birth_date",
        "documents[national_passport DEU C01X00T47].number",
        "documents[national_passport DEU C01X00T47].expiry_date",
        "visas[RUS 123456789].valid_to",
        "visas[RUS 123456789].entries",
        "migration_card.number",
    ]
    with translation.override("ru"):
        changes = changed_fields_summary(paths)
    assert changes.count == 9  # each field once, bookkeeping left out
    assert changes.groups == ["Национальный паспорт", "виза", "миграционная карта", "ФИО"]
    assert changes.more is True  # the birth date is behind "…"
    assert "transliterated parts" not in " ".join(changes.labels)
    assert not any("C01X00T47" in label for label in changes.labels + changes.groups)
    assert not changed_fields_summary(["transliterated_parts"])


@responses.activate
def test_the_pull_result_reads_as_one_line_with_details_folded(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(
        f"{EMIS_BASE}/api/v1/persons/{person_id}", json=emis_person(person_id)
    )
    job = box(run_jobs(front_desk_client, stay, entity))
    page = front_desk_client.get(f"/emis/persons/{person_id}/jobs/{job['id']}/")
    html_text = page.content.decode()
    line = box(page)["text"]
    assert re.match(r"Обновлено \d+ пол(е|я|ей): Паспорт гражданина РФ, ФИО, ", line), line
    assert "transliterated" not in html_text and "транслит" not in line
    details = re.search(r"<details [^>]*data-emis-changed>(.*?)</details>", html_text, re.S)
    assert details and "<summary>Какие поля</summary>" in details.group(1)
    assert "место рождения" in details.group(1)


@responses.activate
def test_applied_pull_tells_the_card_to_draw_itself_again(
    front_desk_client, emis_connection, stay, entity, run_jobs
):
    person_id = stay.person.pk
    responses.get(
        f"{EMIS_BASE}/api/v1/persons/{person_id}", json=emis_person(person_id)
    )
    job = box(run_jobs(front_desk_client, stay, entity))
    answer = front_desk_client.get(
        f"/emis/persons/{person_id}/jobs/{job['id']}/", HTTP_HX_REQUEST="true"
    )
    # No reload (it would lose what the clerk typed): the card listens for
    # this event and asks for itself again, typing kept.
    assert answer["HX-Trigger"] == "emis-data-arrived"
    assert "HX-Redirect" not in answer and "HX-Refresh" not in answer


def test_a_second_start_follows_the_open_pull_and_a_reload_shows_it(
    front_desk_client, emis_connection, stay, entity, django_capture_on_commit_callbacks
):
    """Outside walkthrough: F5 during a pull emptied the dialog's status and
    a second "Получить данные документов" asked EMIS again."""
    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = box(pull(front_desk_client, stay, entity))
        again = box(pull(front_desk_client, stay, entity))
    assert first["id"] == again["id"] and not again["final"]
    assert EmisJob.objects.count() == 1
    assert len(sent) == 1  # one message to the worker, not two racing
    guest = front_desk_client.get(
        f"/reservations/{stay.reservation_id}/guests/{stay.pk}/"
    ).content.decode()
    status = re.search(r'<div id="emis-status"[^>]*>', guest).group(0)
    assert f'hx-get="/emis/persons/{stay.person.pk}/jobs/{first["id"]}/"' in status
    assert 'hx-trigger="load"' in status
    # Once it ends, the next start is a new pull, and the reload shows none.
    EmisJob.objects.filter(pk=first["id"]).update(status=EmisJob.Status.SUCCEEDED)
    guest = front_desk_client.get(
        f"/reservations/{stay.reservation_id}/guests/{stay.pk}/"
    ).content.decode()
    assert "hx-get" not in re.search(r'<div id="emis-status"[^>]*>', guest).group(0)
    with django_capture_on_commit_callbacks(execute=False):
        third = box(pull(front_desk_client, stay, entity))
    assert third["id"] != first["id"] and EmisJob.objects.count() == 2


def test_the_api_answers_the_open_pull_too(
    front_desk_client, emis_connection, stay, entity, django_capture_on_commit_callbacks
):
    url = f"/api/v1/persons/{stay.person.pk}/emis/pull/"
    with django_capture_on_commit_callbacks(execute=False) as sent:
        body = {"legal_entity": entity.pk}
        first = front_desk_client.post(url, body, content_type="application/json")
        again = front_desk_client.post(url, body, content_type="application/json")
    assert first.status_code == again.status_code == 202
    assert first.json()["job"] == again.json()["job"]
    assert again.json()["status"] == "queued" and len(sent) == 1
