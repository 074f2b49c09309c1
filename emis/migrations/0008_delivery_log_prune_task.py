"""Registers the daily pruning of the webhook delivery log with
django-celery-beat: ``emis.tasks.prune_delivery_log`` once a day (rows older
than EMIS_DELIVERY_LOG_DAYS go). A data migration, like the sync's (0002,
``emis/beat.py``)."""

from django.db import migrations

from emis.beat import periodic_task_install, periodic_task_remove

TASK_NAME = "EMIS: prune the delivery log"
TASK = "emis.tasks.prune_delivery_log"


def create_task(apps, schema_editor):
    periodic_task_install(apps, name=TASK_NAME, task=TASK, every=1, period="days")


def delete_task(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("emis", "0007_delivery_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, delete_task)]
