"""Registers the background sync of the EMIS changes feed with
django-celery-beat: ``emis.tasks.sync_all`` every EMIS_SYNC_INTERVAL seconds.

A data migration rather than code in AppConfig.ready(), so that no process
start writes to the database and an admin may change or disable the task
in the Django admin without it being recreated (``emis/beat.py``).
"""

from django.conf import settings
from django.db import migrations

from emis.beat import periodic_task_install, periodic_task_remove

TASK_NAME = "EMIS: sync the changes feed"
TASK = "emis.tasks.sync_all"


def create_task(apps, schema_editor):
    every = int(getattr(settings, "EMIS_SYNC_INTERVAL", 300))
    periodic_task_install(apps, name=TASK_NAME, task=TASK, every=every, period="seconds")


def delete_task(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("emis", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, delete_task)]
