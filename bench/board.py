"""Arrivals board: queries and render time of the board page and of
``GET /api/v1/arrivals/`` for a day with 1, 50 and 200 guests.

    .venv/bin/python bench/board.py
    .venv/bin/python bench/board.py --guests 1 --guests 200 --requests 20
    .venv/bin/python bench/board.py --cards 50 --poll-rounds 20

Then the cost of ``--cards`` open guest cards (and their Гости tabs) asking
"anything new?" every 3 s: ``bench/card_polls.py``.

One PostgreSQL database holds a day per size. A third of the guests arrive
that day, a third are in house, a third depart, in reservations of up to
four; two thirds are foreign (a national passport, a visa and a migration
card each), a third Russian (an internal passport). Pages are requested
in-process through Django's test Client, logged in as a front desk user,
with DEBUG off; queries are counted with ``CaptureQueriesContext`` and the
time is the wall time of ``client.get`` (median of ``--requests`` after 3
warm-up requests), per repetition.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from card_polls import measure_polls, print_polls  # noqa: E402
from guest_card import measure_pages  # noqa: E402

# BENCH_DB_SUFFIX: two people running this on one PostgreSQL at once.
DB = "bench_board" + os.environ.get("BENCH_DB_SUFFIX", "")
TEMPLATE = DB + "_tpl"
FIRST_DAY = dt.date(2026, 3, 3)
# (arrival, departure) offsets from the day, by list.
SHAPES = {"arriving": (0, 3), "in_house": (-2, 2), "departing": (-3, 0)}
PER_RESERVATION = 4


def build(sizes: list[int]) -> dict[int, dt.date]:
    """A day per size, with that many guests on its board: {size: day}."""
    from django.db import connections

    from reservations.models import IdentityDocument, MigrationCard, Visa
    from tests.factories import make_guest, make_legal_entity, make_reservation

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    entity = make_legal_entity()
    days = {}
    for index, size in enumerate(sizes):
        day = FIRST_DAY + dt.timedelta(days=30 * index)
        days[size] = day
        shapes = list(SHAPES.values())
        for i in range(size):
            if i % PER_RESERVATION == 0:
                start, end = shapes[(i // PER_RESERVATION) % len(shapes)]
                reservation = make_reservation(
                    entity,
                    arrival=day + dt.timedelta(days=start),
                    departure=day + dt.timedelta(days=end),
                )
            foreign = i % 3 != 2
            stay = make_guest(
                reservation, surname=f"Гость{i}", citizenship="DEU" if foreign else "RUS"
            )
            pid = stay.person_id
            kind = "national_passport" if foreign else "passport_rf"
            IdentityDocument.objects.create(person_id=pid, kind=kind, number=f"{pid:07d}")
            if foreign:
                Visa.objects.create(
                    person_id=pid, number=f"9{pid:06d}", valid_to=day + dt.timedelta(days=30)
                )
                MigrationCard.objects.create(person_id=pid, number=f"{pid:07d}")
    return days


def _measure_open_cards(client, cards: int, rounds: int, repeat: int) -> list[dict]:
    """``cards`` guests' cards open (the first stays built), and the Гости
    tabs of their reservations, each asking every 3 s."""
    from reservations.models import Stay

    stays = list(Stay.objects.order_by("pk").values_list("person_id", "reservation_id"))
    stays = stays[:cards]
    persons = [p for p, _r in stays]
    reservations = sorted({r for _p, r in stays})
    return [measure_polls(client, persons, reservations, rounds) for _ in range(repeat)]


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--guests", type=int, action="append")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--poll-rounds", type=int, default=20)
    args = parser.parse_args()
    sizes = args.guests or [1, 50, 200]
    info = common.start("board", template=TEMPLATE, db=DB).info
    from django.test import Client

    from pms.roles import Role
    from tests.factories import make_user

    results: dict[str, dict[int, dict]] = {"board": {}, "api": {}}
    try:
        days = build(sizes)
        client = Client()
        client.force_login(make_user(Role.FRONT_DESK))
        for size, day in days.items():
            urls = {
                "board": f"/board/?date={day.isoformat()}",
                "api": f"/api/v1/arrivals/?date={day.isoformat()}&limit=200",
            }
            measure_pages(client, urls, size, results, args.requests, args.repeat)
        polls = _measure_open_cards(client, args.cards, args.poll_rounds, args.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    print("\narrivals board (median ms: median, min–max over repetitions):")
    for page, by_size in results.items():
        base = statistics.median(by_size[min(by_size)]["median_ms"])
        for size, r in by_size.items():
            per_guest = (statistics.median(r["median_ms"]) - base) / max(size - 1, 1)
            print(
                f"  {page:<6} {size:>3} guests: {r['queries']} queries, "
                f"{common.fmt_range(r['median_ms'], 1)} ms "
                f"(+{per_guest:.2f} ms per guest over {min(by_size)})"
            )
    for run in polls:
        print_polls(run)
    data = {"machine": info, "results": results, "polls": polls}
    path = common.save_result("board", data)
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
