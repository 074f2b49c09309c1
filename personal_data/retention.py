"""The retention rule: which persons are due, and the purge that erases
them (the daily Celery task and ``manage.py purge_personal_data``).

A legal entity with ``personal_data_retention_days`` set keeps a guest's
data that many days after the guest's last stay with it ended. A person is
due when that time has passed, they have no current or future stay with any
legal entity, and their data was not erased since their last stay already
(unless staff typed some in again after that erasure: ``holds_personal_data``).

Persons are read and erased in batches of ``BATCH`` by person ID (keyset),
each batch its own transaction: the memory a purge needs does not grow with
the number of persons, and no lock is held for long against the front desk
and EMIS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from legal_entities.models import LegalEntity
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Stay,
    Visa,
)

from .erasure import Rule, persons_erase
from .selectors import erased_and_not_back, holds_personal_data, open_stays

BATCH = 500

log = logging.getLogger("personal_data.retention")


@dataclass
class Due:
    """One person due under one legal entity's period."""

    person_id: int
    last_stay_ended: dt.date
    documents: int = 0
    visas: int = 0
    migration_card: int = 0
    history_rows: int = 0


@dataclass
class PurgeRun:
    dry_run: bool
    # legal entity ID → persons erased (or, in a dry run, due)
    persons: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.persons.values())


def entities_with_retention():
    return LegalEntity.objects.filter(personal_data_retention_days__isnull=False)


def persons_due(
    legal_entity: LegalEntity, *, today: dt.date, after: int = 0, limit: int = BATCH
) -> list[Due]:
    """Up to ``limit`` due persons with IDs above ``after``, in ID order."""
    cutoff = retention_cutoff(legal_entity, today=today)
    if cutoff is None:
        return []
    rows = (
        Stay.objects.filter(
            reservation__legal_entity_id=legal_entity.pk, person_id__gt=after
        )
        .exclude(person_id__in=open_stays().values("person_id"))
        # Erased since their last stay, and nothing typed in again since.
        .exclude(erased_and_not_back("person_id"), ~Exists(_holding))
        .values("person_id")
        .annotate(last=Max("registration_to"))
        .filter(last__lt=cutoff)
        .order_by("person_id")
        .values_list("person_id", "last")
    )
    return [Due(pk, last) for pk, last in rows[:limit]]


_holding = Person.objects.filter(pk=OuterRef("person_id")).filter(holds_personal_data())


def retention_cutoff(legal_entity: LegalEntity, *, today: dt.date) -> dt.date | None:
    """The day a stay must have ended before for its guest to be due, or
    None when the period reaches back before the first date Python counts
    (a value saved before the field was bounded, or written around the
    validators): nobody can be due under it, and it must not crash the
    purge of every other legal entity."""
    try:
        return today - dt.timedelta(days=legal_entity.personal_data_retention_days)
    except OverflowError:
        log.warning(
            "retention period out of range, legal entity skipped: "
            "legal_entity=%s days=%s",
            legal_entity.pk,
            legal_entity.personal_data_retention_days,
        )
        return None


def batches_due(legal_entity: LegalEntity, *, today: dt.date) -> Iterator[list[Due]]:
    after = 0
    while batch := persons_due(legal_entity, today=today, after=after):
        yield batch
        after = batch[-1].person_id


def count_records(batch: list[Due]) -> None:
    """What a dry run says it would erase: each person's documents, visas,
    migration card and history rows (four queries per batch)."""
    by_id = {due.person_id: due for due in batch}
    counted = (
        (IdentityDocument, "documents"),
        (Visa, "visas"),
        (MigrationCard, "migration_card"),
        (PersonChange, "history_rows"),
    )
    for model, name in counted:
        rows = (
            model.objects.filter(person_id__in=list(by_id))
            .values("person_id")
            .annotate(n=Count("pk"))
            .values_list("person_id", "n")
        )
        for pk, n in rows:
            setattr(by_id[pk], name, n)


def retention_purge(
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    report: Callable[[LegalEntity, list[Due]], None] | None = None,
) -> PurgeRun:
    """Erase every due person, entity by entity (or, ``dry_run``, only
    count). ``report`` is told each batch (the command prints it)."""
    today = today or timezone.localdate()
    run = PurgeRun(dry_run=dry_run)
    for entity in entities_with_retention().order_by("pk"):
        done = 0
        for batch in batches_due(entity, today=today):
            if dry_run:
                count_records(batch)
                done += len(batch)
            else:
                ids = [due.person_id for due in batch]
                done += len(persons_erase(person_ids=ids, rule=Rule.retention(entity)))
            if report is not None:
                report(entity, batch)
        run.persons[entity.pk] = done
    return run
