"""pytest fixtures that run the EMIS sandbox as a real separate process.

``emis_sandbox_process`` (session scope) starts ``python -m emis_sandbox`` on a
free port with a temporary DB; ``emis_sandbox`` (function scope) resets it and
hands a ``SandboxHandle`` to the test. Neither needs Django's database.

The process starts with webhooks OFF and short retry back-off; a test that
wants webhooks calls ``emis_sandbox.configure(webhook_url=...)`` (which also
switches them on). Every reset restores those start-up settings.

Each process gets a random control token (through the environment, never the
command line); ``SandboxHandle`` sends it with every control call, and
``control_headers`` gives it to a test that calls ``/_sandbox/`` itself.
"""

from __future__ import annotations

import copy
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.processes import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_PREFIX = "EMIS sandbox ready on "
START_TIMEOUT = 20.0
API_LOGIN = "pms-api"
API_PASSWORD = "sandbox-api-secret"
WEB_LOGIN = "pms-web"
WEB_PASSWORD = "sandbox-web-secret"
# Retries in tests should not make anyone wait 7.5 s.
TEST_BACKOFF = "0.1,0.2,0.4,0.8"
TOKEN_HEADER = "X-Sandbox-Token"
TOKEN_ENV = "EMIS_SANDBOX_CONTROL_TOKEN"


class SandboxError(RuntimeError):
    pass


@dataclass
class SandboxProcess:
    popen: subprocess.Popen
    base_url: str
    db_path: Path
    stderr_path: Path
    banner: list[str] = field(default_factory=list)
    api_login: str = API_LOGIN
    api_password: str = API_PASSWORD
    web_login: str = WEB_LOGIN
    web_password: str = WEB_PASSWORD
    control_token: str = field(default="", repr=False)

    def handle(self) -> SandboxHandle:
        """A client of this process, with its accounts and control token."""
        return SandboxHandle(
            base_url=self.base_url,
            api_login=self.api_login,
            api_password=self.api_password,
            web_login=self.web_login,
            web_password=self.web_password,
            control_token=self.control_token,
        )

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.popen, timeout=5)


def _read_lines(stream, lines: queue.Queue) -> None:
    # Drains stdout for the life of the process so the pipe never fills up.
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))
    lines.put(None)


def start_sandbox(
    workdir: Path, *extra_args: str, env: dict[str, str] | None = None
) -> SandboxProcess:
    """Start a sandbox process and wait for its ready line (or fail with stderr).

    The control token is a fresh random one unless ``env`` names one.
    """
    db_path = workdir / "emis-sandbox.sqlite3"
    stderr_path = workdir / "emis-sandbox.stderr.log"
    args = [
        sys.executable,
        "-m",
        "emis_sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--db",
        str(db_path),
        "--no-webhook",
        "--webhook-backoff",
        TEST_BACKOFF,
        "--webhook-timeout",
        "5",
        *extra_args,
    ]
    full_env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        TOKEN_ENV: secrets.token_urlsafe(24),
        **(env or {}),
    }
    with stderr_path.open("w") as stderr:
        popen = subprocess.Popen(  # noqa: S603 - our own module, fixed argv
            args,
            cwd=REPO_ROOT,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=_read_lines, args=(popen.stdout, lines), daemon=True
    ).start()
    deadline = time.monotonic() + START_TIMEOUT
    banner: list[str] = []
    base_url = None
    while base_url is None:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=remaining) if remaining > 0 else None
        except queue.Empty:
            line = None
        if line is None:  # stdout closed (the process died) or time is up
            if popen.poll() is None:
                popen.kill()
            popen.wait(timeout=5)
            raise SandboxError(
                f"EMIS sandbox did not start (exit code {popen.returncode}, "
                f"timeout {START_TIMEOUT:.0f}s); stderr:\n{stderr_path.read_text()}"
            )
        banner.append(line)
        if line.startswith(READY_PREFIX):
            base_url = line[len(READY_PREFIX) :].strip()
    return SandboxProcess(
        popen=popen,
        base_url=base_url,
        db_path=db_path,
        stderr_path=stderr_path,
        banner=banner,
        control_token=full_env[TOKEN_ENV],
    )


