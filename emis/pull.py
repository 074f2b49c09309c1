""" "Получить данные документов": the PMS asks EMIS for one person's data.

A pull is an ``EmisJob`` row (the dialog polls it) of at most
``MAX_ATTEMPTS`` attempts. Transient EMIS failures are retried with backoff
(``Retry-After`` when EMIS gives one, else 2, 4, 8, 16 s): the job returns
to ``queued`` with the last error visible and ``next_attempt_at`` set.
Permanent failures fail the job at once with EMIS's code; "Отменить" cancels
it (``job_cancel``).

Who works an attempt: with a broker, the Celery task
``emis.tasks.pull_person`` (sent on commit, retried with the countdown);
without one (embedded), a look at the job when it is due
(emis/pull_schedule.py) — never a sleep inside a request. Every attempt is
claimed by an update of the row, and every ending is an update guarded by
the attempt it ends, so a cancel or a newer attempt is never overwritten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emis.apply import (
    APPLIED,
    STALE,
    UNCHANGED,
    ApplyResult,
    person_apply_documents,
)
from emis.client import EmisClient
from emis.errors import EmisError, bad_response_message
from emis.models import EmisJob
from emis.payload import PayloadError, parse_person
from emis.scope import CODES as SCOPE_CODES
from emis.scope import ScopeError, person_scope_check, scope_message
from legal_entities.models import LegalEntity
from reservations.aliases import person_alias_ids, person_id_resolve
from reservations.history import masked_key
from reservations.models import Person

log = logging.getLogger("emis.pull")

MAX_RETRIES = 4
MAX_ATTEMPTS = MAX_RETRIES + 1
# How long a running attempt holds its job before a look at the job may take
# it over as lost (its process died): the request budget of the EMIS call,
# plus a margin for the apply (it may wait on the guest's row lock).
LEASE_MARGIN = 60.0
# Endings that are not EMIS's: shown like EMIS's own error kinds.
_LOCAL_ERRORS = {
    "internal_error": gettext_lazy(
        "Unexpected error in the PMS; try again later or ask an administrator."
    ),
    "cancelled": gettext_lazy("Cancelled by the operator."),
}
_INTERNAL = ("internal_error", _LOCAL_ERRORS["internal_error"])
# A cancel that comes after the job's end (a second click, or the job ended
# first): refused alike by the API (409 ``job_ended``) and the dialog.
JOB_ENDED = "job_ended"
JOB_ENDED_MESSAGE = gettext_lazy("The job had already ended: there is nothing to cancel.")
_ERROR_MAX = EmisJob._meta.get_field("error_message").max_length
_ENDED_WITH_REASON = (EmisJob.Status.FAILED, EmisJob.Status.CANCELLED)
_OPEN = (EmisJob.Status.QUEUED, EmisJob.Status.RUNNING)


@dataclass(frozen=True)
class PullOutcome:
    """What the task should do next: nothing, or run again in ``retry_in``
    s. ``worked``: False when there was no attempt to make (the job ended,
    was cancelled, is not due, or another took it)."""

    retry_in: float | None = None
    worked: bool = True


def embedded() -> bool:
    """No broker: Celery tasks run in-process, inside the request that sends
    them (the embedded default)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def job_enqueue_pull(
    *, person_id: int | None, legal_entity_id: int | None, user
) -> tuple[EmisJob, bool]:
    """A queued pull job and whether it is new (the caller sends a new one
    to the worker on commit: ``emis.tasks.pull_person_send``). A pull still
    open for the guest and legal entity is returned instead: a second click
    or a reload mid-pull follows it rather than asking EMIS twice.

    Raises ValueError (a message for staff) when the guest is not saved yet
    (EMIS keys on the saved person ID) or the legal entity is unknown, and
    its subclass ``ScopeError`` when the legal entity is inactive or the
    guest has no stay with it.
    """
    if person_id is not None:
        person_id = person_id_resolve(person_id)  # a merged ID: the survivor
    if person_id is None or not Person.objects.filter(pk=person_id).exists():
        raise ValueError(_("Save the guest first: EMIS needs the guest's person ID."))
    legal_entity = LegalEntity.objects.filter(pk=legal_entity_id).first()
    if legal_entity_id is None or legal_entity is None:
        raise ValueError(_("Choose an active legal entity."))
    person_scope_check(person_id=person_id, legal_entity=legal_entity)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).exists()  # 2 at once
        open_job = _open_pulls(person_id, legal_entity.pk).first()
        if open_job is not None:
            return open_job, False
        job = EmisJob.objects.create(
            kind=EmisJob.Kind.PULL,
            person_id=person_id,
            legal_entity_id=legal_entity.pk,
            created_by=user if user is not None and user.is_authenticated else None,
            next_attempt_at=timezone.now(),
        )
    return job, True


