"""Celery tasks of the EMIS module. Thin: each takes ids and calls a service."""

from emis.name_policy_tasks import reapply_name_policy  # noqa: F401  (autodiscovery)
