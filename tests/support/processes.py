"""Child processes the tests start (the sandbox, gunicorn, a Celery worker)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote


def stop_process(popen: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if popen.poll() is not None:
        return
    popen.terminate()
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait(timeout=5)


def start_group(
    argv: Sequence[str], *, env: dict[str, str], log_path: Path, cwd: Path
) -> subprocess.Popen:
    """A process leading its own process group (gunicorn's and Celery's
    children included), its stdout and stderr in ``log_path``."""
    with log_path.open("w") as log:
        return subprocess.Popen(  # noqa: S603 - the callers' own fixed argv
            list(argv),
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(popen: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM to the leader (a graceful stop: gunicorn and Celery finish the
    request or task at hand), then SIGKILL to the whole group: no worker
    child outlives its test, whatever state the leader was in."""
    if popen.poll() is None:
        popen.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(popen.pid, signal.SIGKILL)
    if popen.poll() is None:
        popen.wait(timeout=5)


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    alive: Sequence[subprocess.Popen] = (),
) -> None:
    """Poll ``condition`` until it holds; AssertionError naming ``what`` when
    the deadline passes or one of the ``alive`` processes exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        dead = [p.args for p in alive if p.poll() is not None]
        if dead:
            raise AssertionError(f"waiting for {what}: a process exited: {dead}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def postgres_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database a Django connection's settings name:
    how the test database pytest-django created reaches a child process."""
    auth = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{settings_dict['NAME']}"
