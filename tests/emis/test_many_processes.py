"""Many processes, one truth: two gunicorn servers, two Celery workers and
beat on one PostgreSQL database and one Redis broker, with signed webhooks,
the changes feed (synced by beat, with extra runs raced against it), pulls
and staff edits all at once. Afterwards: no delivery lost or applied twice,
no feed item applied twice, each pull person's data applied once, every
staff edit kept.

The processes are real (``tests.support.stack``), on the test database
pytest-django made (the test's rows are committed: a transactional test).
Every wait polls the database or a log against a deadline; no timing is
asserted. The sizes are ``Load``'s fields; ``bench/many_processes.py``
runs the same scenario bigger and prints the figures.
"""

from __future__ import annotations

import os
import secrets

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.support.mixed_load import Load, check, prepare, run
from tests.support.processes import postgres_url
from tests.support.stack import running_stack, stack_env

REDIS_URL = os.environ.get("PMS_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.sandbox,
    pytest.mark.postgres,
    pytest.mark.skipif(not REDIS_URL, reason="PMS_TEST_REDIS_URL is not set"),
    pytest.mark.django_db(transaction=True),
]


def test_two_web_servers_two_workers_and_beat_lose_and_double_nothing(
    emis_sandbox, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the processes share the test database: PostgreSQL only")
    load = Load()
    key = Fernet.generate_key().decode()
    settings.PMS_ENCRYPTION_KEYS = [key]  # the processes decrypt what we store
    world = prepare(load, emis_sandbox)
    env = stack_env(
        dict(os.environ),
        database_url=postgres_url(connection.settings_dict),
        broker_url=REDIS_URL,
        encryption_key=key,
        var_dir=tmp_path / "var",
        secret_key=secrets.token_urlsafe(40),
    )
    with running_stack(env, tmp_path / "stack") as stack:
        outcome = run(load, world, stack, emis_sandbox, REDIS_URL)
        stack.stop()  # gracefully: every sync run has finished and logged
        found = check(load, world, outcome, emis_sandbox, stack.worker_logs())
        assert not found.problems, found.report() + stack.logs()

    # Each feed item once, and every one of them: not a vacuous pass.
    sync = found.figures["sync"]
    assert sync["items_applied"] == len(world.sync) * load.sync_rounds
