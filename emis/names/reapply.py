"""Re-applying the name policy to existing profiles.

The main name fields are recomputed from the stored ``*_latin`` and
``*_cyrillic`` forms; a part with neither form keeps what staff typed, and a
person with no form at all is not touched. A person's policy is that of the
legal entity of their latest reservation (its override, else the global
policy). Every write goes through ``person_update`` with source "policy", so
it leaves history rows and takes the person's row lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from emis.models import EmisJob
from emis.names.policy import (
    PARTS,
    PolicyFields,
    all_policies,
    resolve_names_with,
    stored_forms,
)
from reservations.models import Person, PersonChange, Stay
from reservations.services import person_lock, person_update

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
_FORM_FIELDS = [f"{p}_{s}" for p in PARTS for s in ("latin", "cyrillic")]
_ACTIVE = (EmisJob.Status.QUEUED, EmisJob.Status.RUNNING)
# error_code of a finished job that left some profiles alone; error_message
# then lists their person IDs.
SKIPPED = "skipped"


# --- Reads ------------------------------------------------------------------


def candidates() -> QuerySet[Person]:
    """Persons with at least one stored script form, with the legal entity
    whose policy applies to them (``policy_entity_id``)."""
    has_form = Q()
    for name in _FORM_FIELDS:
        has_form |= ~Q(**{name: ""})
    latest_entity = (
        Stay.objects.filter(person=OuterRef("pk"))
        .order_by("-reservation__arrival", "-id")
        .values("reservation__legal_entity_id")[:1]
    )
    return (
        Person.objects.filter(has_form)
        .annotate(policy_entity_id=Subquery(latest_entity))
        .only("id", *PARTS, *_FORM_FIELDS, "transliterated_parts", "name_sources")
        .order_by("pk")
    )


def planned_values(person: Person, policy: PolicyFields) -> dict:
    """The fields re-applying ``policy`` would change on ``person``: only
    name parts EMIS or the policy gave, never one staff typed ("Ван Ли"
    stays through any number of policy switches)."""
    latin, cyrillic = stored_forms(person)
    resolved = resolve_names_with(policy, latin=latin, cyrillic=cyrillic)
    typed = _typed_parts(person)
    values = {
        part: value
        for part, value in resolved.main.items()
        if _has_form(person, part)
        and part not in typed
        and getattr(person, part) != value
    }
    # The check flag of a part the policy manages follows the policy; a
    # typed part's flag stays as it is.
    flagged = set(person.transliterated_parts or [])
    transliterated = [
        p
        for p in PARTS
        if (p in typed and p in flagged) or (p not in typed and p in resolved.transliterated)
    ]
    if list(person.transliterated_parts or []) != transliterated:
        values["transliterated_parts"] = transliterated
    return values


def _typed_parts(person: Person) -> set[str]:
    return {p for p, source in (person.name_sources or {}).items() if source == "staff"}


def _sources_after(person: Person, values: dict) -> dict:
    """Who gives each rewritten part now: EMIS's own script, or the policy."""
    derived = set(values.get("transliterated_parts", person.transliterated_parts) or [])
    changed = {p: ("policy" if p in derived else "emis") for p in PARTS if p in values}
    return {**(person.name_sources or {}), **changed}


