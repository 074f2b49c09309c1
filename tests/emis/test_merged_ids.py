"""EMIS keys on person IDs and keeps using a merged person's ID: webhooks,
sync items and pulls for it land on the survivor (``reservations.aliases``),
ordered by that ID's own EMIS versions."""

import pytest
from django.utils import timezone

from emis.models import EmisConflict, EmisJob, SyncUnknownPerson, WebhookDelivery
from emis.sync import sync_legal_entity
from integrations.models import ConnectorCall
from reservations.models import IdentityDocument, Person, PersonAlias
from reservations.services import person_merge
from tests.factories import (
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_reservation,
    work_pull,
)

from .conftest import BASE_URL, post_webhook, russian, webhook_body
from .test_sync import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.EMIS_MAX_ATTEMPTS = 1
    settings.EMIS_RETRY_BACKOFF = (0,)


@pytest.fixture
def merged(connection):
    """Guest S (older) and their duplicate A, each with a stay with the legal
    entity and each known to EMIS under their own ID (S at version 5, A at
    version 2), then A merged into S."""
    le = make_legal_entity()
    survivor = make_guest(make_reservation(le), surname="Крупкин").person
    alias = make_guest(make_reservation(le), surname="Krupkin").person
    Person.objects.filter(pk=survivor.pk).update(emis_version=5)
    Person.objects.filter(pk=alias.pk).update(emis_version=2)
    person_merge(person_id=alias.pk, into_id=survivor.pk)
    return le, survivor, alias.pk


def _deliver(anon, le, person_id, version, **overrides):
    body = webhook_body(russian(person_id, version=version, **overrides), le.pk)
    return post_webhook(anon, body)


def test_a_webhook_for_a_merged_id_lands_on_the_survivor(anon, merged):
    le, survivor, alias_id = merged
    response = _deliver(anon, le, alias_id, version=3)
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "applied"}
    survivor.refresh_from_db()
    assert survivor.surname_latin == "KRUPKIN"
    assert IdentityDocument.objects.get(person=survivor).number == "123456"
    assert not Person.objects.filter(pk=alias_id).exists()
    # The delivery records the ID EMIS named.
    assert WebhookDelivery.objects.get().person_id == alias_id


def test_each_emis_id_keeps_its_own_version_order(anon, merged):
    """Compared with the survivor's version 5, the alias's version 3 would be
    refused as stale; and the alias's versions must not make the survivor's
    own next save look stale either."""
    le, survivor, alias_id = merged
    assert _deliver(anon, le, alias_id, version=3).json() == {"status": "applied"}
    alias = PersonAlias.objects.get(pk=alias_id)
    assert alias.emis_version == 3
    survivor.refresh_from_db()
    assert survivor.emis_version == 5  # the survivor's own EMIS person, untouched

    own = _deliver(anon, le, survivor.pk, version=6, birth_place="ГОР. ТВЕРЬ")
    assert own.json() == {"status": "applied"}
    late = _deliver(anon, le, alias_id, version=2, birth_place="ГОР. ОМСК")
    assert late.json() == {"status": "stale"}
    same = _deliver(anon, le, alias_id, version=4)  # same content as version 3
    assert same.json() == {"status": "unchanged"}
    survivor.refresh_from_db()
    assert (survivor.emis_version, survivor.birth_place) == (6, "ГОР. ТВЕРЬ")
    assert PersonAlias.objects.get(pk=alias_id).emis_version == 4


def test_a_sync_item_for_a_merged_id_lands_on_the_survivor(http, merged):
    le, survivor, alias_id = merged
    page(http, le, None, items=[russian(alias_id, version=3)], next_cursor="c1", has_more=False)
    run = sync_legal_entity(legal_entity_id=le.pk)
    assert (run.applied, run.unknown, run.error) == (1, 0, "")
    assert not SyncUnknownPerson.objects.exists()
    assert IdentityDocument.objects.get(person=survivor).number == "123456"
    assert PersonAlias.objects.get(pk=alias_id).emis_version == 3


def _person_url(person_id):
    return f"{BASE_URL}/api/v1/persons/{person_id}"


def test_a_pull_asks_emis_for_the_merged_ids_too(
    http, merged, django_capture_on_commit_callbacks
):
    """EMIS may hold the guest's data only under the merged ID."""
    le, survivor, alias_id = merged
    http.get(
        _person_url(survivor.pk),
        status=404,
        json={"error": {"code": "person_not_found", "message": "..."}},
    )
    http.get(_person_url(alias_id), json=russian(alias_id, version=3))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=survivor.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)  # what the open dialog's looks do without a broker
    assert (job.status, job.result) == ("succeeded", "applied")
    assert "surname_latin" in job.changed_fields
    assert IdentityDocument.objects.get(person=survivor).number == "123456"
    assert ConnectorCall.objects.count() == 2


def test_the_calls_of_one_attempt_share_the_request_budget(
    http, merged, settings, django_capture_on_commit_callbacks
):
    """Without a broker a look at the job works its attempt in a web request:
    asked under two IDs, the two calls together still fit the budget."""
    le, survivor, alias_id = merged
    http.get(_person_url(survivor.pk), json=russian(survivor.pk, version=6))
    http.get(_person_url(alias_id), json=russian(alias_id, version=3))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=survivor.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    timeouts = [call.request.req_kwargs["timeout"] for call in http.calls]
    assert len(timeouts) == 2 and job.status == "succeeded"
    assert sum(connect + read for connect, read in timeouts) <= settings.EMIS_REQUEST_BUDGET


