"""Test data in one place. Plain functions over the services, no magic."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import partial

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from emis.models import EmisConnection, EmisJob
from emis.pull import MAX_ATTEMPTS, job_enqueue_pull, job_run_pull
from emis.tasks import pull_person_send
from legal_entities.models import LegalEntity
from pms.roles import Role
from reservations.models import Person, Reservation, Stay
from reservations.services import stay_create

_seq = itertools.count(1)

# Valid check digits (computed by legal_entities.validators).
VALID_INN = "7707083893"
VALID_OGRN = "1027700132195"

# The EMIS address the connection points at where EMIS is answered with
# ``responses`` (nothing listens there).
EMIS_BASE = "https://emis.test"


def make_user(role: Role | None = None, *, username: str | None = None, **extra) -> User:
    username = username or f"{role.value if role else 'user'}{next(_seq)}"
    user = User.objects.create_user(username=username, password="pass-12345", **extra)
    if role is not None:
        # get_or_create: a transactional test flushes the groups the data
        # migration created, for the tests that run after it.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if role is Role.SUPPORT:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def make_legal_entity(**values) -> LegalEntity:
    data = {"name": f"ООО Отель {next(_seq)}", "inn": VALID_INN, "ogrn": VALID_OGRN}
    data.update(values)
    return LegalEntity.objects.create(**data)


def make_reservation(legal_entity: LegalEntity | None = None, **values) -> Reservation:
    today = dt.date(2026, 11, 27)
    data = {
        "legal_entity": legal_entity or make_legal_entity(),
        "arrival": today,
        "departure": today + dt.timedelta(days=3),
        "status": Reservation.Status.CONFIRMED,
    }
    data.update(values)
    return Reservation.objects.create(**data)


def make_guest(reservation: Reservation, surname: str = "Репин", **person_values) -> Stay:
    return stay_create(
        reservation=reservation, person_values={"surname": surname, **person_values}
    )


def make_person(surname: str = "Репин", **values) -> Person:
    return Person.objects.create(surname=surname, **values)


def make_emis_connection(
    base_url: str = EMIS_BASE,
    *,
    api: tuple[str, str] = ("hotel-api", "api-secret-1"),
    web: tuple[str, str] = ("hotel-web", "web-secret-1"),
    is_active: bool = True,
) -> EmisConnection:
    """The (single) EMIS connection, stored as the settings page would;
    ``api`` and ``web`` are the two accounts as (login, password)."""
    conn = EmisConnection.load()
    conn.base_url = base_url
    conn.api_login, conn.api_password = api
    conn.web_login, conn.web_password = web
    conn.is_active = is_active
    conn.save()
    return conn


def connect_to_sandbox(
    sandbox, *, base_url: str | None = None, api_password: str | None = None
) -> EmisConnection:
    """The EMIS connection pointed at a running sandbox, with its accounts
    (or another ``base_url`` / API password, to see it fail)."""
    return make_emis_connection(
        base_url or sandbox.base_url,
        api=(sandbox.api_login, api_password or sandbox.api_password),
        web=(sandbox.web_login, sandbox.web_password),
    )


def enqueue_pull(*, person_id, legal_entity_id, user) -> EmisJob:
    """What the pull views do: queue a pull job, send it to the worker on
    commit (without a broker nothing is sent: the job is due at once)."""
    job, new = job_enqueue_pull(
        person_id=person_id, legal_entity_id=legal_entity_id, user=user
    )
    if new:
        transaction.on_commit(partial(pull_person_send, job.pk))
    return job


def work_pull(job: EmisJob) -> list[float]:
    """What the open dialog's looks do without a broker, minus the waiting:
    work the due attempt, and while the job waits for its next one, note the
    wait it asked for and let the clock reach it. Returns those waits;
    ``job`` is refreshed, ended."""
    waits: list[float] = []
    for _attempt in range(MAX_ATTEMPTS):
        outcome = job_run_pull(job_id=job.pk, due_only=True)
        if outcome.retry_in is None:
            break
        waits.append(outcome.retry_in)
        EmisJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    job.refresh_from_db()
    return waits
