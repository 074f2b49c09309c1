"""Celery tasks of the EMIS module. Thin: each takes ids and calls a service."""

import logging
import time

from celery import shared_task
from django.conf import settings

from emis import pull, sync
from emis.name_policy_tasks import reapply_name_policy  # noqa: F401  (autodiscovery)

log = logging.getLogger("emis.tasks")


@shared_task(bind=True, acks_late=True, max_retries=None)
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


@shared_task(acks_late=True)
def sync_changes(legal_entity_id: int) -> None:
    sync.sync_legal_entity(legal_entity_id=legal_entity_id)


@shared_task
def sync_all() -> None:
    """The periodic entry point (django-celery-beat): one task per legal entity."""
    for legal_entity_id in sync.legal_entities_to_sync():
        try:
            sync_changes.delay(legal_entity_id)
        except Exception:
            # Eager mode runs the sync inline: one entity's failure must not
            # starve the others.
            log.exception("legal_entity=%s sync could not run", legal_entity_id)
