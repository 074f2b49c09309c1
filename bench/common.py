"""Shared plumbing of the benchmarks: machine facts, throw-away PostgreSQL
databases, Django set-up from the environment, the EMIS sandbox process,
and a few statistics.

Every benchmark owns databases named ``bench_<name>...`` on the local
PostgreSQL and Redis DB 14, so it never touches what tests or developers
use. Every server it starts listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PYTHON = str(REPO / ".venv" / "bin" / "python")
if not Path(PYTHON).exists():  # run from another interpreter: use it
    PYTHON = sys.executable
# Made per benchmark run and handed to its child processes through the
# environment: they must decrypt the EMIS password the driver stored.
ENCRYPTION_KEY = os.environ.get("BENCH_ENCRYPTION_KEY") or _fernet_key()
SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)


# --- machine ---------------------------------------------------------------


def machine(postgresql: bool = True) -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "postgresql": pg_version() if postgresql else "not used",
        "os": platform.platform(),
        # Other work on the machine skews every figure: shown with each run.
        "load_avg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_machine(postgresql: bool = True) -> dict[str, str]:
    info = machine(postgresql)
    print("machine:")
    for key, value in info.items():
        print(f"  {key:<11} {value}")
    return info


# --- memory of this process ------------------------------------------------


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss_kb() -> int:
    return _status_kb("VmRSS")


def reset_peak_rss() -> None:
    # getrusage().ru_maxrss would not do: Linux carries it across exec, so a
    # child reports its parent's peak. VmHWM is this process image's own
    # high-water mark, and writing "5" to clear_refs resets it to the
    # current RSS, so the peak measured is the measured code's own.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_rss_kb() -> int:
    return _status_kb("VmHWM")


# --- PostgreSQL ------------------------------------------------------------


def _admin():
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    return conn


def pg_version() -> str:
    with _admin() as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def recreate_database(name: str, template: str | None = None) -> str:
    """Drop (kicking out its sessions) and create ``name``; returns its URL."""
    assert name.startswith("bench_"), name  # never anything but our own
    conn = _admin()
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template:
                cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return database_url(name)


def drop_database(name: str) -> None:
    assert name.startswith("bench_"), name
    conn = _admin()
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def migrated_template(name: str, var_dir: Path) -> str:
    """A freshly migrated database to copy per repetition (copying is ~1 s,
    migrating is ~10 s)."""
    url = recreate_database(name)
    env = bench_env(url, var_dir)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    return name


# --- Django ----------------------------------------------------------------


def bench_env(db_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of every PMS process of a benchmark (driver, gunicorn,
    Celery worker, sync child): production-like settings on our database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pms.settings",
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "PMS_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "BENCH_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "BENCH_SECRET_KEY": SECRET_KEY,
        "PMS_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure this process from ``env`` (before anything imports settings)."""
    os.environ.update(env)
    import django

    django.setup()


def arg_parser(doc: str) -> argparse.ArgumentParser:
    """A benchmark's command line, described by its docstring's first line."""
    return argparse.ArgumentParser(description=doc.splitlines()[0])


class Started(NamedTuple):
    info: dict[str, str]  # the machine's facts, saved with the figures
    var: Path  # the benchmark's own directory


def start(name: str, *, template: str, db: str, **extra: str) -> Started:
    """What a benchmark on PostgreSQL does first: print the machine, migrate
    ``template`` (each repetition copies it into ``db``) and set this
    process's Django up on ``db`` with ``extra`` settings (``os.environ``
    then holds them, for the processes it starts)."""
    info = print_machine()
    var = bench_var_dir(name)
    migrated_template(template, var)
    setup_django(bench_env(database_url(db), var, **extra))
    return Started(info, var)


def bench_var_dir(name: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"pms-bench-{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- EMIS sandbox ----------------------------------------------------------


def start_sandbox(workdir: Path):
    """The real sandbox process on a free loopback port (webhooks off)."""
    from tests.support.sandbox import start_sandbox

    workdir.mkdir(parents=True, exist_ok=True)
    for leftover in workdir.glob("emis-sandbox.sqlite3*"):
        leftover.unlink()
    process = start_sandbox(workdir, "--quiet")
    # The handle carries the process's control token for /_sandbox/ calls.
    return process, process.handle()


def connect_emis(handle) -> None:
    """Activate the PMS's EMIS connection with the sandbox's account."""
    from emis.models import EmisConnection

    conn = EmisConnection.load()
    conn.base_url = handle.base_url
    conn.api_login, conn.api_password = handle.api_login, handle.api_password
    conn.web_login, conn.web_password = handle.web_login, handle.web_password
    conn.is_active = True
    conn.save()


def stay_all(legal_entity, persons) -> None:
    """One reservation of ``legal_entity`` holding every person: pulls and
    webhooks apply only to a guest with a stay with the named legal entity."""
    import datetime

    from reservations.models import Reservation, Stay

    today = datetime.date.today()
    reservation = Reservation.objects.create(
        legal_entity=legal_entity,
        arrival=today,
        departure=today + datetime.timedelta(days=3),
    )
    Stay.objects.bulk_create(
        [
            Stay(
                reservation=reservation,
                person=person,
                registration_from=reservation.arrival,
                registration_to=reservation.departure,
            )
            for person in persons
        ],
        batch_size=2000,
    )


def emis_person(person_id: int, version: int = 1, place: str = "ГОР. МОСКВА") -> dict:
    """A Person with one passport, one visa and a migration card."""
    return {
        "person_id": str(person_id),
        "version": version,
        "updated_at": "2026-11-27T09:12:45Z",
        "surname": {"cyrillic": "Эрикссон", "latin": "ERIKSSON"},
        "given_names": {"cyrillic": "Анна", "latin": "ANNA"},
        "patronymic": None,
        "sex": "F",
        "birth_date": "1974-08-12",
        "birth_place": place,
        "citizenship": "SWE",
        "documents": [
            {
                "kind": "national_passport",
                "series": None,
                "number": f"P{person_id:08d}",
                "issue_date": "2022-04-16",
                "expiry_date": "2032-04-15",
                "issuer": "SWEDISH POLICE AUTHORITY",
                "issuer_code": None,
                "issuing_country": "SWE",
                "source": "rfid",
            }
        ],
        "visas": [
            {
                "series": "25",
                "number": f"{person_id:07d}",
                "category": "tourist",
                "entries": "single",
                "valid_from": "2026-11-01",
                "valid_to": "2026-11-30",
                "issuing_country": "RUS",
            }
        ],
        "migration_card": {
            "series": "4618",
            "number": f"{person_id:07d}",
            "entry_date": "2026-11-20",
            "valid_to": "2027-02-17",
            "visit_purpose": "tourism",
        },
    }


# --- statistics --------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats
    return ordered[int(rank) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def fmt_range(values: Sequence[float], digits: int = 0) -> str:
    s = summary(values)
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def save_result(name: str, data: dict) -> Path:
    """The figures as JSON next to the scripts, for docs/benchmarks.md."""
    out = REPO / "var" / "bench" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return out
