"""Every writer of a guest profile at once, on a running stack: the webhook
senders, the changes feed growing round by round while beat (and extra
runs) sync it, the pulls, and with every EMIS write a staff edit of the
same person. This process only sends and records; every write to the
database is made by the stack's processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from django.db import connection

from emis.models import EmisJob
from reservations.models import Person
from tests.support.processes import wait_until
from tests.support.sandbox import SandboxHandle
from tests.support.stack import Stack, send_task

from . import webhooks
from .traffic import Answer, Outcome, api_call, at_once, staff_edit
from .world import Load, World, emis_person


def run(
    load: Load, world: World, stack: Stack, sandbox: SandboxHandle, broker_url: str
) -> Outcome:
    """All writers at once; returns when every request is answered, every
    sync round applied and every pull job finished, or a deadline passed
    (``Outcome.errors`` then says which)."""
    outcome = Outcome()
    works: dict[str, Callable[[], None]] = {
        f"webhook-{i}": sender
        for i, sender in enumerate(webhooks.senders(load, world, stack, outcome))
    }
    works["sync-feeder"] = partial(
        _feed, load, world, stack, sandbox, broker_url, outcome
    )
    pulled = list(world.pull)
    for i in range(load.pullers):
        share = pulled[i :: load.pullers]
        works[f"puller-{i}"] = partial(_pulls, load, world, stack, outcome, share)
    threads = [_thread(name, outcome, work) for name, work in works.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(load.timeout * (load.sync_rounds + 2))
        if t.is_alive():
            outcome.errors.append(f"{t.name} did not finish")
    _wait_for_jobs(load, outcome)
    return outcome


def _thread(name: str, outcome: Outcome, work: Callable[[], None]) -> threading.Thread:
    def body() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported by the checks
            outcome.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()  # this thread's own database connection

    return threading.Thread(target=body, name=name, daemon=True)


def _feed(
    load: Load,
    world: World,
    stack: Stack,
    sandbox: SandboxHandle,
    broker_url: str,
    outcome: Outcome,
) -> None:
    """Round by round, every sync person gets a new version in EMIS (the
    sandbox numbers them 1, 2, ...) and, while the PMS syncs it, a staff
    edit. The next round starts once the PMS holds this one: every version
    is served by the feed, so the checks can expect each applied once."""
    by_le: dict[int, list[int]] = {}
    for pid, le in world.sync.items():
        by_le.setdefault(le, []).append(pid)
    ids = list(world.sync)
    for version in range(1, load.sync_rounds + 1):
        for le, pids in by_le.items():
            persons = [emis_person(pid, version, f"SYNC v{version}") for pid in pids]
            sandbox.save_persons_bulk(str(le), persons)
            # Back to back: both workers take this feed at once, and the
            # lease must let only one of them through.
            for _ in range(load.sync_pokes):
                send_task(broker_url, "emis.tasks.sync_changes", le)
        edit = partial(staff_edit, world, stack, outcome, edit=version)
        at_once(
            outcome,
            *(
                partial(_each, edit, ids[i :: load.sync_editors])
                for i in range(load.sync_editors)
            ),
        )
        wait_until(
            lambda v=version: (
                Person.objects.filter(pk__in=ids, emis_version=v).count() == len(ids)
            ),
            timeout=load.timeout,
            what=f"sync round {version} applied",
        )


def _each(work: Callable[..., None], person_ids: list[int]) -> None:
    for pid in person_ids:
        work(person_id=pid)


def _pulls(
    load: Load, world: World, stack: Stack, outcome: Outcome, person_ids: list[int]
) -> None:
    """Each person's pulls queued back to back to alternating servers (two
    workers may run them at once on the same row), each with a staff edit
    sent at the same moment."""
    for pid in person_ids:
        for k in range(1, load.pulls_per_person + 1):
            at_once(
                outcome,
                partial(_pull, world, stack, outcome, pid, k),
                partial(staff_edit, world, stack, outcome, pid, k),
            )


def _pull(world: World, stack: Stack, outcome: Outcome, person_id: int, k: int) -> None:
    path = f"/api/v1/persons/{person_id}/emis/pull/"
    data = {"legal_entity": world.pull[person_id]}
    # The other server than the staff edit sent with it (``staff_edit``).
    server = person_id + k + 1
    code, body, seconds = api_call(world, stack, server, "POST", path, data)
    outcome.add(Answer("pull", person_id, code, body, seconds))


def _wait_for_jobs(load: Load, outcome: Outcome) -> None:
    job_ids = [a.body["job"] for a in outcome.of("pull") if a.code == 202]
    final = [EmisJob.Status.SUCCEEDED, EmisJob.Status.FAILED]

    def finished() -> bool:
        done = EmisJob.objects.filter(pk__in=job_ids, status__in=final).count()
        return done == len(job_ids)

    try:
        wait_until(finished, timeout=load.timeout, what="every pull job finished")
    except AssertionError as exc:
        outcome.errors.append(str(exc))
