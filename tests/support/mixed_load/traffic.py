"""The load's HTTP side: one request, one staff edit, and the record of
every answer."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.support.stack import Stack

from .world import World, staff_address, staff_phone


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange the load made."""

    kind: str  # webhook | pull | staff
    person_id: int
    code: int
    body: dict
    seconds: float
    delivery_id: str = ""


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the load's own failures
    webhook_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def of(self, kind: str) -> list[Answer]:
        return [a for a in self.answers if a.kind == kind]


def send(url: str, method: str, path: str, body: bytes, headers: dict) -> tuple:
    """One request on a fresh connection (gunicorn's sync workers close it
    after each answer anyway): (status, JSON body or {"text": ...})."""
    target = urlsplit(url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data)
    except ValueError:
        return resp.status, {"text": data[:300].decode(errors="replace")}


def api_call(
    world: World, stack: Stack, server: int, method: str, path: str, data: dict
) -> tuple:
    """An API request with the front desk's token; (status, body, seconds)."""
    headers = {
        "Authorization": f"Token {world.token}",
        "Content-Type": "application/json",
    }
    body = json.dumps(data, ensure_ascii=False).encode()
    started = time.perf_counter()
    code, answer = send(
        stack.urls[server % len(stack.urls)], method, path, body, headers
    )
    return code, answer, time.perf_counter() - started


def staff_edit(
    world: World, stack: Stack, outcome: Outcome, person_id: int, edit: int
) -> None:
    """Edit number ``edit`` of a person's phone and address (EMIS writes
    neither), as a PATCH to one of the servers."""
    values = {"phone": staff_phone(person_id, edit), "address": staff_address(edit)}
    code, answer, seconds = api_call(
        world, stack, person_id + edit, "PATCH", f"/api/v1/persons/{person_id}/", values
    )
    outcome.add(Answer("staff", person_id, code, answer, seconds))


def at_once(outcome: Outcome, *works) -> None:
    """Run the callables in threads at the same moment; wait for all. An
    exception is recorded as the load's failure."""

    def guarded(work) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported by the checks
            outcome.errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=guarded, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
