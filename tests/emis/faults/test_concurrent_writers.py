"""A webhook, a pull and a staff save hitting the same person at once
(PostgreSQL row locks; SQLite serialises every write and cannot race)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from pms.roles import Role
from reservations.models import IdentityDocument, Person, PersonChange
from tests.emis.conftest import post_webhook, webhook_body
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_reservation,
    make_user,
    work_pull,
)
from tests.support.pg_locks import wait_until_queued
from tests.support.sandbox import sample_person

from .htmlform import form_data

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _in_thread(results: dict, name: str, work) -> threading.Thread:
    def run():
        try:
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[name] = exc
        finally:
            db.close()

    return threading.Thread(target=run, name=name)


def test_webhook_pull_and_staff_save_at_once_lose_nothing(emis_sandbox):
    if db.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write, so the three writers cannot race; "
            "run with DATABASE_URL=postgres://... to exercise the row locks"
        )
    connect_to_sandbox(emis_sandbox)
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Репин")
    person_id, le = stay.person_id, reservation.legal_entity_id
    emis_sandbox.save_person(le, sample_person(person_id))
    v2 = emis_sandbox.save_person(
        le, sample_person(person_id, birth_place="ГОР. ТВЕРЬ")
    ).person
    assert v2["version"] == 2

    # The staff opened the guest page before any EMIS data arrived.
    staff = Client()
    staff.force_login(make_user(Role.FRONT_DESK))
    guest_url = reverse("reservations:guest", args=[reservation.pk, stay.pk])
    data = form_data(staff.get(guest_url).content.decode(), "guest-form")
    assert data["person-surname"] == ["Репин"]
    data["person-phone"] = ["+79123456789"]
    data["person-address"] = ["Тверская, 1"]

    locked, release, results = threading.Event(), threading.Event(), {}

    def hold_the_row():
        with transaction.atomic():
            Person.objects.select_for_update().get(pk=person_id)
            locked.set()
            release.wait(30)

    def pull():
        job = enqueue_pull(person_id=person_id, legal_entity_id=le, user=None)
        work_pull(job)  # the dialog's look, without a broker
        return job

    holder = _in_thread(results, "holder", hold_the_row)
    holder.start()
    assert locked.wait(10)
    writers = [
        _in_thread(
            results,
            "webhook",
            lambda: post_webhook(
                Client(), webhook_body(v2, le), secret=emis_sandbox.api_password
            ),
        ),
        _in_thread(results, "pull", pull),
        _in_thread(results, "staff", lambda: staff.post(guest_url, data)),
    ]
    for thread in writers:
        thread.start()
    # Let all three reach the lock (not a timing assertion: any order must
    # give the same end state), then let them through.
    try:
        wait_until_queued(
            len(writers),
            lambda: sum(not thread.is_alive() for thread in writers),
            what="the webhook, the pull and the staff save waiting on the row",
        )
    finally:
        release.set()
    for thread in [holder, *writers]:
        thread.join(30)
        assert not thread.is_alive(), thread.name

    webhook, job, staff_answer = results["webhook"], results["pull"], results["staff"]
    assert not isinstance(webhook, Exception), webhook
    assert not isinstance(job, Exception), job
    assert staff_answer.status_code == 302, staff_answer.content[:500]
    statuses = sorted([webhook.json()["status"], job.result])
    assert job.status == "succeeded"
    assert statuses == ["applied", "unchanged"]  # version 2 applied once

    person = Person.objects.get(pk=person_id)
    assert (person.phone, person.address) == ("+79123456789", "Тверская, 1")
    assert (person.surname, person.surname_latin) == ("Крупкин", "KRUPKIN")
    assert (person.birth_place, person.emis_version) == ("ГОР. ТВЕРЬ", 2)
    assert IdentityDocument.objects.filter(person=person).count() == 1

    history = PersonChange.objects.filter(person=person)
    assert history.filter(field="phone", source="manual").count() == 1
    assert history.filter(field="address", source="manual").count() == 1
    # Only the creation's row: the staff's stale "Репин" was not written back.
    assert list(
        history.filter(field="surname", source="manual").values_list(
            "old_value", "new_value"
        )
    ) == [("", "Репин")]
    emis_rows = history.exclude(source="manual")
    assert emis_rows.filter(field="birth_place", new_value="ГОР. ТВЕРЬ").count() == 1
    assert emis_rows.filter(field="surname_latin", new_value="KRUPKIN").count() == 1
    doubled = (
        emis_rows.values("entity", "entity_label", "field")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(doubled) == []
