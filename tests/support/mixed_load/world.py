"""The load's sizes and what it starts from: guests, a token, EMIS's data."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from rest_framework.authtoken.models import Token

from emis.models import SyncState
from pms.roles import Role
from reservations.models import Person, Reservation, Stay
from tests.factories import connect_to_sandbox, make_legal_entity, make_user
from tests.support.sandbox import SandboxHandle, sample_person

# The beat schedule of the periodic sync is a data migration; the load
# shortens that very task's interval.
_SCHEDULE = importlib.import_module("emis.migrations.0002_sync_periodic_task")


@dataclass(frozen=True)
class Load:
    """How much of each writer. Person counts are per legal entity. Every
    EMIS write to a person is met by a staff edit of the same person at
    the same moment, so a person gets as many staff edits as EMIS writes."""

    legal_entities: int = 2
    webhook_persons: int = 6
    webhook_versions: int = 3  # deliveries per webhook person, versions 1..N
    webhook_swaps: int = 2  # persons whose last two versions come swapped
    webhook_replays: int = 4  # delivery IDs sent again, later
    webhook_races: int = 4  # delivery IDs sent to both servers at once
    webhook_senders: int = 4  # concurrent senders
    sync_persons: int = 8
    sync_rounds: int = 3  # versions saved in EMIS per sync person
    sync_pokes: int = 2  # extra runs per feed and round, on top of beat's
    sync_interval: int = 1  # seconds between beat's syncs
    sync_editors: int = 2  # concurrent staff editors of a round's persons
    pull_persons: int = 4
    pulls_per_person: int = 2
    pullers: int = 2  # concurrent pullers
    timeout: float = 60.0  # for any one thing awaited


@dataclass
class World:
    """What ``prepare`` made in the database and in EMIS."""

    legal_entities: list[int]
    webhook: dict[int, int]  # person ID -> legal entity ID
    sync: dict[int, int]
    pull: dict[int, int]
    token: str = field(repr=False)
    api_password: str = field(repr=False)

    @property
    def persons(self) -> dict[int, int]:
        return {**self.webhook, **self.sync, **self.pull}

    def edits(self, load: Load, person_id: int) -> int:
        """How many staff edits the person gets (one per EMIS write)."""
        if person_id in self.webhook:
            return load.webhook_versions
        if person_id in self.sync:
            return load.sync_rounds
        return load.pulls_per_person


def emis_person(person_id: int, version: int, birth_place: str) -> dict:
    """A valid Person whose birth place names its version (every version a
    different value, so each one applied leaves one history row) and whose
    passport number is its own (no two guests share a document)."""
    person = sample_person(person_id, version=version, birth_place=birth_place)
    person["documents"][0]["number"] = f"{person_id % 1_000_000:06d}"
    return person


def staff_phone(person_id: int, edit: int) -> str:
    return f"+7912{person_id % 100_000:05d}{edit % 100:02d}"


def staff_address(edit: int) -> str:
    return f"Правка {edit}"


def prepare(load: Load, sandbox: SandboxHandle) -> World:
    """Legal entities with a stay for every guest, a front-desk API token,
    the pull persons in EMIS, the sync every ``sync_interval`` seconds, and
    each feed's cursor at its end (the PMS is up to date when the load
    starts, so the feed serves the sync persons only)."""
    connect_to_sandbox(sandbox)
    token = Token.objects.create(user=make_user(Role.FRONT_DESK)).key
    world = World([], {}, {}, {}, token=token, api_password=sandbox.api_password)
    for _ in range(load.legal_entities):
        le = make_legal_entity().pk
        world.legal_entities.append(le)
        for group, size in (
            (world.webhook, load.webhook_persons),
            (world.sync, load.sync_persons),
            (world.pull, load.pull_persons),
        ):
            group.update(dict.fromkeys(_guests(le, size), le))
        pulled = [pid for pid, owner in world.pull.items() if owner == le]
        if pulled:
            persons = [emis_person(pid, 1, "PULL v1") for pid in pulled]
            sandbox.save_persons_bulk(str(le), persons)
        SyncState.objects.update_or_create(
            legal_entity_id=le, defaults={"cursor": feed_end(sandbox, le, cursor="")}
        )
    _schedule_sync(load.sync_interval)
    return world


def _guests(legal_entity_id: int, count: int) -> list[int]:
    """``count`` new persons staying with the legal entity (EMIS writes only
    to a guest with a stay with the legal entity it names)."""
    arrival = dt.date.today()
    reservation = Reservation.objects.create(
        legal_entity_id=legal_entity_id,
        arrival=arrival,
        departure=arrival + dt.timedelta(days=3),
    )
    persons = Person.objects.bulk_create(
        [Person(surname=f"Гость {legal_entity_id}-{i}") for i in range(count)],
        batch_size=1000,
    )
    Stay.objects.bulk_create(
        [
            Stay(
                reservation=reservation,
                person=p,
                registration_from=reservation.arrival,
                registration_to=reservation.departure,
            )
            for p in persons
        ],
        batch_size=1000,
    )
    return [p.pk for p in persons]


def feed_end(sandbox: SandboxHandle, legal_entity_id: int, *, cursor: str) -> str:
    """The cursor at the end of a legal entity's feed, read from ``cursor``
    on: equal to ``cursor`` when nothing was saved after it."""
    with sandbox.api() as api:
        while True:
            params = {"legal_entity_id": str(legal_entity_id), "limit": "500"}
            if cursor:
                params["cursor"] = cursor
            page = api.get(
                f"{sandbox.base_url}/api/v1/changes", params=params, timeout=30
            ).json()
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return cursor


def _schedule_sync(every: int) -> None:
    """The migration's periodic task, every ``every`` seconds (made again if
    a transactional test before this one flushed the migration's row)."""
    schedule, _created = IntervalSchedule.objects.get_or_create(
        every=every, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name=_SCHEDULE.TASK_NAME,
        defaults={"task": _SCHEDULE.TASK, "interval": schedule, "enabled": True},
    )
    PeriodicTasks.update_changed()
