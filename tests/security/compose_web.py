"""The compose `web` service as a real process: docker-compose.yml's gunicorn
command and healthcheck, run on this machine with production values.

SQLite in a temporary PMS_VAR_DIR stands in for PostgreSQL: /healthz only
asks the database for ``SELECT 1``, and every other request here is
redirected to https before a view runs.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml
from cryptography.fernet import Fernet

from tests.support.processes import stop_process

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "pms.hotel.example"
START_TIMEOUT = 30.0


def compose_service(name: str) -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"][name]


def production_env(var_dir: Path) -> dict[str, str]:
    """What docker-compose.yml and a hotel's .env give the app, minus PostgreSQL."""
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "PMS_PUBLIC_URL": f"https://{PUBLIC_HOST}",
            "ALLOWED_HOSTS": PUBLIC_HOST,
            "PMS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PMS_VAR_DIR": str(var_dir),
            "PMS_BEHIND_PROXY": "true",
            "PMS_HTTPS": "true",
            "CELERY_BROKER_URL": "",
            "CACHE_URL": "",
            "CONN_MAX_AGE": "0",
        }
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _on_port(argv: list[str], port: int) -> list[str]:
    return [arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in argv]


@dataclass
class Web:
    port: int
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, **kwargs) -> requests.Response:
        """Plain HTTP as the proxy forwards it: the public Host, no redirects."""
        headers = {"Host": PUBLIC_HOST, **kwargs.pop("headers", {})}
        with requests.Session() as session:
            session.trust_env = False  # never through a proxy from the env
            return session.get(
                self.base_url + path,
                headers=headers,
                allow_redirects=False,
                timeout=kwargs.pop("timeout", 10),
                **kwargs,
            )

    def healthcheck(self) -> subprocess.CompletedProcess:
        """The compose healthcheck's command, in the container's environment."""
        test = compose_service("web")["healthcheck"]["test"]
        assert test[0] == "CMD", test
        argv = _on_port(test[1:], self.port)
        if argv[0] == "python":
            argv[0] = sys.executable
        return subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=30
        )


@contextmanager
def compose_web(tmp_path: Path) -> Iterator[Web]:
    """gunicorn started with the compose `web` command, on a free loopback port."""
    command = compose_service("web")["command"]
    assert command[0] == "gunicorn", command
    port = _free_port()
    argv = [sys.executable, "-m", "gunicorn", *command[1:]]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    env = production_env(tmp_path / "var")
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        popen = subprocess.Popen(  # our own command line from docker-compose.yml
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    web = Web(port=port, env=env, log_path=log_path, popen=popen)
    try:
        _wait_until_serving(web)
        yield web
    finally:
        stop_process(popen)


def _wait_until_serving(web: Web) -> None:
    """Until the worker has loaded Django and answers (whatever the status)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if web.popen.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{web.log()}")
        try:
            web.get("/static/", timeout=START_TIMEOUT)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer in {START_TIMEOUT}s:\n{web.log()}")
