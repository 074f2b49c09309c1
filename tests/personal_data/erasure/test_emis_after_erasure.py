"""EMIS does not fill an erased profile again: a webhook is refused with
409 ``person_data_erased`` (and logged), a pull fails with that code, the
sync skips the person — until the guest comes again (a new stay)."""

from __future__ import annotations

import pytest

from emis.apply import persons_apply_many
from emis.models import EmisDelivery
from emis.payload import parse_person
from personal_data.erasure import person_erase
from personal_data.selectors import persons_erased
from reservations.models import IdentityDocument, Person, Stay
from reservations.services import stay_create
from tests.factories import enqueue_pull, work_pull

from .conftest import SURNAME, coming, emis_person, person_url, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(guest, admin_user):
    person_erase(person_id=guest.person.pk, user=admin_user, reason="Заявление")
    return guest


def _untouched(person_id: int) -> bool:
    person = Person.objects.get(pk=person_id)
    documents = IdentityDocument.objects.filter(person_id=person_id)
    return person.surname_cyrillic == "" and not documents.exists()


def test_a_webhook_for_an_erased_person_is_refused(erased):
    pid, entity = erased.person.pk, erased.legal_entity.pk
    response = send(pid, entity, emis_person(pid, 10))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "person_data_erased"
    assert _untouched(pid)
    row = EmisDelivery.objects.order_by("-pk").first()
    assert (row.http_status, row.error_code, row.person_id) == (
        409,
        "person_data_erased",
        pid,
    )


def test_a_webhook_naming_a_merged_id_of_an_erased_person_is_refused(erased):
    response = send(
        erased.duplicate_id,
        erased.legal_entity.pk,
        emis_person(erased.duplicate_id, 10),
    )
    assert response.status_code == 409
    assert _untouched(erased.person.pk)


def test_a_pull_for_an_erased_person_is_refused(erased, http):
    pid = erased.person.pk
    http.get(person_url(pid), json=emis_person(pid, 10))
    calls = len(http.calls)
    with pytest.raises(ValueError) as refused:
        enqueue_pull(person_id=pid, legal_entity_id=erased.legal_entity.pk, user=None)
    assert refused.value.code == "person_data_erased"
    assert len(http.calls) == calls  # EMIS was not asked


def test_a_queued_pull_is_refused_when_worked(
    guest, admin_user, http, django_capture_on_commit_callbacks
):
    pid = guest.person.pk
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_pull(
            person_id=pid, legal_entity_id=guest.legal_entity.pk, user=None
        )
    person_erase(person_id=pid, user=admin_user, reason="Заявление")
    work_pull(job)
    assert (job.status, job.error_code) == ("failed", "person_data_erased")
    assert _untouched(pid)


def test_the_sync_skips_an_erased_person(erased):
    pid = erased.person.pk
    item = parse_person(emis_person(pid, 10))
    outcome = persons_apply_many(
        legal_entity_id=erased.legal_entity.pk, items=[item], source="sync"
    )
    assert outcome.erased == [item] and outcome.results == [] and outcome.unknown == []
    assert _untouched(pid)


def test_data_is_taken_again_once_the_guest_comes_again(erased):
    pid = erased.person.pk
    stay_create(reservation=coming(erased.legal_entity), person=erased.person)
    response = send(pid, erased.legal_entity.pk, emis_person(pid, 10))
    assert response.json() == {"status": "applied"}
    assert Person.objects.get(pk=pid).surname_cyrillic == SURNAME[0]


def test_a_guest_erased_without_any_stay_is_taken_again_with_a_new_one(
    guest, admin_user
):
    pid = guest.person.pk
    Stay.objects.filter(person_id=pid).delete()
    person_erase(person_id=pid, user=admin_user, reason="Заявление")
    assert persons_erased([pid]) == {pid}
    stay_create(reservation=coming(guest.legal_entity), person=guest.person)
    assert persons_erased([pid]) == set()
    assert send(pid, guest.legal_entity.pk, emis_person(pid, 10)).status_code == 200
