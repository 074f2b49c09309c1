"""Celery tasks of the EMIS module. Thin: each takes ids and calls a service.

Services never import this module; the views and the API dispatch, once the
transaction commits. Task names are given explicitly: the beat schedule (a
migration) and queued messages refer to them.
"""

import logging
import time

from celery import shared_task
from django.conf import settings

from emis import pull, sync
from emis.deliveries.services import deliveries_prune
from emis.names.reapply import reapply_job_run

log = logging.getLogger("emis.tasks")


@shared_task(bind=True, acks_late=True, max_retries=None, name="emis.tasks.pull_person")
def pull_person(self, job_id: int) -> None:
    """Work one pull job. The job row counts the attempts and bounds them
    (``emis.pull.MAX_RETRIES``), so Celery's own retry limit is off."""
    outcome = pull.job_run_pull(job_id=job_id)
    while outcome.retry_in is not None:
        if not self.request.is_eager:
            raise self.retry(countdown=outcome.retry_in)
        # Eager mode (no broker, the embedded default): self.retry() would
        # re-run at once, ignoring the countdown, and raise Retry out of the
        # web request's on_commit hook. Wait a short, capped moment in-process
        # instead; the backoff schedule proper applies with a real worker.
        cap = settings.EMIS_EAGER_RETRY_MAX_SLEEP
        time.sleep(max(0.0, min(outcome.retry_in, cap)))
        outcome = pull.job_run_pull(job_id=job_id)


def pull_person_send(job_id: int) -> None:
    """Send a pull job to the worker (the views call this on commit)."""
    try:
        pull_person.delay(job_id)
    except Exception:
        # Broker down (or, in eager mode, a bug in the task): never leave the
        # dialog polling a job that nobody will ever work.
        log.exception("job=%s could not be run", job_id)
        pull.job_fail_unsent(job_id=job_id)


@shared_task(acks_late=True, name="emis.tasks.sync_changes")
def sync_changes(legal_entity_id: int, job_id: int | None = None) -> None:
    error = "internal_error"
    try:
        error = sync.sync_legal_entity(legal_entity_id=legal_entity_id).error
    finally:
        if job_id is not None:  # "Синхронизировать сейчас": one step done
            sync.sync_job_step(job_id=job_id, error=error)


@shared_task(name="emis.tasks.sync_all")
def sync_all(job_id: int | None = None) -> None:
    """The periodic entry point (django-celery-beat), and "Синхронизировать
    сейчас" with its job: one task per legal entity."""
    legal_entity_ids = sync.legal_entities_to_sync()
    if job_id is not None:
        sync.sync_job_start(job_id=job_id, total=len(legal_entity_ids))
    for legal_entity_id in legal_entity_ids:
        try:
            sync_changes.delay(legal_entity_id, job_id)
        except Exception:
            # Eager mode runs the sync inline: one entity's failure must not
            # starve the others. (With a broker down the job is counted too.)
            log.exception("legal_entity=%s sync could not run", legal_entity_id)
            if job_id is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
                sync.sync_job_step(job_id=job_id, error="internal_error")


@shared_task(ignore_result=True, name="emis.tasks.prune_delivery_log")
def prune_delivery_log() -> None:
    """Daily (django-celery-beat): delivery log rows past
    EMIS_DELIVERY_LOG_DAYS go."""
    deliveries_prune()


# The name predates the merge of emis/name_policy_tasks.py into this module;
# messages already queued under it must still find the task.
@shared_task(ignore_result=True, name="emis.name_policy_tasks.reapply_name_policy")
def reapply_name_policy(job_id: int) -> None:
    reapply_job_run(job_id=job_id)