def open_pull_ids(person_id: int) -> Subquery:
    """Per legal entity (``OuterRef("pk")``): the person's open pull job."""
    return Subquery(_open_pulls(person_id, OuterRef("pk")).values("pk")[:1])


def _open_pulls(person_id: int, legal_entity_id):
    return EmisJob.objects.filter(
        kind=EmisJob.Kind.PULL,
        status__in=_OPEN,
        person_id=person_id,
        legal_entity_id=legal_entity_id,
    ).order_by("-pk")


def job_fail_unsent(*, job_id: int) -> None:
    """Fail a job that could not be sent to the worker, so the dialog stops
    polling it."""
    _end_open(job_id, status=EmisJob.Status.FAILED, code="internal_error")


def _end_open(job_id: int, *, status: str, code: str, **match) -> bool:
    """End a job that is not final yet with ``code``'s message (one guarded
    UPDATE, so of two callers one ends it): True if this call did."""
    return bool(
        EmisJob.objects.filter(pk=job_id, status__in=_OPEN, **match).update(
            status=status,
            error_code=code,
            error_message=str(_LOCAL_ERRORS[code]),
            finished_at=timezone.now(),
            next_attempt_at=None,
        )
    )


def job_cancel(*, job_id: int, user=None) -> bool:
    """ "Отменить": end a pull job that is not final, ``cancelled``. True
    when this call cancelled it; False when it had ended already.

    A worker's message for it later claims nothing, and an attempt already
    running applies nothing (``_apply``)."""
    cancelled = _end_open(
        job_id, status=EmisJob.Status.CANCELLED, code="cancelled", kind=EmisJob.Kind.PULL
    )
    if cancelled:
        log.info("job=%s cancelled by user=%s", job_id, getattr(user, "pk", None))
    return cancelled


def job_run_pull(*, job_id: int, due_only: bool = False) -> PullOutcome:
    """One attempt of a pull job: for the task's message, or (``due_only``)
    for a look at the job in embedded mode, which works it only when its
    next attempt is due (emis/pull_schedule.py)."""
    job = _claim(job_id, due_only=due_only)
    if job is None:
        return PullOutcome(worked=False)
    if job.attempts > MAX_ATTEMPTS:  # the last one was lost with its process
        _finish(job, status=EmisJob.Status.FAILED, error=_INTERNAL)
        return PullOutcome()
    refusal = _out_of_scope(job)
    if refusal is not None:
        log.warning("job=%s refused: %s", job.pk, refusal[0])
        _finish(job, status=EmisJob.Status.FAILED, error=refusal)
        return PullOutcome()
    try:
        _fetch_and_apply(job)
    except EmisError as exc:
        return _failed_attempt(job, exc)
    except PayloadError as exc:
        log.warning("job=%s bad EMIS data, fields=%s", job.pk, ",".join(exc.paths))
        # Permanent: the job fails, its message naming each field.
        _finish(
            job,
            status=EmisJob.Status.FAILED,
            error=("bad_response", exc.describe(limit=_ERROR_MAX)),
        )
        return PullOutcome()
    except Exception:
        # A bug must not leave the dialog polling a "running" job forever.
        _finish(job, status=EmisJob.Status.FAILED, error=_INTERNAL)
        raise
    return PullOutcome()


