""" "Получить данные документов": the PMS asks EMIS for one person's data.

A pull is an ``EmisJob`` row (the dialog polls it) worked by the Celery task
``emis.tasks.pull_person``, which the views send once the job is committed. Transient EMIS failures are retried with backoff
(``Retry-After`` when EMIS gives one, else 2, 4, 8, 16 s; at most
``MAX_RETRIES``); the job returns to ``queued`` with the last error visible
meanwhile. Permanent failures fail the job at once with EMIS's code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emis.apply import person_apply_documents
from emis.client import EmisClient
from emis.errors import EmisError, bad_response_message
from emis.models import EmisJob
from emis.payload import PayloadError, parse_person
from emis.scope import CODES as SCOPE_CODES
from emis.scope import ScopeError, person_scope_check, scope_message
from legal_entities.models import LegalEntity
from reservations.models import Person

log = logging.getLogger("emis.pull")

MAX_RETRIES = 4
# Failures of the PMS itself (not EMIS): shown like EMIS's own error kinds.
_LOCAL_ERRORS = {
    "internal_error": gettext_lazy(
        "Unexpected error in the PMS; try again later or ask an administrator."
    ),
}
_INTERNAL = ("internal_error", _LOCAL_ERRORS["internal_error"])
_ERROR_MAX = EmisJob._meta.get_field("error_message").max_length


@dataclass(frozen=True)
class PullOutcome:
    """What the task should do next: nothing, or run again in ``retry_in`` s."""

    retry_in: float | None = None


def job_enqueue_pull(
    *, person_id: int | None, legal_entity_id: int | None, user
) -> EmisJob:
    """Create a queued pull job; the caller sends it to the worker on commit
    (``emis.tasks.pull_person_send``).

    Raises ValueError (a message for staff) when the guest is not saved yet
    (EMIS keys on the saved person ID) or the legal entity is unknown, and
    its subclass ``ScopeError`` when the legal entity is inactive or the
    guest has no stay with it.
    """
    if person_id is None or not Person.objects.filter(pk=person_id).exists():
        raise ValueError(_("Save the guest first: EMIS needs the guest's person ID."))
    legal_entity = (
        LegalEntity.objects.filter(pk=legal_entity_id).first()
        if legal_entity_id is not None
        else None
    )
    if legal_entity is None:
        raise ValueError(_("Choose an active legal entity."))
    person_scope_check(person_id=person_id, legal_entity=legal_entity)
    job = EmisJob.objects.create(
        kind=EmisJob.Kind.PULL,
        person_id=person_id,
        legal_entity_id=legal_entity_id,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return job


def job_fail_unsent(*, job_id: int) -> None:
    """Fail a job that could not be sent to the worker, so the dialog stops
    polling it."""
    EmisJob.objects.filter(
        pk=job_id, status__in=[EmisJob.Status.QUEUED, EmisJob.Status.RUNNING]
    ).update(
        status=EmisJob.Status.FAILED,
        error_code="internal_error",
        error_message=str(_LOCAL_ERRORS["internal_error"]),
        finished_at=timezone.now(),
    )


def job_run_pull(*, job_id: int) -> PullOutcome:
    """One attempt of a pull job (called by the task)."""
    claimed = EmisJob.objects.filter(
        pk=job_id, status__in=[EmisJob.Status.QUEUED, EmisJob.Status.RUNNING]
    ).update(
        status=EmisJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
    )
    if not claimed:
        return PullOutcome()  # finished already (a redelivered message)
    job = EmisJob.objects.select_related("legal_entity").get(pk=job_id)
    refusal = _out_of_scope(job)
    if refusal is not None:
        log.warning("job=%s refused: %s", job.pk, refusal[0])
        _finish(job, status=EmisJob.Status.FAILED, error=refusal)
        return PullOutcome()
    try:
        result = _fetch_and_apply(job)
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
    _finish(
        job,
        status=EmisJob.Status.SUCCEEDED,
        result=result.status,
        changed_fields=result.changed_fields,
        conflict_fields=result.conflicts,
    )
    return PullOutcome()


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


def _fetch_and_apply(job: EmisJob):
    client = EmisClient.from_connection()
    try:
        raw = client.get_person(
            person_id=job.person_id, legal_entity_id=job.legal_entity_id
        )
    except EmisError as exc:
        if exc.code != "person_not_found":
            raise
        return _NotFoundResult()
    data = parse_person(raw, path="person")
    if data.pms_person_id != job.person_id:
        # Documents of another guest must never land on this one.
        raise PayloadError(
            {"person.person_id": ["does not match the requested person"]}
        )
    return person_apply_documents(
        person_id=job.person_id,
        legal_entity_id=job.legal_entity_id,
        data=data,
        source="pull",
        user=job.created_by,
    )


@dataclass(frozen=True)
class _NotFoundResult:
    status: str = EmisJob.Result.NOT_FOUND
    changed_fields: tuple = ()
    conflicts: tuple = ()


def _failed_attempt(job: EmisJob, exc: EmisError) -> PullOutcome:
    log.warning("job=%s attempt=%s failed: %s", job.pk, job.attempts, exc.code)
    error = (exc.code, exc.message)
    if exc.permanent or job.attempts > MAX_RETRIES:
        _finish(job, status=EmisJob.Status.FAILED, error=error)
        return PullOutcome()
    _finish(job, status=EmisJob.Status.QUEUED, error=error, final=False)
    delay = exc.retry_after if exc.retry_after is not None else 2.0**job.attempts
    return PullOutcome(retry_in=float(delay))


def _finish(
    job: EmisJob,
    *,
    status: str,
    result: str = "",
    changed_fields=(),
    conflict_fields=(),
    error: tuple[str, str] | None = None,  # (code, message)
    final: bool = True,
) -> None:
    job.status = status
    job.result = result
    job.changed_fields = list(changed_fields)
    job.conflict_fields = list(conflict_fields)
    job.error_code, message = error or ("", "")
    job.error_message = str(message)[:_ERROR_MAX]
    job.finished_at = timezone.now() if final else None
    job.save(
        update_fields=[
            "status",
            "result",
            "changed_fields",
            "conflict_fields",
            "error_code",
            "error_message",
            "finished_at",
        ]
    )


def job_as_dict(job: EmisJob) -> dict:
    """The job as the API and the dialog show it."""
    failed = job.status == EmisJob.Status.FAILED
    retrying = job.status == EmisJob.Status.QUEUED and job.error_code
    return {
        "id": job.pk,
        "status": job.status,
        "result": job.result or None,
        "changed_fields": list(job.changed_fields or []),
        # Kept the profile's value against EMIS's: see the person's conflicts.
        "conflicts": list(job.conflict_fields or []),
        "error": (
            {"code": job.error_code, "message": _error_message(job)}
            if (failed or retrying) and job.error_code
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