class SavedPerson(dict):
    """The stored Person, with ``.delivery`` for the first webhook attempt.

    ``result["person"]`` / ``result["delivery"]`` also work, mirroring the
    control API's response body ``{"person": ..., "delivery": ...}``.
    """

    def __init__(self, person: dict, delivery: dict | None) -> None:
        super().__init__(person)
        self.delivery = delivery

    @property
    def person(self) -> dict:
        return dict(self)

    def __getitem__(self, key):
        if key == "person" and not super().__contains__("person"):
            return dict(self)
        if key == "delivery" and not super().__contains__("delivery"):
            return self.delivery
        return super().__getitem__(key)


@dataclass
class SandboxHandle:
    base_url: str
    api_login: str
    api_password: str
    web_login: str
    web_password: str
    control_token: str = field(default="", repr=False)
    http: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        self.http.trust_env = False  # never send localhost calls through a proxy
        self.http.headers.update(self.control_headers)

    @property
    def control_headers(self) -> dict[str, str]:
        """The header every ``/_sandbox/`` call needs."""
        return {TOKEN_HEADER: self.control_token}

    # -- control API -------------------------------------------------------
    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        resp = self.http.request(method, self.base_url + path, json=payload, timeout=30)
        if resp.status_code >= 400:
            raise SandboxError(f"{method} {path}: {resp.status_code} {resp.text}")
        return resp.json()

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")

    def set_faults(self, **faults: Any) -> dict:
        return self._call("POST", "/_sandbox/faults", faults)["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sandbox/faults")

    def configure(
        self,
        *,
        webhook_url: str | None = None,
        webhook_enabled: bool | None = None,
        session_ttl: float | None = None,
    ) -> dict:
        """Change run-time settings; giving a webhook_url also switches webhooks on."""
        payload: dict[str, Any] = {}
        if webhook_url is not None:
            payload["webhook_url"] = webhook_url
            payload["webhook_enabled"] = True
        if webhook_enabled is not None:
            payload["webhook_enabled"] = webhook_enabled
        if session_ttl is not None:
            payload["session_ttl"] = session_ttl
        return self._call("POST", "/_sandbox/config", payload)

    def save_person(
        self,
        legal_entity_id: str,
        person: dict,
        send_webhook: bool = False,
        *,
        validate: bool = True,
    ) -> SavedPerson:
        body = self._call(
            "POST",
            "/_sandbox/persons",
            {
                "legal_entity_id": str(legal_entity_id),
                "person": person,
                "send_webhook": send_webhook,
                "validate": validate,
            },
        )
        return SavedPerson(body["person"], body["delivery"])

    def save_persons_bulk(self, legal_entity_id: str, persons: list[dict]) -> dict:
        return self._call(
            "POST",
            "/_sandbox/persons/bulk",
            {"legal_entity_id": str(legal_entity_id), "persons": persons},
        )

    def deliveries(self) -> list[dict]:
        return self._call("GET", "/_sandbox/deliveries")

    def wait_for_deliveries(self, count: int, timeout: float = 15.0) -> list[dict]:
        """Poll until at least ``count`` webhook attempts are recorded."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def wait_for_retries_to_end(self, timeout: float = 15.0) -> None:
        """Poll until no webhook retry is pending: after that, no attempt
        can come that has not been recorded."""
        deadline = time.monotonic() + timeout
        while self._call("GET", "/_sandbox/retries")["retry_loops"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhook retries still pending after {timeout} s")
            time.sleep(0.05)

    def request_counts(self) -> dict[str, int]:
        return self._call("GET", "/_sandbox/requests")

    # -- contract API, as the PMS would call it ----------------------------
    def api(self) -> requests.Session:
        """A ``requests`` session authenticated with the API account."""
        session = requests.Session()
        session.trust_env = False
        session.auth = (self.api_login, self.api_password)
        return session

    def open_web_session(
        self,
        person_id: str,
        legal_entity_id: str = "17",
        reservation_id: str | None = None,
        hint: dict | None = None,
    ) -> str:
        """The one-time upload URL for a person (what the PMS asks for on click)."""
        payload: dict[str, Any] = {
            "login": self.web_login,
            "password": self.web_password,
            "legal_entity_id": str(legal_entity_id),
            "person_id": str(person_id),
        }
        if reservation_id is not None:
            payload["reservation_id"] = str(reservation_id)
        if hint is not None:
            payload["hint"] = hint
        with self.api() as api:
            resp = api.post(
                f"{self.base_url}/api/v1/web-sessions", json=payload, timeout=10
            )
        if resp.status_code != 201:
            raise SandboxError(f"web-sessions: {resp.status_code} {resp.text}")
        return resp.json()["url"]


_RUSSIAN = {
    "person_id": "160848",
    "version": 1,
    "updated_at": "2026-11-27T09:12:45Z",
    "surname": {"cyrillic": "Крупкин", "latin": "KRUPKIN"},
    "given_names": {"cyrillic": "Илья", "latin": "ILIA"},
    "patronymic": {"cyrillic": "Борисович", "latin": None},
    "sex": "M",
    "birth_date": "1985-04-12",
    "birth_place": "ГОР. МОСКВА",
    "citizenship": "RUS",
    "documents": [
        {
            "kind": "passport_rf",
            "series": "4510",
            "number": "123456",
            "issue_date": "2010-05-20",
            "expiry_date": None,
            "issuer": "ОТДЕЛЕНИЕМ УФМС РОССИИ ПО ГОР. МОСКВЕ",
            "issuer_code": "770-001",
            "issuing_country": "RUS",
            "source": "visual",
        }
    ],
    "visas": [],
    "migration_card": None,
}

_FOREIGNER = {
    "person_id": "160902",
    "version": 1,
    "updated_at": "2026-11-27T10:01:00Z",
    "surname": {"cyrillic": None, "latin": "ERIKSSON"},
    "given_names": {"cyrillic": None, "latin": "ANNA MARIA"},
    "patronymic": None,
    "sex": "F",
    "birth_date": "1974-08-12",
    "birth_place": None,
    "citizenship": "SWE",
    "documents": [
        {
            "kind": "national_passport",
            "series": None,
            "number": "L898902C3",
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
            "number": "1111111",
            "category": "tourist",
            "entries": "single",
            "valid_from": "2025-06-01",
            "valid_to": "2025-06-30",
            "issuing_country": "RUS",
        },
        {
            "series": "25",
            "number": "2222222",
            "category": "business",
            "entries": "multiple",
            "valid_from": "2026-11-01",
            "valid_to": "2027-10-31",
            "issuing_country": "RUS",
        },
    ],
    "migration_card": {
        "series": "4618",
        "number": "1234567",
        "entry_date": "2026-11-20",
        "valid_to": "2027-02-17",
        "visit_purpose": "business",
    },
}


def sample_person(person_id: str, **overrides: Any) -> dict:
    """A valid Person: Russian citizen with an internal passport (passport_rf)."""
    return {**copy.deepcopy(_RUSSIAN), "person_id": str(person_id), **overrides}


def sample_foreigner(person_id: str, **overrides: Any) -> dict:
    """A valid Person: Swedish citizen, national passport, 2 visas, migration card."""
    return {**copy.deepcopy(_FOREIGNER), "person_id": str(person_id), **overrides}


@pytest.fixture(scope="session")
def emis_sandbox_process(tmp_path_factory) -> Iterator[SandboxProcess]:
    process = start_sandbox(tmp_path_factory.mktemp("emis-sandbox"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def emis_sandbox(emis_sandbox_process: SandboxProcess) -> SandboxHandle:
    if emis_sandbox_process.popen.poll() is not None:
        pytest.fail("EMIS sandbox died; stderr:\n" + emis_sandbox_process.stderr())
    handle = emis_sandbox_process.handle()
    handle.reset()
    return handle
