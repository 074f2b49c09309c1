"""The guest card's reads of the webhook delivery log, against a large log.

    .venv/bin/python bench/delivery_notice.py
    .venv/bin/python bench/delivery_notice.py --rows 1000000 --repeat 3

One PostgreSQL database holds ``--rows`` log rows of other guests (half of
them unsigned 401s naming nobody, as a flood leaves) and three guests: one
with 2,000 deliveries of its own (1,000 refusals, each cleared by a later
delivery), one with a single refusal, one with none. Per guest, the median
of ``--requests`` calls of the two reads the card makes:
``person_deliveries`` (the notice, when the card is drawn) and
``with_last_delivery`` (the open card's poll, every 3 s).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_notice"
TEMPLATE = "bench_notice_tpl"


def build(rows: int) -> dict[str, object]:
    """The database; returns the three guests by label."""
    from django.db import connection, connections

    from emis.models import EmisDelivery
    from tests.factories import make_person

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    with connection.cursor() as cur:
        # Plain SQL: a million ORM objects would measure Python, not this.
        cur.execute(
            "INSERT INTO emis_emisdelivery (delivery_id, received_at, status,"
            " http_status, error_code, person_id, legal_entity_id, version,"
            " bad_fields, signed) SELECT 'o' || g,"
            " now() - interval '1 second' * (%s - g),"
            " CASE WHEN g %% 2 = 1 THEN 'rejected' ELSE 'applied' END,"
            " CASE WHEN g %% 2 = 1 THEN 401 ELSE 200 END, '',"
            " CASE WHEN g %% 2 = 1 THEN NULL ELSE 1000000 + g %% 5000 END,"
            " NULL, g, '[]', g %% 2 = 0 FROM generate_series(1, %s) g",
            [rows, rows],
        )
    busy, one, none = (make_person(s) for s in ("Много", "Одна", "Никого"))
    own = []
    for n in range(1000):
        for status, http in (("rejected", 400), ("applied", 200)):
            own.append(
                EmisDelivery(
                    delivery_id=f"{status}-{n}",
                    status=status,
                    http_status=http,
                    person_id=busy.pk,
                    version=n,
                    signed=True,
                )
            )
    own.append(
        EmisDelivery(
            delivery_id="one",
            status="rejected",
            http_status=400,
            person_id=one.pk,
            version=3,
            signed=True,
        )
    )
    EmisDelivery.objects.bulk_create(own)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"2,000 own rows": busy, "one refusal": one, "no delivery": none}


def _median_ms(call, requests: int) -> float:
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(guests: dict, requests: int) -> dict[str, dict[str, float]]:
    from emis.deliveries.selectors import person_deliveries, with_last_delivery
    from reservations.models import Person

    poll = with_last_delivery(Person.objects.only("emis_version"))
    return {
        label: {
            "notice_ms": _median_ms(lambda p=person: person_deliveries(person=p), requests),
            "poll_ms": _median_ms(lambda p=person: poll.get(pk=p.pk), requests),
        }
        for label, person in guests.items()
    }


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = common.start("notice", template=TEMPLATE, db=DB).info
    runs = []
    try:
        for _ in range(args.repeat):
            load_before = os.getloadavg()[0]
            run = measure(build(args.rows), args.requests)
            runs.append({"guests": run, "loadavg_before": load_before})
            for label, figures in run.items():
                print(
                    f"  rows={args.rows} {label}: notice {figures['notice_ms']:.2f} ms, "
                    f"poll {figures['poll_ms']:.2f} ms (load avg before {load_before:.1f})",
                    flush=True,
                )
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    out = common.save_result(
        "delivery_notice", {"machine": info, "rows": args.rows, "runs": runs}
    )
    print(f"figures saved to {out.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
