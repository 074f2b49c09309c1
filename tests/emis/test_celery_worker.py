"""A pull job worked by a real Celery worker process over Redis.

Needs PMS_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) and a database the
worker process can open too: PostgreSQL (DATABASE_URL=postgres://.../<name>)
or a file-based SQLite test database; the default in-memory SQLite test
database is private to this process, so the test skips there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from kombu import pools as kombu_pools

from emis.models import EmisJob
from pms.celery import app as celery_app
from reservations.models import Person
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_legal_entity,
    make_reservation,
)
from tests.support.processes import postgres_url, stop_process
from tests.support.sandbox import sample_person

REDIS_URL = os.environ.get("PMS_TEST_REDIS_URL", "")
REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not REDIS_URL, reason="PMS_TEST_REDIS_URL is not set"),
]


def _database_url() -> str:
    """The test database pytest-django created, as a DATABASE_URL."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(s["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip(
                "in-memory SQLite test database: a worker process cannot share it"
            )
        return f"sqlite:///{name}"
    if connection.vendor != "postgresql":
        pytest.skip(f"no DATABASE_URL form for {connection.vendor}")
    return postgres_url(s)


@pytest.fixture
def broker(settings):
    """`.delay()` really goes to Redis in this process, restored afterwards."""
    # Read before the setting changes: the first read loads Celery's config
    # from the settings, and would save (and later restore) eager off for
    # every test after this one in the process.
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.broker_url = REDIS_URL
    celery_app.conf.task_always_eager = False
    _drop_pools()
    try:
        yield REDIS_URL
    finally:
        _drop_pools()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved


def _drop_pools() -> None:
    # Connections made for one broker URL must not be reused for another;
    # kombu keeps producer pools in a global registry, so reset that too.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def worker(broker, settings, tmp_path):
    key = Fernet.generate_key().decode()
    settings.PMS_ENCRYPTION_KEYS = [key]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pms.settings",
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": _database_url(),
        "PMS_ENCRYPTION_KEYS": key,
        "PMS_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our own app
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pms",
                "worker",
                "--pool=solo",
                "-Q",
                "celery",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log_path
    finally:
        stop_process(process)


def _wait_until_final(job_id: int, process, log_path: Path) -> EmisJob:
    final = (EmisJob.Status.SUCCEEDED, EmisJob.Status.FAILED)
    return _wait_for(job_id, lambda job: job.status in final, process, log_path)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_pulls_from_the_sandbox(worker, emis_sandbox):
    process, log_path = worker
    connect_to_sandbox(emis_sandbox)
    # A pull needs a stay with the legal entity (emis/scope.py).
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Репин").person
    emis_sandbox.save_person(le.pk, sample_person(person.pk))

    job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    job = _wait_until_final(job.pk, process, log_path)

    assert (job.status, job.result) == ("succeeded", "applied"), log_path.read_text()
    assert job.attempts == 1
    person = Person.objects.get(pk=person.pk)
    assert person.surname_latin == "KRUPKIN"
    assert person.documents.get().number == "123456"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_transient_failure_with_a_countdown(
    worker, emis_sandbox
):
    process, log_path = worker
    connect_to_sandbox(emis_sandbox)
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Репин").person
    emis_sandbox.save_person(le.pk, sample_person(person.pk))
    # Enough 503s to outlast the client's own quick retries of one attempt.
    emis_sandbox.set_faults(status=503, times=3, paths=["/api/v1/persons"])

    job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    job = _wait_until_final(job.pk, process, log_path)

    assert (job.status, job.result) == ("succeeded", "applied"), log_path.read_text()
    assert job.attempts == 2  # the second attempt came from self.retry()
    assert "retry" in log_path.read_text().lower()


def _wait_for(job_id: int, done, process, log_path: Path) -> EmisJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job = EmisJob.objects.get(pk=job_id)
        if done(job):
            return job
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"job {job_id} never got there; worker log:\n{log_path.read_text()}")


@pytest.mark.django_db(transaction=True)
def test_a_pull_cancelled_while_the_worker_waits_to_retry_stays_cancelled(
    worker, emis_sandbox, front_desk_client
):
    """With a worker: the job shows its attempts and when the next is due;
    the clerk cancels; the retry Celery delivers at the countdown does
    nothing, though EMIS would answer by then."""
    process, log_path = worker
    connect_to_sandbox(emis_sandbox)
    le = make_legal_entity()
    person = make_guest(make_reservation(le), "Репин").person
    emis_sandbox.save_person(le.pk, sample_person(person.pk))
    emis_sandbox.set_faults(status=503, paths=["/api/v1/persons"])

    job = enqueue_pull(person_id=person.pk, legal_entity_id=le.pk, user=None)
    job = _wait_for(job.pk, lambda j: j.error_code, process, log_path)
    url = f"/api/v1/emis/jobs/{job.pk}/"
    shown = front_desk_client.get(url).json()
    assert (shown["status"], shown["attempts"], shown["max_attempts"]) == ("queued", 1, 5)
    assert shown["next_attempt_at"] and shown["error"]["code"] == "unavailable"

    cancelled = front_desk_client.post(url + "cancel/")
    assert cancelled.status_code == 200, cancelled.content
    emis_sandbox.clear_faults()
    # The retry's message runs at its countdown and returns without a word.
    _wait_for(
        job.pk,
        lambda j: log_path.read_text().count("pull_person[") >= 2
        and "succeeded in" in log_path.read_text(),
        process,
        log_path,
    )
    job = EmisJob.objects.get(pk=job.pk)
    assert (job.status, job.attempts, job.error_code) == ("cancelled", 1, "cancelled")
    assert Person.objects.get(pk=person.pk).surname_latin == ""