def _claim(job_id: int, *, due_only: bool) -> EmisJob | None:
    """Take the next attempt by one UPDATE: of two pollers (two tabs, a
    double click) or a poller and a redelivered message, one wins.

    A task's message claims a queued or running job (a message redelivered
    after its worker died takes over its attempt); a look in embedded mode
    only a due one, or one whose running attempt outlived its lease."""
    now = timezone.now()
    rows = EmisJob.objects.filter(
        pk=job_id, kind=EmisJob.Kind.PULL, status__in=_OPEN
    )
    if due_only:
        rows = rows.filter(next_attempt_at__lte=now)
    lease = settings.EMIS_REQUEST_BUDGET + LEASE_MARGIN
    claimed = rows.update(
        status=EmisJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        next_attempt_at=now + timedelta(seconds=lease),
    )
    if not claimed:
        return None
    return EmisJob.objects.select_related("legal_entity").get(pk=job_id)


def _out_of_scope(job: EmisJob) -> tuple[str, str] | None:
    """Checked again when worked: the legal entity may have been switched
    off, or the stay removed, since the job was queued."""
    if job.person_id is None or job.legal_entity is None:
        return _INTERNAL
    try:
        person_scope_check(person_id=job.person_id, legal_entity=job.legal_entity)
    except ScopeError as exc:
        return exc.code, exc.message
    return None


def _fetch_and_apply(job: EmisJob) -> None:
    """EMIS's data for the person's ID and for each ID merged into it (EMIS
    still keeps data under those), applied oldest EMIS save first so the
    newest wins."""
    emis_ids = [job.person_id, *person_alias_ids(job.person_id)]
    # A look at the job in embedded mode runs inside a web request: its calls
    # together must fit the request's budget (emis/client_plan.py).
    budget = settings.EMIS_REQUEST_BUDGET / len(emis_ids) if embedded() else None
    client = EmisClient.from_connection(budget=budget)
    found = []
    for emis_id in emis_ids:
        try:
            raw = client.get_person(person_id=emis_id, legal_entity_id=job.legal_entity_id)
        except EmisError as exc:
            if exc.code != "person_not_found":
                raise
            continue
        data = parse_person(raw, path="person")
        if data.pms_person_id != emis_id:
            # Documents of another guest must never land on this one.
            raise PayloadError(
                {"person.person_id": ["does not match the requested person"]}
            )
        found.append(data)
    if not found:
        _finish(job, status=EmisJob.Status.SUCCEEDED, result=EmisJob.Result.NOT_FOUND)
        return
    _apply(job, sorted(found, key=lambda d: d.updated_at))


def _combined(results: list[ApplyResult]) -> ApplyResult:
    """One outcome for the job: applied if any answer was, with every change."""
    if len(results) == 1:
        return results[0]
    statuses = {r.status for r in results}
    status = next(s for s in (APPLIED, UNCHANGED, STALE) if s in statuses)
    fields = [f for r in results for f in r.changed_fields]
    met = [f for r in results for f in r.conflicts]
    return ApplyResult(status, list(dict.fromkeys(fields)), list(dict.fromkeys(met)))


