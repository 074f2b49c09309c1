"""The embedded default holds under concurrent writers (issue 10, item 1).

The product as README's run command starts it — ``manage.py runserver`` (one
thread per request) on a SQLite file, tasks in-process — takes 30 staff saves
racing 30 webhooks for the same guests: no 5xx, every staff value and the
newest EMIS version stored. Before ``transaction_mode: IMMEDIATE`` most staff
saves answered 500 "database is locked". (The same race on PostgreSQL is in
test_concurrency.py.)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from emis.webhook import signature_for
from tests.support.processes import stop_process

from .conftest import russian, webhook_body

ROOT = Path(__file__).resolve().parents[2]
GUESTS = 30
SECRET = "api-secret-embedded"

SEED = f"""
import json
from django.contrib.auth.models import User
from legal_entities.models import LegalEntity
from pms.roles import Role
from tests.factories import make_emis_connection, make_legal_entity, make_person, make_reservation, make_user
from reservations.services import stay_create
make_emis_connection("http://127.0.0.1:9", api=("pms-api", "{SECRET}"))
entity = make_legal_entity()
reservation = make_reservation(entity)
ids = []
for n in range({GUESTS}):
    person = make_person(f"Гость{{n}}")
    stay_create(reservation=reservation, person=person)
    ids.append(person.pk)
user = make_user(Role.FRONT_DESK, username="desk")
user.set_password("desk-password-12345")
user.save()
print(json.dumps({{"entity": entity.pk, "persons": ids}}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _embedded_env(var_dir: Path) -> dict[str, str]:
    dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "PMS_TEST_REDIS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"PMS_VAR_DIR": str(var_dir), "DEBUG": "true", "CELERY_BROKER_URL": ""})
    return env


def _manage(env, *args, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture
def embedded(tmp_path):
    env = _embedded_env(tmp_path)
    _manage(env, "migrate", "-v0")
    seeded = json.loads(_manage(env, "shell", stdin=SEED).strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("runserver did not start") from None
                time.sleep(0.1)
        yield {"url": url, **seeded}
    finally:
        stop_process(server)


def _token(url: str) -> str:
    answer = requests.post(
        url + "/api/v1/auth/token/",
        json={"username": "desk", "password": "desk-password-12345"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["token"]


def _webhook(url: str, entity: int, person_id: int, version: int) -> int:
    body = webhook_body(russian(person_id, version=version), entity)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Emis-Delivery": str(uuid.uuid4()),
        "X-Emis-Timestamp": stamp,
        "X-Emis-Signature": signature_for(SECRET, stamp, body),
    }
    return requests.post(url + "/api/v1/emis/webhook/", data=body, headers=headers, timeout=60).status_code


def test_staff_saves_racing_webhooks_on_sqlite(embedded):
    url, entity, persons = embedded["url"], embedded["entity"], embedded["persons"]
    auth = {"Authorization": f"Token {_token(url)}"}

    def staff(n: int) -> int:
        return requests.patch(
            f"{url}/api/v1/persons/{persons[n]}/",
            json={"phone": f"+7912000{n:04d}"},
            headers=auth,
            timeout=60,
        ).status_code

    jobs = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(GUESTS):
            # Each guest gets two EMIS versions (the newer one last, or first:
            # either way the newer one must win) and one staff save.
            older, newer = (4, 5) if n % 2 else (5, 4)
            jobs.append(pool.submit(_webhook, url, entity, persons[n], older))
            jobs.append(pool.submit(staff, n))
            jobs.append(pool.submit(_webhook, url, entity, persons[n], newer))
        statuses = [job.result() for job in jobs]

    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200}
    for n, person_id in enumerate(persons):
        person = requests.get(f"{url}/api/v1/persons/{person_id}/", headers=auth, timeout=10).json()
        assert person["phone"] == f"+7912000{n:04d}"
        assert person["emis_version"] == 5
        assert person["birth_place"] == "ГОР. МОСКВА"  # EMIS's data is there
