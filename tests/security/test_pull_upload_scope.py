"""Issue 8, item 5: the pull and the upload link only for a guest with a stay
in a reservation of the named legal entity (400 otherwise), and never under
an inactive legal entity (403, as the contract answers an inactive
integration). Page, API and worker run the same check (emis/scope.py)."""

import html
import re

import pytest
import responses

from emis.models import EmisJob, UploadLinkClick
from emis.pull import job_run_pull
from reservations.services import stay_create
from tests.factories import (
    EMIS_BASE,
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_person,
    make_reservation,
)
from tests.security.conftest import emis_opens_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(emis_connection):
    """A guest staying with "ООО Ромашка"; "ООО Чужая" is another active
    legal entity of the same PMS the guest never stayed with."""
    own = make_legal_entity(name="ООО Ромашка")
    other = make_legal_entity(name="ООО Чужая")
    stay = make_guest(make_reservation(own), surname="Репин")
    return {"own": own, "other": other, "stay": stay, "person": stay.person}


def upload_page(client, person, entity, reservation=None):
    data = {"legal_entity": entity.pk}
    if reservation is not None:
        data["reservation"] = reservation.pk
    return client.post(f"/emis/persons/{person.pk}/upload/", data)


def upload_api(client, person, entity, reservation=None):
    data = {"legal_entity": entity.pk}
    if reservation is not None:
        data["reservation"] = reservation.pk
    return client.post(
        f"/api/v1/persons/{person.pk}/emis/upload-link/", data, format="json"
    )


def pull_page(client, person, entity):
    return client.post(f"/emis/persons/{person.pk}/pull/", {"legal_entity": entity.pk})


def pull_api(client, person, entity):
    return client.post(
        f"/api/v1/persons/{person.pk}/emis/pull/",
        {"legal_entity": entity.pk},
        format="json",
    )


def error_of(response) -> tuple[str, str]:
    """The error's code and message: from the API's JSON, or from the pull
    fragment the dialog shows (data-emis-error)."""
    if response["Content-Type"].startswith("application/json"):
        error = response.json()  # the API's {"detail", "code"}
        return error["code"], error["detail"]
    found = re.search(r'data-emis-error="([^"]*)">(.*?)</span>', response.content.decode(), re.S)
    return found.group(1), html.unescape(found.group(2))


def text(response) -> str:
    """What the clerk or the API client reads (JSON bodies may be escaped)."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["detail"]
    return response.content.decode()


def deactivate(entity):
    entity.is_active = False
    entity.save(update_fields=["is_active"])


# --- no stay with the legal entity: 400 naming it, EMIS never asked ---------


@pytest.mark.parametrize("call", [upload_page, upload_api, pull_page, pull_api])
def test_no_stay_with_the_legal_entity_is_400_naming_it(world, desk, desk_api, call):
    client = desk_api if "api" in call.__name__ else desk
    with responses.RequestsMock() as emis:  # any call to EMIS fails the test
        response = call(client, world["person"], world["other"])
        assert len(emis.calls) == 0
    assert response.status_code == 400
    body = text(response)
    assert "ООО Чужая" in body and f"ID {world['other'].pk}" in body
    assert "no stay" in body
    assert not UploadLinkClick.objects.exists()
    assert not EmisJob.objects.exists()


@pytest.mark.parametrize("call", [upload_api, pull_page, pull_api])
def test_answers_name_the_error_code(world, desk, desk_api, call):
    client = desk_api if "api" in call.__name__ else desk
    code, message = error_of(call(client, world["person"], world["other"]))
    assert code == "no_stay_with_legal_entity"
    assert "ООО Чужая" in message


def test_a_person_with_no_stay_at_all_is_refused(emis_connection, desk):
    lone, entity = make_person("Одинокий"), make_legal_entity(name="ООО Ромашка")
    assert upload_page(desk, lone, entity).status_code == 400
    assert pull_page(desk, lone, entity).status_code == 400


def test_the_reservation_must_be_one_of_the_legal_entity(world, desk, desk_api):
    # The guest also stays with "ООО Чужая", in another reservation: naming
    # that legal entity with the first reservation mixes the two.
    stay_create(reservation=make_reservation(world["other"]), person=world["person"])
    first = world["stay"].reservation
    with responses.RequestsMock() as emis:
        page = upload_page(desk, world["person"], world["other"], first)
        answer = upload_api(desk_api, world["person"], world["other"], first)
        assert len(emis.calls) == 0
    assert page.status_code == 400 and answer.status_code == 400
    assert answer.json()["code"] == "no_stay_with_legal_entity"


# --- inactive legal entity: 403 on the pages, 400 in the API (issue 14) --------


@pytest.mark.parametrize("call", [upload_page, upload_api, pull_page, pull_api])
def test_inactive_legal_entity_is_refused(world, desk, desk_api, call):
    deactivate(world["own"])
    client = desk_api if "api" in call.__name__ else desk
    with responses.RequestsMock() as emis:
        response = call(client, world["person"], world["own"])
        assert len(emis.calls) == 0
    # The API: a rule of the request, as an unknown legal entity is.
    assert response.status_code == (400 if "api" in call.__name__ else 403)
    assert "ООО Ромашка" in text(response)
    assert "not active" in text(response)
    assert not UploadLinkClick.objects.exists()
    assert not EmisJob.objects.exists()


def test_inactive_page_and_api_name_the_same_code(world, desk, desk_api):
    deactivate(world["own"])
    page, _message = error_of(pull_page(desk, world["person"], world["own"]))
    answer, _message = error_of(upload_api(desk_api, world["person"], world["own"]))
    assert page == answer == "legal_entity_inactive"


def test_upload_page_says_it_plainly_without_a_retry(world, desk):
    page = upload_page(desk, world["person"], world["other"]).content.decode()
    assert 'data-emis-error="no_stay_with_legal_entity"' in page
    assert "data-emis-retry" not in page


# --- the service and the worker ---------------------------------------------


def test_the_service_refuses_before_queueing(world):
    from emis.scope import ScopeError  # new with the fix

    with pytest.raises(ScopeError) as refused:
        enqueue_pull(
            person_id=world["person"].pk, legal_entity_id=world["other"].pk, user=None
        )
    assert refused.value.http_status == 400
    deactivate(world["own"])
    with pytest.raises(ScopeError) as refused:
        enqueue_pull(
            person_id=world["person"].pk, legal_entity_id=world["own"].pk, user=None
        )
    assert refused.value.http_status == 403
    assert not EmisJob.objects.exists()


def test_the_worker_checks_again_when_the_job_runs(world, desk):
    """A job queued in scope whose legal entity is switched off before a
    worker takes it fails plainly and never reaches EMIS."""
    job = EmisJob.objects.create(person=world["person"], legal_entity=world["own"])
    deactivate(world["own"])
    with responses.RequestsMock() as emis:
        job_run_pull(job_id=job.pk)
        assert len(emis.calls) == 0
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "legal_entity_inactive")
    fragment = desk.get(f"/emis/persons/{world['person'].pk}/jobs/{job.pk}/")
    assert "hx-trigger=" not in fragment.content.decode()  # final: asks no more
    assert error_of(fragment)[0] == "legal_entity_inactive"
    assert "ООО Ромашка" in error_of(fragment)[1]


def test_in_scope_still_works(world, desk):
    with responses.RequestsMock() as emis:
        emis_opens_upload(EMIS_BASE + "/s/tok", mock=emis)
        response = upload_page(
            desk, world["person"], world["own"], world["stay"].reservation
        )
    assert response.status_code == 302
    assert response["Location"] == EMIS_BASE + "/s/tok"
