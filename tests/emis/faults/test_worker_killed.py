"""A sync worker SIGKILLed in the middle of a page's transaction: the cursor
never passes the uncommitted page, and the next run applies every person
exactly once. The worker is a real separate process on the same database
(the pytest-django test database on PostgreSQL; on SQLite a file copy of
the in-memory test database, read back afterwards)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.db import connection as db
from django.utils import timezone

from emis import sync
from emis.models import SyncState
from tests.factories import connect_to_sandbox, make_legal_entity, make_person
from tests.support.sandbox import sample_person

from .conftest import snapshot
from .test_sync_faults import applied_ids, assert_each_applied_once

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

WORKER = Path(__file__).with_name("sync_worker.py")
REPO = Path(__file__).resolve().parents[3]


def _database_url(tmp_path: Path) -> str:
    """The URL a separate process uses to reach this test's database."""
    s = db.settings_dict
    if db.vendor == "postgresql":
        auth = quote(s["USER"] or "postgres")
        if s["PASSWORD"]:
            auth += ":" + quote(s["PASSWORD"])
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    if db.vendor == "sqlite":
        db.ensure_connection()
        path = tmp_path / "shared.sqlite3"
        target = sqlite3.connect(path)
        db.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    pytest.skip(f"no way to share a {db.vendor} test database with a subprocess")


def _read_back(url: str) -> None:
    """SQLite: load what the worker committed into the test database."""
    if db.vendor == "sqlite":
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        source.backup(db.connection)
        source.close()


def _wait_for(marker: Path, text: str, worker: subprocess.Popen, stderr: Path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text() == text:
            return
        if worker.poll() is not None:
            pytest.fail(
                f"worker exited early ({worker.returncode}):\n{stderr.read_text()}"
            )
        time.sleep(0.02)
    pytest.fail("the worker never reached the page to kill it on")


def test_a_worker_killed_inside_page_two_loses_nothing_and_doubles_nothing(
    emis_sandbox, settings, tmp_path, monkeypatch
):
    key = Fernet.generate_key().decode()
    settings.PMS_ENCRYPTION_KEYS = [key]  # the worker must read the passwords
    connect_to_sandbox(emis_sandbox)
    le = make_legal_entity()
    people = [make_person(f"P{i}") for i in range(6)]
    emis_sandbox.save_persons_bulk(le.pk, [sample_person(p.pk) for p in people])
    with emis_sandbox.api() as api:
        first_page = api.get(
            f"{emis_sandbox.base_url}/api/v1/changes",
            params={"legal_entity_id": str(le.pk), "limit": "2"},
            timeout=10,
        ).json()
    untouched = {p.pk: snapshot(p.pk) for p in people[2:]}

    url = _database_url(tmp_path)
    marker, stderr = tmp_path / "page", tmp_path / "worker.stderr"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PMS_ENCRYPTION_KEYS": key,
        "PMS_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
    }
    with stderr.open("w") as err:
        worker = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(WORKER), str(le.pk), "2", "2", str(marker)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        _wait_for(marker, "2", worker, stderr)  # page 2 written, not committed
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    _read_back(url)

    state = SyncState.objects.get(legal_entity=le)
    assert state.cursor == first_page["next_cursor"]  # after page 1, not page 2
    assert state.pages == 1
    assert applied_ids(people) == [people[0].pk, people[1].pk]
    assert {pk: snapshot(pk) for pk in untouched} == untouched
    # The dead run's lease still stands: nothing else works the feed until
    # it expires (LEASE), which is what happens next.
    assert state.lease_owner and state.lease_until > timezone.now()
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    assert sync.sync_legal_entity(legal_entity_id=le.pk).skipped
    SyncState.objects.filter(pk=state.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )

    run = sync.sync_legal_entity(legal_entity_id=le.pk)
    assert (run.error, run.applied, run.unchanged) == ("", 4, 0)
    assert applied_ids(people) == [p.pk for p in people]
    assert_each_applied_once(people)
