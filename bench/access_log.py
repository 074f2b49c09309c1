"""The personal data access log alone: what one recorded read costs, and
what the admin's reads of a long log cost.

    .venv/bin/python bench/access_log.py
    .venv/bin/python bench/access_log.py --rows 1000000 --samples 2000

One PostgreSQL database (``bench_access_log``) with a log of ``--rows``
rows over 10,000 persons. Measured in-process, DEBUG off, per repetition:
``record_access`` as a request makes it (one INSERT, autocommit), the guest
card's last reads of one person, and the first page of the person API's
log (count + 100 rows), each the median of ``--samples`` calls on random
persons. The pages around it are in ``bench/guest_card.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_access_log"
PERSONS = 10_000


def fill(rows: int, *, first_person: int = 1, persons: int = PERSONS) -> None:
    """``rows`` reads of ``persons`` persons from ``first_person`` on, by one
    user, then ANALYZE. Also used by ``guest_card.py``."""
    from django.contrib.auth.models import User
    from django.db import connection

    from personal_data.models import PersonalDataAccess

    user = User.objects.create_user("bench-reader")
    batch = [
        PersonalDataAccess(
            user=user,
            username=user.username,
            person_id=first_person + i % persons,
            kind="guest_card",
            address="10.0.0.1",
        )
        for i in range(10_000)
    ]
    for _ in range(rows // len(batch)):
        PersonalDataAccess.objects.bulk_create(batch, batch_size=5000)
        for row in batch:
            row.pk = None
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PersonalDataAccess._meta.db_table}")


def timed_ms(calls: int, fn) -> float:
    """Median wall time of ``fn(person_id)`` over random persons, in ms."""
    times = []
    for _ in range(calls):
        person_id = random.randint(1, PERSONS)  # noqa: S311 - not security
        t = time.perf_counter()
        fn(person_id)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(samples: int) -> dict[str, float]:
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    from personal_data.access_log import (
        person_access_log,
        person_last_reads,
        record_access,
    )

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    request.user = User.objects.get(username="bench-reader")
    return {
        "insert_ms": timed_ms(
            samples, lambda p: record_access(request, p, "guest_card")
        ),
        "card_last_reads_ms": timed_ms(
            samples, lambda p: person_last_reads(person_id=p)
        ),
        "api_first_page_ms": timed_ms(
            samples // 4,
            lambda p: (
                person_access_log(person_id=p).count(),
                list(person_access_log(person_id=p)[:100]),
            ),
        ),
    }


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = common.print_machine()
    var = common.bench_var_dir("access_log")
    url = common.recreate_database(DB)
    common.setup_django(common.bench_env(url, var))
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        fill(args.rows)
        print(f"  filled {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
        runs = [measure(args.samples) for _ in range(args.repeat)]
    finally:
        connections.close_all()
        common.drop_database(DB)
    print(f"\naccess log of {args.rows:,} rows (median ms: median, min–max over runs):")
    results = {}
    for key in runs[0]:
        values = [r[key] for r in runs]
        results[key] = values
        print(f"  {key:<20} {common.fmt_range(values, 3)} ms")
    path = common.save_result(
        "access_log", {"machine": info, "rows": args.rows, "results": results}
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
