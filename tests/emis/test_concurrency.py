"""A webhook and a staff edit of the same person at the same moment: both
changes survive and the history has both."""

import threading

import pytest
from django.db import connection as db
from django.db import transaction
from django.test import Client

from reservations.models import IdentityDocument, Person, PersonChange
from reservations.services import person_update, stay_create
from tests.factories import make_legal_entity, make_person, make_reservation
from tests.support.pg_locks import wait_until_queued

from .conftest import post_webhook, russian, webhook_body


def _guest():
    """A legal entity and a person staying with it: the webhook applies only
    to a guest with a stay with the legal entity it names."""
    le, person = make_legal_entity(), make_person("Репин")
    stay_create(reservation=make_reservation(le), person=person)
    return le, person


def test_staff_save_after_a_webhook_keeps_both_changes(connection):
    """The interleaving that loses data with whole-row saves: staff opened the
    card before the webhook and save afterwards. Only changed fields are
    written, so EMIS's names survive the staff save."""
    le, person = _guest()
    stale_copy = Person.objects.get(pk=person.pk)  # the staff's open form
    body = webhook_body(russian(person.pk), le.pk)
    assert post_webhook(Client(), body).json() == {"status": "applied"}
    stale_copy.phone = "+79123456789"
    person_update(person_id=person.pk, values={"phone": stale_copy.phone})
    person.refresh_from_db()
    assert person.phone == "+79123456789"
    assert person.surname_latin == "KRUPKIN"
    fields = set(
        PersonChange.objects.filter(person=person).values_list("field", flat=True)
    )
    assert {"phone", "surname_latin"} <= fields


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_webhook_and_staff_update_racing_on_postgres(connection):
    if db.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write; the race needs PostgreSQL row locks"
        )
    le, person = _guest()
    body = webhook_body(russian(person.pk), le.pk)
    locked, release, results = threading.Event(), threading.Event(), {}

    def staff():
        try:
            with transaction.atomic():
                person_update(person_id=person.pk, values={"phone": "+79123456789"})
                locked.set()
                # Hold the row lock until the webhook queues behind it.
                release.wait(30)
        finally:
            db.close()

    def emis():
        try:
            locked.wait(10)
            results["webhook"] = post_webhook(Client(), body).json()
        finally:
            db.close()

    threads = [threading.Thread(target=staff), threading.Thread(target=emis)]
    for t in threads:
        t.start()
    try:
        wait_until_queued(
            1,
            lambda: int(not threads[1].is_alive()),
            what="the webhook waiting on the staff's lock",
        )
    finally:
        release.set()
    for t in threads:
        t.join(30)
    assert results["webhook"] == {"status": "applied"}
    person.refresh_from_db()
    assert person.phone == "+79123456789" and person.surname_latin == "KRUPKIN"
    history = PersonChange.objects.filter(person=person)
    assert history.filter(field="phone", source="manual").count() == 1
    assert history.filter(field="surname_latin", source="webhook").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_racing_twice_is_applied_once(connection):
    """Two web workers receive EMIS's retry while the first attempt is still
    working: the second waits on the unique index, then answers duplicate."""
    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; the race needs PostgreSQL")
    le, person = _guest()
    body = webhook_body(russian(person.pk), le.pk)
    locked, release, statuses = threading.Event(), threading.Event(), []

    def hold_person():
        # Keeps the first delivery waiting inside its transaction, after its
        # claim row is inserted, so the second one meets an uncommitted claim.
        try:
            with transaction.atomic():
                Person.objects.select_for_update().get(pk=person.pk)
                locked.set()
                release.wait(30)
        finally:
            db.close()

    def deliver():
        try:
            statuses.append(post_webhook(Client(), body, delivery="same-id").json())
        finally:
            db.close()

    holder = threading.Thread(target=hold_person)
    holder.start()
    locked.wait(10)
    senders = [threading.Thread(target=deliver) for _ in range(2)]
    for t in senders:
        t.start()
    try:
        # The first waits on the person's lock, the second on the first's claim.
        wait_until_queued(
            2,
            lambda: sum(not t.is_alive() for t in senders),
            what="both deliveries waiting in the database",
        )
    finally:
        release.set()
    for t in [holder, *senders]:
        t.join(30)
    assert sorted(s["status"] for s in statuses) == ["applied", "duplicate"]
    assert IdentityDocument.objects.filter(person=person).count() == 1
    assert (
        PersonChange.objects.filter(person=person, field="surname_latin").count() == 1
    )
