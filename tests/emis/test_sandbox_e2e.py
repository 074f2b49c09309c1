"""End to end against the EMIS sandbox process: the contract as the sandbox
speaks it goes through the real client, the payload parser and apply."""

import pytest

from emis.models import EmisJob, SyncUnknownPerson, WebhookDelivery
from emis.sync import sync_legal_entity
from reservations.models import IdentityDocument, Person, Visa
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_person,
    make_reservation,
    work_pull,
)
from tests.support.sandbox import sample_foreigner, sample_person

pytestmark = pytest.mark.sandbox


@pytest.fixture
def wired(db, emis_sandbox):
    connect_to_sandbox(emis_sandbox)
    return emis_sandbox


def test_pull_from_the_sandbox(wired, django_capture_on_commit_callbacks):
    # A pull needs a stay with the legal entity (emis/scope.py).
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Eriksson").person
    wired.save_person(le.pk, sample_foreigner(person.pk))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.result) == ("succeeded", "applied"), job.error_code
    assert Visa.objects.filter(person=person).count() == 2
    assert IdentityDocument.objects.get(person=person).number == "L898902C3"


def test_pull_of_a_person_the_sandbox_never_saw(
    wired, django_capture_on_commit_callbacks
):
    le = make_legal_entity()
    person = make_guest(make_reservation(le)).person
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    work_pull(job)
    assert (job.status, job.result) == ("succeeded", EmisJob.Result.NOT_FOUND)


def test_pull_survives_transient_faults(wired, django_capture_on_commit_callbacks):
    le = make_legal_entity()
    person = make_guest(make_reservation(le)).person
    wired.save_person(le.pk, sample_person(person.pk))
    wired.set_faults(status=503, times=4, paths=["/api/v1/persons"])
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    waits = work_pull(job)
    assert (job.status, job.result) == ("succeeded", "applied")
    # One HTTP attempt per job attempt (the request budget leaves room for
    # no second): the job's own schedule absorbed the four faults.
    assert (job.attempts, waits) == (5, [2.0, 4.0, 8.0, 16.0])


def test_sync_pages_through_the_sandbox_feed(wired, monkeypatch):
    from emis import sync

    monkeypatch.setattr(sync, "PAGE_SIZE", 2)  # several pages from a small feed
    le = make_legal_entity()
    people = [make_person(f"P{i}") for i in range(5)]
    persons = [sample_person(p.pk) for p in people] + [sample_person(880000001)]
    wired.save_persons_bulk(le.pk, persons)
    run = sync_legal_entity(legal_entity_id=le.pk)
    assert (run.applied, run.unknown, run.error) == (5, 1, "")
    assert run.pages >= 3
    assert SyncUnknownPerson.objects.get().emis_person_id == "880000001"
    assert set(
        Person.objects.filter(pk__in=[p.pk for p in people]).values_list(
            "surname_latin", flat=True
        )
    ) == {"KRUPKIN"}
    again = sync_legal_entity(legal_entity_id=le.pk)
    assert (again.applied, again.error) == (0, "")


@pytest.mark.django_db(transaction=True)
def test_sandbox_webhooks_land_on_the_right_guests(wired, live_server):
    wired.configure(webhook_url=live_server.url + "/api/v1/emis/webhook/")
    reservation = make_reservation()
    stays = [make_guest(reservation, surname=s) for s in ("Первый", "Второй", "Третий")]
    le = reservation.legal_entity_id
    for stay, number in zip(stays[1:], ("222222", "333333"), strict=True):
        person = sample_person(stay.person_id)
        person["documents"][0]["number"] = number
        wired.save_person(le, person, send_webhook=True)
    found = wired.wait_for_deliveries(2)
    assert [d["status_code"] for d in found] == [200, 200], found
    assert WebhookDelivery.objects.filter(status="applied").count() == 2
    numbers = {
        s.person_id: list(
            IdentityDocument.objects.filter(person_id=s.person_id).values_list(
                "number", flat=True
            )
        )
        for s in stays
    }
    assert list(numbers.values()) == [[], ["222222"], ["333333"]]
