"""Registers the daily pruning of the webhook delivery log with
django-celery-beat: ``emis.tasks.prune_delivery_log`` once a day (rows older
than EMIS_DELIVERY_LOG_DAYS go).

A data migration, like the sync's (0002): no process start writes to the
database, and an admin may change or disable the task in the Django admin
without it being recreated.
"""

from django.db import migrations
from django.utils.timezone import now

TASK_NAME = "EMIS: prune the delivery log"
TASK = "emis.tasks.prune_delivery_log"


def create_task(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _created = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "interval": schedule, "enabled": True},
    )
    _tell_beat(apps)


def _tell_beat(apps):
    # Historical models skip PeriodicTask.save(), which normally bumps this
    # marker; a running beat reloads its schedule when it moves.
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": now()})


def delete_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    _tell_beat(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("emis", "0005_delivery_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, delete_task)]
