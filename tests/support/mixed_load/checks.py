"""What the database and the workers' logs say after the load: the
figures, and every broken promise as a line of text. The test asserts there
is none; the benchmark prints them.

The promises: every delivery sent is claimed exactly once (one
``WebhookDelivery`` row, one non-``duplicate`` answer), every send is in the
delivery log with its answer, and each delivery is applied at most once (one ``birth_place`` history row per applied delivery, each value
once); every feed item applied once (the cursor at the feed's end, each
version's history row once, no page item found ``unchanged``); each pull
person's data applied by exactly one pull; every staff edit answered,
recorded and the last one kept.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from emis.models import EmisDelivery, EmisJob, SyncState, WebhookDelivery
from reservations.models import Person, PersonChange
from tests.support.sandbox import SandboxHandle

from .traffic import Outcome
from .world import Load, World, feed_end, staff_address, staff_phone

_PAGE = re.compile(
    r"legal_entity=(\d+) page=\d+ applied=(\d+) unchanged=(\d+) unknown=(\d+)"
)
_RUN = re.compile(r"legal_entity=\d+ pages=\d+ applied=\d+")
_SKIPPED = re.compile(r"legal_entity=\d+ skipped: another sync run holds the lease")
EXAMPLES = 3  # offending IDs quoted per problem


@dataclass
class Findings:
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = ["problems:", *self.problems, "figures:"]
        lines += [f"  {name}: {values}" for name, values in self.figures.items()]
        return "\n".join(lines) + "\n"

    def problem(self, what: str, items) -> None:
        items = sorted(items) if not isinstance(items, list) else items
        if items:
            self.problems.append(f"{what}: {len(items)}, e.g. {items[:EXAMPLES]}")


def check(
    load: Load,
    world: World,
    outcome: Outcome,
    sandbox: SandboxHandle,
    worker_logs: list[str],
) -> Findings:
    found = Findings()
    found.problems += outcome.errors
    _webhooks(load, world, outcome, found)
    _sync(load, world, sandbox, worker_logs, found)
    _pulls(load, world, outcome, found)
    _staff(load, world, outcome, found)
    return found


def _history(persons, source: str, name: str) -> dict[int, list[str]]:
    """Each person's history values of one field from one writer, in order."""
    rows = (
        PersonChange.objects.filter(person_id__in=persons, source=source, field=name)
        .order_by("id")
        .values_list("person_id", "new_value")
    )
    values: dict[int, list[str]] = defaultdict(list)
    for pid, value in rows:
        values[pid].append(value)
    return values


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # nearest rank
    return ordered[int(rank) - 1]


def _webhooks(load: Load, world: World, outcome: Outcome, found: Findings) -> None:
    answers = outcome.of("webhook")
    found.problem(
        "webhook answers other than 200",
        [(a.code, a.body) for a in answers if a.code != 200],
    )
    sends: dict[str, list] = defaultdict(list)
    for a in answers:
        sends[a.delivery_id].append(a)
    claims = {
        d: [a for a in group if a.code == 200 and a.body.get("status") != "duplicate"]
        for d, group in sends.items()
    }
    rows = dict(
        WebhookDelivery.objects.filter(delivery_id__in=sends).values_list(
            "delivery_id", "status"
        )
    )
    found.problem("deliveries lost (no WebhookDelivery row)", set(sends) - set(rows))
    found.problem(
        "deliveries claimed twice", [d for d, c in claims.items() if len(c) > 1]
    )
    found.problem("deliveries never claimed", [d for d, c in claims.items() if not c])
    found.problem(
        "deliveries whose row disagrees with the answer",
        [
            d
            for d, c in claims.items()
            if len(c) == 1 and rows.get(d) != c[0].body["status"]
        ],
    )
    applied = Counter(
        group[0].person_id for d, group in sends.items() if rows.get(d) == "applied"
    )
    places = _history(world.webhook, "webhook", "birth_place")
    found.problem(
        "webhook persons with a delivery applied twice",
        [p for p, v in places.items() if len(v) != len(set(v))],
    )
    found.problem(
        "webhook persons whose history disagrees with their applied deliveries",
        [p for p in world.webhook if len(places.get(p, [])) != applied[p]],
    )
    last = load.webhook_versions
    found.problem(
        "webhook persons without their newest version",
        _wrong_final(world.webhook, last, f"WH v{last}"),
    )
    _webhook_answers(load, world, answers, found)
    logged = Counter(
        EmisDelivery.objects.filter(delivery_id__in=sends).values_list(
            "delivery_id", "status"
        )
    )
    answered = Counter((a.delivery_id, a.body.get("status")) for a in answers)
    found.problem(
        "sends the delivery log records otherwise (ID, status: answered, logged)",
        [
            (k, answered[k], logged[k])
            for k in answered | logged
            if answered[k] != logged[k]
        ],
    )
    seconds = [a.seconds for a in answers]
    found.figures["webhook"] = {
        "sent": len(answers),
        "deliveries": len(sends),
        "answers": dict(Counter(a.body.get("status", a.code) for a in answers)),
        "per_s": len(answers) / outcome.webhook_seconds
        if outcome.webhook_seconds
        else 0,
        "p50_ms": _percentile(seconds, 50) * 1000 if seconds else 0,
        "p99_ms": _percentile(seconds, 99) * 1000 if seconds else 0,
        "lost": len(set(sends) - set(rows)),
        "claimed_twice": sum(1 for c in claims.values() if len(c) > 1),
        "applied": sum(applied.values()),
        "history_rows": sum(len(v) for v in places.values()),
    }


