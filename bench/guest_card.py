"""Guest card: queries and render time of the reservation card's Гости tab
and of a guest page, for reservations with 1, 10 and 50 guests.

    .venv/bin/python bench/guest_card.py
    .venv/bin/python bench/guest_card.py --guests 1 --guests 50 --requests 50

One PostgreSQL database holds the three reservations; every guest has two
identity documents, two visas and a migration card, the EMIS ones applied
through ``emis.apply`` (so the change history is filled too). Pages are
requested in-process through Django's test Client, logged in as a front
desk user, with DEBUG off; queries are counted with
``CaptureQueriesContext`` and the render time is the wall time of
``client.get`` (median of ``--requests`` after 3 warm-up requests), per
repetition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

# BENCH_DB_SUFFIX lets two checkouts run this benchmark at once.
_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
DB = f"bench_card{_SUFFIX}"
PAGES = {
    "guests_tab": "/reservations/{reservation}/?tab=guests",
    "guest_page": "/reservations/{reservation}/guests/{stay}/",
    # The same page as an admin: its last reads of the access log too.
    "guest_page_admin": "/reservations/{reservation}/guests/{stay}/",
}
TEMPLATE = f"bench_card_tpl{_SUFFIX}"


def build(sizes: list[int]) -> dict[int, tuple[int, int]]:
    """Reservations of each size: {size: (reservation id, first stay id)}."""
    from django.db import connections

    from emis.apply import person_apply_documents
    from emis.models import EmisConnection
    from emis.payload import parse_person
    from reservations.models import IdentityDocument, Visa
    from tests.factories import make_guest, make_legal_entity, make_reservation

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    conn = EmisConnection.load()
    conn.base_url = "http://127.0.0.1:9"  # the pages call nobody
    conn.api_login, conn.api_password = "pms-api", "unused"
    conn.web_login, conn.web_password = "pms-web", "unused"
    conn.is_active = True
    conn.save()
    le = make_legal_entity()
    out = {}
    for size in sizes:
        reservation = make_reservation(le)
        stays = [make_guest(reservation, surname=f"Гость{i}") for i in range(size)]
        for stay in stays:
            pid = stay.person_id
            person_apply_documents(
                person_id=pid,
                legal_entity_id=le.pk,
                data=parse_person(common.emis_person(pid)),
                source="webhook",
            )
            # A second document and an older visa typed by staff.
            IdentityDocument.objects.create(
                person_id=pid, kind="foreign_passport_rf", number=f"75{pid:07d}"
            )
            Visa.objects.create(
                person_id=pid,
                series="24",
                number=f"9{pid:06d}",
                valid_from=dt.date(2025, 6, 1),
                valid_to=dt.date(2025, 6, 30),
            )
        out[size] = (reservation.pk, stays[0].pk)
    return out


def measure(client, url: str, requests: int) -> tuple[int, float]:
    """(queries of one request, median wall time in ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(url)
    assert resp.status_code == 200, url
    count = len(queries)  # now: the next request's start clears the log
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    return count, statistics.median(times)


def measure_pages(
    client, urls: dict, size: int, results: dict, requests: int, repeat: int
):
    """Measure each page ``repeat`` times; its figures go into
    ``results[page][size]`` and are printed as they come."""
    for page, url in urls.items():
        load_before = os.getloadavg()[0]
        runs = [measure(client, url, requests) for _ in range(repeat)]
        results[page][size] = {
            "queries": sorted({q for q, _t in runs}),
            "median_ms": [t for _q, t in runs],
            "loadavg_before": load_before,
        }
        print(
            f"  {page} guests={size}: queries {results[page][size]['queries']}, "
            f"median {common.fmt_range(results[page][size]['median_ms'], 1)} ms "
            f"(load avg before {load_before:.1f})",
            flush=True,
        )


def fill_access_log(rows: int) -> None:
    """A log that has been running for a while: ``rows`` reads of 1,000
    other persons, so the card's insert and the admin's last reads meet a
    full table and its indexes."""
    import access_log

    access_log.fill(rows, first_person=10**9, persons=1000)


def measure_interleaved(clients: dict, urls: dict, requests: int) -> dict:
    """Per key of ``urls``: queries, median wall and CPU ms of ``requests``
    requests. The pages' requests alternate (tab 1, tab 10, tab 50, page 1...,
    then again), so a machine that other work slows down slows them alike:
    the ratios between them are the figures this benchmark is for."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out: dict = {}
    for size, url in urls.items():
        client = clients[size[0]]
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        out[size] = {"queries": len(queries), "wall": [], "cpu": []}
    for _ in range(requests):
        for size, url in urls.items():
            wall, cpu = time.perf_counter(), time.process_time()
            clients[size[0]].get(url)
            out[size]["cpu"].append((time.process_time() - cpu) * 1000)
            out[size]["wall"].append((time.perf_counter() - wall) * 1000)
    return {
        size: {
            "queries": r["queries"],
            "wall": statistics.median(r["wall"]),
            "cpu": statistics.median(r["cpu"]),
        }
        for size, r in out.items()
    }


def _record(results: dict, figures: dict, load: float) -> None:
    for (page, size), f in figures.items():
        r = results[page].setdefault(
            size, {"queries": [], "median_ms": [], "cpu_ms": [], "loadavg_before": []}
        )
        r["queries"] = sorted({*r["queries"], f["queries"]})
        r["median_ms"].append(f["wall"])
        r["cpu_ms"].append(f["cpu"])
        r["loadavg_before"].append(load)
    print(
        "  "
        + ", ".join(
            f"{page} {size}: {f['wall']:.1f} ms ({f['cpu']:.1f} CPU, {f['queries']} q)"
            for (page, size), f in figures.items()
        )
        + f" (load avg before {load:.1f})",
        flush=True,
    )


def _ratio(values: list[float], base: list[float]) -> str:
    ratios = [v / b for v, b in zip(values, base, strict=True)]
    return f"{common.fmt_range(ratios, 2)}×"


def report(results: dict) -> None:
    """Each ratio is taken within one repetition (same minute of the
    machine), then summarised as median (min–max) over repetitions."""
    print("\nguest card (median ms of a repetition: median, min–max over repetitions):")
    for page, by_size in results.items():
        first = min(by_size)
        for size, r in by_size.items():
            print(
                f"  {page:<10} {size:>3} guests: {r['queries']} queries, wall "
                f"{common.fmt_range(r['median_ms'], 1)} ms = "
                f"{_ratio(r['median_ms'], by_size[first]['median_ms'])} of {first}; CPU "
                f"{common.fmt_range(r['cpu_ms'], 1)} ms = "
                f"{_ratio(r['cpu_ms'], by_size[first]['cpu_ms'])}"
            )
    if "guests_tab" in results and "guest_page" in results:
        first = min(results["guests_tab"])
        tab, page = results["guests_tab"][first], results["guest_page"][first]
        print(
            f"  guest page vs Гости tab, {first} guest(s): wall "
            f"{_ratio(page['median_ms'], tab['median_ms'])}, CPU "
            f"{_ratio(page['cpu_ms'], tab['cpu_ms'])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guests", type=int, action="append")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--page", action="append", choices=PAGES, help="only these pages (default: all)"
    )
    parser.add_argument("--log-rows", type=int, default=100_000)
    args = parser.parse_args()
    pages = args.page or list(PAGES)
    sizes = args.guests or [1, 10, 50]
    info = common.print_machine()
    var = common.bench_var_dir("card")
    common.migrated_template(TEMPLATE, var)
    common.setup_django(common.bench_env(common.database_url(DB), var))
    from django.test import Client

    from pms.roles import Role
    from tests.factories import make_user

    results: dict[str, dict[int, dict]] = {page: {} for page in pages}
    try:
        built = build(sizes)
        fill_access_log(args.log_rows)
        front_desk, admin = Client(), Client()
        front_desk.force_login(make_user(Role.FRONT_DESK))
        admin.force_login(make_user(Role.ADMIN, username="bench-admin"))
        clients = {page: front_desk for page in PAGES}
        clients["guest_page_admin"] = admin
        urls = {
            (page, size): PAGES[page].format(reservation=rid, stay=sid)
            for page in pages
            for size, (rid, sid) in built.items()
        }
        for _ in range(args.repeat):
            load = os.getloadavg()[0]
            _record(results, measure_interleaved(clients, urls, args.requests), load)
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    report(results)
    path = common.save_result("guest_card", {"machine": info, "results": results})
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