def batches() -> Iterator[list[Person]]:
    """Candidates in primary-key ranges: no long-open cursor, constant memory."""
    last_pk = 0
    while True:
        batch = list(candidates().filter(pk__gt=last_pk)[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def would_change_count() -> int:
    """How many profiles re-applying the current policy would change."""
    default, overrides = all_policies()
    return sum(
        1
        for batch in batches()
        for person in batch
        if planned_values(person, overrides.get(person.policy_entity_id, default))
    )


def active_job() -> EmisJob | None:
    """The queued or running re-apply job, if any. A job older than
    ``EMIS_REAPPLY_STALE_AFTER`` seconds (a worker lost mid-run) no longer
    blocks starting a new one."""
    stale_after = settings.EMIS_REAPPLY_STALE_AFTER
    since = timezone.now() - dt.timedelta(seconds=stale_after)
    return (
        EmisJob.objects.filter(
            kind=EmisJob.Kind.REAPPLY_NAMES, status__in=_ACTIVE, created_at__gte=since
        )
        .order_by("-created_at", "-id")
        .first()
    )


def job_progress(job: EmisJob) -> dict:
    percent = 100 if job.status == EmisJob.Status.SUCCEEDED else 0
    if job.progress_total and job.status != EmisJob.Status.SUCCEEDED:
        percent = min(99, job.progress_done * 100 // job.progress_total)
    return {
        "id": job.pk,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "percent": percent,
        "persons_changed": _persons_changed(job),
        "error": job.error_message if job.status == EmisJob.Status.FAILED else "",
        "skipped_person_ids": job.error_message if job.error_code == SKIPPED else "",
    }


def _persons_changed(job: EmisJob) -> int:
    if job.started_at is None:
        return 0
    changes = PersonChange.objects.filter(
        source=PersonChange.Source.POLICY, created_at__gte=job.started_at
    )
    if job.finished_at is not None:
        changes = changes.filter(created_at__lte=job.finished_at)
    return changes.values("person_id").distinct().count()


def _has_form(person: Person, part: str) -> bool:
    return bool(getattr(person, f"{part}_latin") or getattr(person, f"{part}_cyrillic"))


# --- Writes -----------------------------------------------------------------


def reapply_job_get_or_create(*, user=None) -> tuple[EmisJob, bool]:
    """The queued or running re-apply job, or a new queued one; ``True`` when
    new (the caller then sends it to the worker on commit)."""
    with transaction.atomic():
        running = active_job()
        if running is not None:
            return running, False
        job = EmisJob.objects.create(
            kind=EmisJob.Kind.REAPPLY_NAMES,
            created_by=user if user is not None and user.is_authenticated else None,
        )
    return job, True


def reapply_job_run(*, job_id: int) -> None:
    """Run a queued job to the end. A job already claimed is left alone, so
    a duplicate task delivery does nothing."""
    claimed = EmisJob.objects.filter(
        pk=job_id, kind=EmisJob.Kind.REAPPLY_NAMES, status=EmisJob.Status.QUEUED
    ).update(
        status=EmisJob.Status.RUNNING,
        started_at=timezone.now(),
        progress_total=candidates().count(),
    )
    if not claimed:
        return
    try:
        changed, skipped = _run(job_id)
    except Exception as exc:
        logger.exception("name policy re-apply failed job_id=%s", job_id)
        _finish(job_id, EmisJob.Status.FAILED, error=type(exc).__name__)
        return
    result = EmisJob.Result.APPLIED if changed else EmisJob.Result.UNCHANGED
    _finish(
        job_id,
        EmisJob.Status.SUCCEEDED,
        result=result,
        fields=changed,
        code=SKIPPED if skipped else "",
        error=_skipped_text(skipped),
    )


def _run(job_id: int) -> tuple[set[str], list[int]]:
    """Changed field names, and the persons whose new names did not validate
    (too long for the field, say): one bad profile does not stop the rest."""
    default, overrides = all_policies()
    changed: set[str] = set()
    skipped: list[int] = []
    done = 0
    for batch in batches():
        for person in batch:
            policy = overrides.get(person.policy_entity_id, default)
            if not planned_values(person, policy):
                continue
            try:
                changed.update(_reapply_one(person.pk, policy))
            except ValidationError:
                logger.warning("name policy re-apply skipped person_id=%s", person.pk)
                skipped.append(person.pk)
        done += len(batch)
        EmisJob.objects.filter(pk=job_id).update(progress_done=done)
    return changed, skipped


def _skipped_text(skipped: list[int]) -> str:
    ids = ", ".join(str(pk) for pk in skipped[:50])
    return ids + ("…" if len(skipped) > 50 else "")


@transaction.atomic
def _reapply_one(person_id: int, policy: PolicyFields) -> list[str]:
    # Recomputed under the row lock: an EMIS update may have changed the
    # stored forms since the batch was read.
    person = person_lock(person_id=person_id)
    values = planned_values(person, policy)
    if not values:
        return []
    sources = _sources_after(person, values)
    changed = person_update(
        person_id=person_id, values=values, source=PersonChange.Source.POLICY
    )
    # Bookkeeping, not a change staff would read in the history.
    Person.objects.filter(pk=person_id).update(name_sources=sources)
    return changed


def _finish(
    job_id: int, status: str, *, result="", fields=(), code="", error=""
) -> None:
    EmisJob.objects.filter(pk=job_id).update(
        status=status,
        result=result,
        error_code=code or ("error" if error else ""),
        changed_fields=sorted(fields),
        error_message=error[:500],
        finished_at=timezone.now(),
    )
