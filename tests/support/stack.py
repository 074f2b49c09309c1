"""The production stack as real processes on this machine, as
docker-compose.yml runs it: gunicorn servers (``pms/gunicorn_conf.py``),
Celery workers and one beat with the database scheduler, all on one
database and one Redis broker. Everything listens on 127.0.0.1 only.

Each process leads its own process group, and ``running_stack`` kills every
group when it ends, however it ends.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from celery import Celery

from tests.support.processes import start_group, stop_group, wait_until

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # two cores start five Django processes at once


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Stack:
    web: list[tuple[str, Proc]] = field(default_factory=list)  # (base URL, process)
    workers: list[Proc] = field(default_factory=list)
    beat: Proc | None = None

    @property
    def urls(self) -> list[str]:
        return [url for url, _proc in self.web]

    def processes(self) -> list[Proc]:
        beat = [self.beat] if self.beat is not None else []
        return [*beat, *(proc for _url, proc in self.web), *self.workers]

    def popens(self) -> list[subprocess.Popen]:
        return [proc.popen for proc in self.processes()]

    def stop(self) -> None:
        """Beat first (no new syncs), then the web servers, then the workers,
        each allowed to finish the request or task at hand: afterwards the
        database is quiet and every worker log is complete."""
        for proc in self.processes():
            stop_group(proc.popen, timeout=30)

    def worker_logs(self) -> list[str]:
        return [w.log() for w in self.workers]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()[-4000:]}" for p in self.processes())


def stack_env(
    base: dict[str, str],
    *,
    database_url: str,
    broker_url: str,
    encryption_key: str,
    var_dir: Path,
    secret_key: str,
) -> dict[str, str]:
    """What every process of the stack gets: production values on the given
    database and broker, INFO logs (the checks read the sync's page lines)."""
    # The browser tests' fixtures set this in the test process; no real
    # process of the product runs with it.
    env = {k: v for k, v in base.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pms.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "PMS_ENCRYPTION_KEYS": encryption_key,
            "PMS_VAR_DIR": str(var_dir),
            "SECRET_KEY": secret_key,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "PMS_PUBLIC_URL": "http://127.0.0.1",  # plain HTTP on loopback
            "PMS_HTTPS": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:pms.gunicorn_conf",
        "pms.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "pms", *args, "--loglevel=INFO"]


def _worker(name: str) -> list[str]:
    return _celery(
        "worker",
        "--pool=solo",
        "-Q",
        "celery",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
    )


def _beat() -> list[str]:
    return _celery(
        "beat",
        "--scheduler",
        "django_celery_beat.schedulers:DatabaseScheduler",
        "--max-interval",
        "1",  # look at a schedule of seconds every second
    )


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def running_stack(
    env: dict[str, str],
    workdir: Path,
    *,
    web: int = 2,
    web_workers: int = 1,
    workers: int = 2,
    beat: bool = True,
) -> Iterator[Stack]:
    """``web`` gunicorn servers of ``web_workers`` each, ``workers`` Celery
    workers and (when ``beat``) one beat; yields once all of them answer."""
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack()

    def start(name: str, argv: list[str]) -> Proc:
        log = workdir / f"{name}.log"
        return Proc(name, start_group(argv, env=env, log_path=log, cwd=REPO), log)

    try:
        for i in range(1, web + 1):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            stack.web.append((url, start(f"web{i}", _gunicorn(port, web_workers))))
        stack.workers = [
            start(f"worker{i}", _worker(f"mp{i}")) for i in range(1, workers + 1)
        ]
        if beat:
            stack.beat = start("beat", _beat())
        _wait_started(stack)
        yield stack
    finally:
        for proc in stack.processes():
            stop_group(proc.popen, timeout=10)
        # What beat or the web servers queued and no worker took must not
        # run in a later test's worker, against that test's database.
        purge(env["CELERY_BROKER_URL"])


def _wait_started(stack: Stack) -> None:
    def ready() -> bool:
        workers = all(" ready." in w.log() for w in stack.workers)
        beat = stack.beat is None or "beat: Starting" in stack.beat.log()
        return workers and beat and all(_answers(url) for url in stack.urls)

    try:
        wait_until(ready, timeout=START_TIMEOUT, what="the stack", alive=stack.popens())
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{stack.logs()}") from None


def purge(broker_url: str) -> None:
    """Drop every message waiting in the default queue."""
    app = Celery("pms-test-purge", broker=broker_url, set_as_current=False)
    try:
        app.control.purge()
    finally:
        app.close()


def send_task(broker_url: str, name: str, *args) -> None:
    """Queue task ``name`` as the web processes do (an admin's "Синхронизировать
    сейчас"), from an app of its own: the test process's Celery app stays
    as its settings made it."""
    app = Celery("pms-test-sender", broker=broker_url, set_as_current=False)
    try:
        app.send_task(name, args=args, queue="celery")
    finally:
        app.close()