def _webhook_answers(load: Load, world: World, answers, found: Findings) -> None:
    """The plan fixes every count: each send of a delivery after its first
    (replayed or raced) answers ``duplicate``, each swapped older version
    ``stale``, every other delivery ``applied``."""
    unique = len({a.delivery_id for a in answers})
    swaps = min(load.webhook_swaps, len(world.webhook))
    swaps = swaps if load.webhook_versions > 1 else 0
    expected = {
        "applied": unique - swaps,
        "stale": swaps,
        "duplicate": len(answers) - unique,
    }
    got = Counter(a.body.get("status") for a in answers if a.code == 200)
    if +got != +Counter(expected):  # unary + drops the zero counts
        found.problems.append(f"webhook answers {dict(got)}, expected {expected}")


def _wrong_final(persons, version: int, place: str) -> list[int]:
    right = Person.objects.filter(
        pk__in=persons, emis_version=version, birth_place=place
    )
    return sorted(set(persons) - set(right.values_list("pk", flat=True)))


def _sync(
    load: Load,
    world: World,
    sandbox: SandboxHandle,
    worker_logs: list[str],
    found: Findings,
) -> None:
    for state in SyncState.objects.filter(legal_entity_id__in=world.legal_entities):
        le = state.legal_entity_id
        if feed_end(sandbox, le, cursor=state.cursor) != state.cursor:
            found.problems.append(
                f"legal entity {le}: cursor {state.cursor} behind its feed"
            )
        if state.last_error or state.lease_owner:
            found.problems.append(
                f"legal entity {le}: error {state.last_error!r}, lease {state.lease_owner!r}"
            )
    expected = [f"SYNC v{v}" for v in range(1, load.sync_rounds + 1)]
    places = _history(world.sync, "sync", "birth_place")
    found.problem(
        "sync persons whose versions were not each applied once, in order",
        [(p, places.get(p, [])) for p in world.sync if places.get(p, []) != expected],
    )
    if load.sync_rounds:
        last = load.sync_rounds
        found.problem(
            "sync persons without their newest version",
            _wrong_final(world.sync, last, f"SYNC v{last}"),
        )
    log = "\n".join(worker_logs)
    pages = [tuple(map(int, m.groups())) for m in _PAGE.finditer(log)]
    pages = [p for p in pages if p[0] in world.legal_entities]
    applied, again = sum(p[1] for p in pages), sum(p[2] for p in pages)
    history_rows = sum(len(v) for v in places.values())
    if load.sync_rounds and not pages:
        found.problems.append(
            "no sync page line in the workers' logs (format changed?)"
        )
    if again:
        found.problems.append(f"{again} feed items applied a second time ('unchanged')")
    if applied != history_rows:
        found.problems.append(
            f"pages applied {applied} items, history has {history_rows}"
        )
    found.figures["sync"] = {
        "rounds": load.sync_rounds,
        "items_applied": applied,
        "items_again": again,
        "pages": len(pages),
        "runs": len(_RUN.findall(log)),
        "runs_skipped_lease_held": len(_SKIPPED.findall(log)),
    }


def _pulls(load: Load, world: World, outcome: Outcome, found: Findings) -> None:
    answers = outcome.of("pull")
    found.problem(
        "pull requests not queued", [(a.code, a.body) for a in answers if a.code != 202]
    )
    jobs = EmisJob.objects.filter(pk__in=[a.body.get("job") for a in answers])
    results: dict[int, list[str]] = defaultdict(list)
    for job in jobs:
        if job.status != EmisJob.Status.SUCCEEDED:
            found.problems.append(f"pull job {job.pk}: {job.status} {job.error_code}")
        results[job.person_id].append(job.result)
    once = ["applied"] + ["unchanged"] * (load.pulls_per_person - 1)
    found.problem(
        "pull persons not applied by exactly one pull",
        [(p, sorted(results[p])) for p in world.pull if sorted(results[p]) != once],
    )
    places = _history(world.pull, "pull", "birth_place")
    found.problem(
        "pull persons whose history is not one apply",
        [p for p in world.pull if places.get(p) != ["PULL v1"]],
    )
    found.figures["pull"] = {
        "requests": len(answers),
        "succeeded": sum(1 for j in jobs if j.status == EmisJob.Status.SUCCEEDED),
        "results": dict(Counter(j.result for j in jobs)),
    }


def _staff(load: Load, world: World, outcome: Outcome, found: Findings) -> None:
    answers = outcome.of("staff")
    found.problem(
        "staff edits refused", [(a.code, a.body) for a in answers if a.code != 200]
    )
    phones = _history(world.persons, "manual", "phone")
    expected = {
        p: [staff_phone(p, e) for e in range(1, world.edits(load, p) + 1)]
        for p in world.persons
    }
    found.problem(
        "persons whose staff edits are not all in the history, in order",
        [p for p in world.persons if phones.get(p, []) != expected[p]],
    )
    final = Person.objects.filter(pk__in=world.persons).values_list(
        "pk", "phone", "address"
    )
    lost = [
        (pk, phone, address)
        for pk, phone, address in final
        if expected[pk]
        and (phone, address) != (expected[pk][-1], staff_address(len(expected[pk])))
    ]
    found.problem("persons whose last staff edit was lost", lost)
    seconds = [a.seconds for a in answers]
    found.figures["staff"] = {
        "edits": len(answers),
        "answered_200": sum(1 for a in answers if a.code == 200),
        "persons_last_edit_kept": len(world.persons) - len(lost),
        "p50_ms": statistics.median(seconds) * 1000 if seconds else 0,
    }
