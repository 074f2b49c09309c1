"""Signed EMIS webhooks to both web servers: each person's versions in
order (a few swapped), some deliveries raced to both servers at once, some
replayed later, and with each first send a staff edit of the same person
at that very moment."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from functools import partial

from tests.support.stack import Stack

from .traffic import Answer, Outcome, at_once, send, staff_edit
from .world import Load, World, emis_person

WEBHOOK_PATH = "/api/v1/emis/webhook/"


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    person_id: int
    version: int
    body: bytes


@dataclass(frozen=True)
class Shot:
    """What one sender sends at once: a delivery to one or both servers,
    and with the first send of a delivery the person's staff edit. ``seq``
    orders a person's shots (and numbers their staff edits)."""

    delivery: Delivery
    servers: tuple[int, ...]
    seq: int
    edit: bool


def plan(load: Load, world: World) -> list[Shot]:
    """Versions 1..N round-robin over the webhook persons, each with its
    staff edit; for ``webhook_swaps`` persons the last two versions in
    reverse order (the older one must answer ``stale``); ``webhook_races``
    deliveries also to the other server at once; then ``webhook_replays``
    sent again (each must answer ``duplicate``)."""
    persons = list(world.webhook.items())
    order = list(itertools.product(range(1, load.webhook_versions + 1), persons))
    if load.webhook_versions >= 2:
        n = len(persons)
        for i in range(min(load.webhook_swaps, n)):  # v[N] before v[N-1]
            a, b = len(order) - 2 * n + i, len(order) - n + i
            order[a], order[b] = order[b], order[a]
    unique = [_delivery(pid, le, version) for version, (pid, le) in order]
    step = max(1, len(unique) // max(1, load.webhook_races, load.webhook_replays))
    raced = set(range(0, len(unique), step)[: load.webhook_races])
    seq: dict[int, int] = {}

    def shot(d: Delivery, servers: tuple[int, ...], edit: bool) -> Shot:
        seq[d.person_id] = seq.get(d.person_id, 0) + 1
        return Shot(d, servers, seq[d.person_id], edit)

    shots = [
        shot(d, (i % 2, 1 - i % 2) if i in raced else (i % 2,), edit=True)
        for i, d in enumerate(unique)
    ]
    replayed = range(1, len(unique), step)[: load.webhook_replays]
    return shots + [shot(unique[i], (1 - i % 2,), edit=False) for i in replayed]


def _delivery(person_id: int, legal_entity_id: int, version: int) -> Delivery:
    envelope = {
        "event": "person.documents_saved",
        "legal_entity_id": str(legal_entity_id),
        "person": emis_person(person_id, version, f"WH v{version}"),
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    return Delivery(f"mp-{uuid.uuid4()}", person_id, version, body)


def sign(secret: str, body: bytes, delivery_id: str) -> dict[str, str]:
    """The contract's headers: HMAC-SHA256 of "<timestamp>." + body."""
    timestamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Emis-Timestamp": timestamp,
        "X-Emis-Signature": "sha256=" + mac.hexdigest(),
        "X-Emis-Delivery": delivery_id,
    }


def senders(load: Load, world: World, stack: Stack, outcome: Outcome) -> list:
    """``webhook_senders`` callables that share the plan; each takes the next
    shot as soon as its previous one is answered."""
    shots = iter(plan(load, world))
    lock = threading.Lock()
    # A person's shots go in the plan's order, whatever the other senders do.
    turn = dict.fromkeys(world.webhook, 1)
    turns = threading.Condition()
    started = time.perf_counter()

    def post(d: Delivery, server: int) -> None:
        headers = sign(world.api_password, d.body, d.delivery_id)
        url = stack.urls[server % len(stack.urls)]
        t0 = time.perf_counter()
        code, body = send(url, "POST", WEBHOOK_PATH, d.body, headers)
        seconds = time.perf_counter() - t0
        outcome.add(Answer("webhook", d.person_id, code, body, seconds, d.delivery_id))

    def fire(shot: Shot) -> None:
        pid = shot.delivery.person_id
        works = [partial(post, shot.delivery, s) for s in shot.servers]
        if shot.edit:
            works.append(partial(staff_edit, world, stack, outcome, pid, shot.seq))
        with turns:
            if not turns.wait_for(lambda: turn[pid] == shot.seq, load.timeout):
                outcome.errors.append(
                    f"person {pid}: shot {shot.seq} never had its turn"
                )
        try:
            at_once(outcome, *works)
        finally:
            with turns:
                turn[pid] += 1
                turns.notify_all()

    def sender() -> None:
        while True:
            with lock:
                shot = next(shots, None)
            if shot is None:
                break
            fire(shot)
        with lock:
            outcome.webhook_seconds = max(
                outcome.webhook_seconds, time.perf_counter() - started
            )

    return [sender] * load.webhook_senders