def _apply(job: EmisJob, found: list) -> None:
    """Apply EMIS's answers and end the job, in one transaction — unless the
    job was cancelled while EMIS answered.

    Chosen: a cancelled job applies nothing, not even data that did arrive.
    Applying it would be harmless (it is what the pull asked for), but the
    dialog already says "Cancelled by the operator", and the profile must
    not change behind that message; a new pull brings the data. The job's
    ending is the transaction's first write: it takes the row lock
    (PostgreSQL) or the write lock (SQLite) before the apply, so a cancel
    either came first (nothing applied) or waits and finds the job ended."""
    with transaction.atomic():
        if not _finish(job, status=EmisJob.Status.SUCCEEDED):
            log.info("job=%s ended while EMIS answered: not applied", job.pk)
            return
        result = _combined(
            [
                person_apply_documents(
                    person_id=job.person_id,
                    legal_entity_id=job.legal_entity_id,
                    data=data,
                    source="pull",
                    user=job.created_by,
                )
                for data in found
            ]
        )
        EmisJob.objects.filter(pk=job.pk).update(
            result=result.status,
            # Shown to the API and the dialog: series masked, as in logs.
            changed_fields=[masked_key(key) for key in result.changed_fields],
            conflict_fields=[masked_key(key) for key in result.conflicts],
        )


def _failed_attempt(job: EmisJob, exc: EmisError) -> PullOutcome:
    log.warning("job=%s attempt=%s failed: %s", job.pk, job.attempts, exc.code)
    error = (exc.code, exc.message)
    if exc.permanent or job.attempts >= MAX_ATTEMPTS:
        _finish(job, status=EmisJob.Status.FAILED, error=error)
        return PullOutcome()
    delay = float(exc.retry_after if exc.retry_after is not None else 2.0**job.attempts)
    due = timezone.now() + timedelta(seconds=delay)
    if not _finish(job, status=EmisJob.Status.QUEUED, error=error, next_attempt_at=due):
        return PullOutcome()  # cancelled meanwhile: no next attempt
    return PullOutcome(retry_in=delay)


def _finish(
    job: EmisJob,
    *,
    status: str,
    result: str = "",
    error: tuple[str, str] | None = None,  # (code, message)
    next_attempt_at=None,
) -> bool:
    """End the attempt ``job`` holds (back to ``queued`` for the next one,
    or final). False, and nothing written, when the job is no longer this
    attempt's: cancelled, or taken over after its lease ran out."""
    code, message = error or ("", "")
    return bool(
        EmisJob.objects.filter(
            pk=job.pk, status=EmisJob.Status.RUNNING, attempts=job.attempts
        ).update(
            status=status,
            result=result,
            changed_fields=[],
            conflict_fields=[],
            error_code=code,
            error_message=str(message)[:_ERROR_MAX],
            finished_at=None if status == EmisJob.Status.QUEUED else timezone.now(),
            next_attempt_at=next_attempt_at,
        )
    )


def job_as_dict(job: EmisJob) -> dict:
    """The job as the API and the dialog show it: its attempts, when a
    queued one is next tried, and why it is retrying, failed or cancelled."""
    queued = job.status == EmisJob.Status.QUEUED
    # A queued job with an error is retrying: the reason shows meanwhile.
    shows_error = queued or job.status in _ENDED_WITH_REASON
    return {
        "id": job.pk,
        "status": job.status,
        "result": job.result or None,
        "changed_fields": list(job.changed_fields or []),
        "attempts": job.attempts,
        "max_attempts": MAX_ATTEMPTS,
        "next_attempt_at": job.next_attempt_at if queued else None,
        # Kept the profile's value against EMIS's: see the person's conflicts.
        "conflicts": list(job.conflict_fields or []),
        "error": (
            {"code": job.error_code, "message": _error_message(job)}
            if shows_error and job.error_code
            else None
        ),
    }


def _error_message(job: EmisJob) -> str:
    # Rendered in the reader's language, not the worker's, when the code is
    # one of EMIS's known kinds.
    if job.error_code == "bad_response":
        return bad_response_message(job.error_message)
    if job.error_code in _LOCAL_ERRORS:
        return str(_LOCAL_ERRORS[job.error_code])
    if job.error_code in SCOPE_CODES and job.legal_entity_id:
        return scope_message(job.error_code, job.legal_entity)
    try:
        return EmisError(job.error_code).message
    except ValueError:
        return job.error_message
