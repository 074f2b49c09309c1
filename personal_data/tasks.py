"""Celery tasks of the personal-data app. Thin: each calls a service."""

import logging

from celery import shared_task

from .retention import retention_purge

log = logging.getLogger("personal_data.tasks")


@shared_task(ignore_result=True, name="personal_data.tasks.purge_personal_data")
def purge_personal_data() -> None:
    """Daily (django-celery-beat, installed by migration 0001): the
    retention rule of every legal entity that has one."""
    run = retention_purge()
    log.info("retention purge: %s persons erased", run.total)