def test_a_pull_answer_naming_another_person_still_fails(
    http, merged, django_capture_on_commit_callbacks
):
    le, survivor, alias_id = merged
    http.get(_person_url(survivor.pk), json=russian(alias_id))  # not the asked ID
    http.get(_person_url(alias_id), json=russian(alias_id))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=survivor.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.error_code) == ("failed", "bad_response")
    assert not IdentityDocument.objects.filter(person=survivor).exists()


def test_a_pull_requested_for_a_merged_id_runs_for_the_survivor(
    front_desk_client, http, merged, django_capture_on_commit_callbacks
):
    le, survivor, alias_id = merged
    http.get(_person_url(survivor.pk), json=russian(survivor.pk, version=6))
    http.get(_person_url(alias_id), json=russian(alias_id, version=3))
    with django_capture_on_commit_callbacks(execute=True):
        response = front_desk_client.post(
            f"/api/v1/persons/{alias_id}/emis/pull/",
            {"legal_entity": le.pk},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    job = EmisJob.objects.get(pk=response.json()["job"])
    work_pull(job)
    assert (job.person_id, job.status, job.result) == (survivor.pk, "succeeded", "applied")


def _conflict(person, entity, field, entity_id=0, emis="E"):
    return EmisConflict.objects.create(
        person=person,
        entity=entity,
        entity_id=entity_id,
        field=field,
        path=field,
        profile_value="P",
        emis_value=emis,
        since=timezone.now(),
    )


def test_conflicts_follow_the_merge(connection, api_front_desk):
    le = make_legal_entity()
    survivor = make_guest(make_reservation(le), surname="Крупкин").person
    merged = make_guest(make_reservation(le), surname="Krupkin").person
    kept_doc = IdentityDocument.objects.create(
        person=survivor, kind="passport_rf", series="4510", number="123456"
    )
    twin = IdentityDocument.objects.create(
        person=merged, kind="passport_rf", series="4510", number="123456"
    )
    own = _conflict(survivor, "person", "birth_place", emis="Казань")
    _conflict(merged, "person", "birth_place", emis="Омск")  # clashes: dropped
    moved = _conflict(merged, "person", "sex", emis="F")
    about_twin = _conflict(merged, "document", "expiry_date", twin.pk, "2035-05-20")

    person_merge(person_id=merged.pk, into_id=survivor.pk)

    rows = {
        (c.entity, c.entity_id, c.field): (c.pk, c.emis_value)
        for c in EmisConflict.objects.filter(person=survivor)
    }
    assert rows == {
        ("person", 0, "birth_place"): (own.pk, "Казань"),
        ("person", 0, "sex"): (moved.pk, "F"),
        ("document", kept_doc.pk, "expiry_date"): (about_twin.pk, "2035-05-20"),
    }
    # The conflict about the copy that is gone is decided on the copy kept.
    answer = api_front_desk.post(
        f"/api/v1/persons/{survivor.pk}/emis/conflicts/resolve/",
        {"keep": "emis", "field": "expiry_date"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    kept_doc.refresh_from_db()
    assert kept_doc.expiry_date.isoformat() == "2035-05-20"


def test_what_emis_gave_the_merged_copy_still_guards_the_survivors_value(anon):
    """The survivor's passport was typed by staff; EMIS's copy of it went to
    the duplicate. After the merge EMIS changes that field: the staff value
    is kept and the change is a conflict, not a silent overwrite."""
    le = make_legal_entity()
    survivor = make_guest(make_reservation(le), surname="Крупкин").person
    IdentityDocument.objects.create(
        person=survivor, kind="passport_rf", series="4510", number="123456", issuer="ОВД"
    )
    duplicate = make_guest(make_reservation(le), surname="Krupkin").person
    assert _deliver(anon, le, duplicate.pk, version=3).json()["status"] == "applied"
    person_merge(person_id=duplicate.pk, into_id=survivor.pk)

    data = russian(duplicate.pk, version=4)
    data["documents"][0]["issuer"] = "ГУ МВД"
    answer = post_webhook(anon, webhook_body(data, le.pk)).json()

    assert "issuer" in [c.split(".")[-1] for c in answer["conflicts"]]
    assert IdentityDocument.objects.get(person=survivor).issuer == "ОВД"


def test_a_refusal_under_a_merged_id_shows_on_the_survivor(anon, merged, api_admin):
    """Outside review: EMIS is never told of a merge, so its later refusals
    for the old ID must show where staff look — the survivor."""
    le, survivor, alias_id = merged
    body = webhook_body(russian(alias_id, version=9, sex="Z"), le.pk)
    assert post_webhook(anon, body).status_code == 400
    rows = api_admin.get(
        "/api/v1/emis/deliveries/", {"status": "rejected", "person": survivor.pk}
    ).json()["results"]
    assert [row["person_id"] for row in rows] == [alias_id]
    from emis.deliveries.selectors import person_deliveries

    assert person_deliveries(person=survivor).rejected is not None


@pytest.mark.parametrize(
    ("method", "tail", "status"),
    [
        ("get", "emis/conflicts/", 301),
        ("post", "emis/conflicts/resolve/", 308),
        ("post", "emis/upload-link/", 308),
    ],
)
def test_the_emis_person_urls_redirect_a_merged_id_like_the_others(
    api_front_desk, merged, method, tail, status
):
    le, survivor, alias_id = merged
    call = getattr(api_front_desk, method)
    response = call(f"/api/v1/persons/{alias_id}/{tail}", {}, format="json")
    assert response.status_code == status
    assert response["Location"] == f"/api/v1/persons/{survivor.pk}/{tail}"
    assert response.json()["person_id"] == survivor.pk
    assert call(f"/api/v1/persons/987654/{tail}", {}, format="json").status_code == 404
