"""The cost of open cards asking "anything new?" (issue 12, part of
``bench/board.py``).

Every open guest card asks ``emis:person_state`` every 3 s, every open Гости
tab ``reservations:guests_state``; nearly always the answer is 204 (nothing
new). Here ``cards`` open cards (one per guest of the board's day) and their
reservations' Гости tabs are asked round-robin, as fast as one process
answers them, through Django's test Client (the middleware, the session and
the role check included, no HTTP server). Per kind of poll: requests/s of
one process, queries per poll, and CPU per poll — this process's CPU time
(Django, psycopg) plus the PostgreSQL backend's (read from
``/proc/<pid>/stat`` of the connection's server process), both over the
same requests.
"""

from __future__ import annotations

import os
import time

POLL_EVERY_S = 3.0  # the templates' hx-trigger "every 3s"
_TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu_s(pid: int) -> float:
    """utime + stime of a PostgreSQL server process, or 0.0 if unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _urls(kind: str, person_ids: list[int], reservation_ids: list[int]) -> list[str]:
    """The URLs the open pages ask, each with what it was rendered with."""
    from django.urls import reverse

    from reservations.selectors import reservation_guests_version

    if kind == "card":
        # No EMIS data and no delivery yet: the card holds v= and d= empty.
        return [reverse("emis:person_state", args=[p]) + "?v=&d=" for p in person_ids]
    return [
        reverse("reservations:guests_state", args=[r])
        + f"?v={reservation_guests_version(r)}"
        for r in reservation_ids
    ]


def measure_polls(
    client, person_ids: list[int], reservation_ids: list[int], rounds: int
) -> dict:
    """``rounds`` passes over every open card (and Гости tab): figures per
    kind of poll, and the load ``len(person_ids)`` open cards make."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    results = {}
    for kind in ("card", "guests_tab"):
        urls = _urls(kind, person_ids, reservation_ids)
        for url in urls:  # warm-up, and every answer is "nothing new"
            assert client.get(url).status_code == 204, url
        with CaptureQueriesContext(connection) as queries:
            client.get(urls[0])
        count = len(queries)
        wall, cpu, db_cpu = time.perf_counter(), time.process_time(), _backend_cpu_s(backend)
        for _ in range(rounds):
            for url in urls:
                client.get(url)
        n = rounds * len(urls)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        db_cpu = _backend_cpu_s(backend) - db_cpu
        per_poll_ms = (cpu + db_cpu) / n * 1000
        results[kind] = {
            "polls": n,
            "queries": count,
            "requests_per_s": n / wall,
            "wall_ms_per_poll": wall / n * 1000,
            "app_cpu_ms_per_poll": cpu / n * 1000,
            "db_cpu_ms_per_poll": db_cpu / n * 1000,
            "cpu_ms_per_poll": per_poll_ms,
        }
    cards = len(person_ids)
    rate = cards / POLL_EVERY_S
    # One Гости tab per card at worst (each card's reservation open too).
    per_card = results["card"]["cpu_ms_per_poll"]
    results["open_cards"] = {
        "cards": cards,
        "polls_per_s": rate,
        "cpu_share_of_one_core": rate * per_card / 1000,
    }
    return results


def print_polls(results: dict) -> None:
    print("\nopen cards polling (nothing new: 204):")
    for kind in ("card", "guests_tab"):
        r = results[kind]
        print(
            f"  {kind:<10} {r['queries']} queries, {r['requests_per_s']:.0f} requests/s "
            f"in one process; CPU {r['cpu_ms_per_poll']:.2f} ms per poll "
            f"(app {r['app_cpu_ms_per_poll']:.2f} + PostgreSQL "
            f"{r['db_cpu_ms_per_poll']:.2f}), wall {r['wall_ms_per_poll']:.2f} ms"
        )
    o = results["open_cards"]
    print(
        f"  {o['cards']} open cards: {o['polls_per_s']:.1f} polls/s = "
        f"{o['cpu_share_of_one_core'] * 100:.1f} % of one core"
    )
