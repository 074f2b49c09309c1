"""Installing and removing the app's periodic tasks in django-celery-beat,
for the data migrations that do it (0002: the sync, 0008: pruning the
delivery log).

Migrations rather than code in AppConfig.ready(): no process start writes to
the database, and an admin may change or disable a task in the Django admin
without it being recreated. Only historical models (``apps``) are used.
"""

from __future__ import annotations

from django.utils.timezone import now


def periodic_task_install(
    apps, *, name: str, task: str, every: int, period: str
) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _created = IntervalSchedule.objects.get_or_create(
        every=every, period=period
    )
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "interval": schedule, "enabled": True}
    )
    _tell_beat(apps)


def periodic_task_remove(apps, *, name: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=name).delete()
    _tell_beat(apps)


def _tell_beat(apps) -> None:
    # Historical models skip PeriodicTask.save(), which normally bumps this
    # marker; a running beat reloads its schedule when it moves.
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": now()})
