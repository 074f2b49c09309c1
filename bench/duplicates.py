"""Duplicate persons: the cost of finding them on read, against many
documents, and of one merge.

    .venv/bin/python bench/duplicates.py
    .venv/bin/python bench/duplicates.py --documents 1000000 --repeat 3

One PostgreSQL database holds ``--documents`` identity documents, one per
person (a tenth of them held by a second person too, as duplicates), and a
reservation of 50 guests with two documents each. Per repetition: the time
of ``reservations.duplicates.duplicates_of`` for those 100 documents (what
the Гости tab asks, median of ``--requests``), its query count and plan
(the index it uses), and the time of merging one pair of duplicates
(``services.person_merge``, a fresh pair each time).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_dups"
TEMPLATE = "bench_dups_tpl"
GUESTS = 50


def build(documents: int) -> list[int]:
    """The database; returns the 50 guests' person IDs."""
    from django.db import connection, connections

    from tests.factories import make_guest, make_reservation

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    with connection.cursor() as cur:
        # Plain SQL: a million ORM objects would measure Python, not this.
        cur.execute(
            "INSERT INTO reservations_person (surname, given_names, patronymic,"
            " surname_latin, given_names_latin, patronymic_latin, surname_cyrillic,"
            " given_names_cyrillic, patronymic_cyrillic, transliterated_parts,"
            " name_sources, sex, birth_place, citizenship, country, phone, email,"
            " address, discount, emis_content_hash, emis_values, created_at,"
            " updated_at) SELECT 'P' || g, '', '', '', '', '', '', '', '', '[]',"
            " '{}', '', '', '', '', '', '', '', 0, '', '{}', now(), now()"
            " FROM generate_series(1, %s) g",
            [documents],
        )
        cur.execute(
            "INSERT INTO reservations_identitydocument (person_id, kind, series,"
            " number, issuer, issuer_code, issuing_country, source, emis_values,"
            " created_at, updated_at) SELECT id, 'national_passport', '',"
            " 'N' || (id %% %s), '', '', 'DEU', 'manual', '{}', now(), now()"
            " FROM reservations_person",
            [documents - documents // 10],  # a tenth share a number
        )
        cur.execute("ANALYZE")
    reservation = make_reservation()
    ids = []
    for i in range(GUESTS):
        person = make_guest(reservation, surname=f"Гость{i}").person
        for kind in ("national_passport", "id_card"):
            person.documents.create(kind=kind, number=f"N{i * 7}", issuing_country="DEU")
        ids.append(person.pk)
    return ids


def page_lookup(person_ids: list[int], requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reservations.duplicates import duplicates_of
    from reservations.models import IdentityDocument

    docs = list(IdentityDocument.objects.filter(person_id__in=person_ids))
    with CaptureQueriesContext(connection) as queries:
        found = duplicates_of(docs)
    sql = queries.captured_queries[0]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql)
        plan = [row[0] for row in cur.fetchall()]
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        duplicates_of(docs)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "documents_asked": len(docs),
        "queries": len(queries),
        "guests_with_duplicates": len(found),
        "median_ms": statistics.median(times),
        "plan": plan,
    }


def merge_time() -> float:
    from reservations.models import IdentityDocument
    from reservations.services import person_merge
    from tests.factories import make_guest, make_reservation

    older = make_guest(make_reservation(), surname="Старший").person
    newer = make_guest(make_reservation(), surname="Младший").person
    for person in (older, newer):
        IdentityDocument.objects.create(
            person=person, kind="passport_rf", series="4510", number="123456"
        )
    t = time.perf_counter()
    person_merge(person_id=newer.pk, into_id=older.pk)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = common.start("dups", template=TEMPLATE, db=DB).info
    runs = []
    try:
        for _ in range(args.repeat):
            load_before = os.getloadavg()[0]
            ids = build(args.documents)
            run = page_lookup(ids, args.requests)
            run["merge_ms"] = merge_time()
            run["loadavg_before"] = load_before
            runs.append(run)
            print(
                f"  documents={args.documents}: {run['queries']} query for "
                f"{run['documents_asked']} documents, median {run['median_ms']:.2f} ms; "
                f"merge {run['merge_ms']:.1f} ms (load avg before {load_before:.1f})",
                flush=True,
            )
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    print("plan of the lookup:")
    for line in runs[-1]["plan"]:
        print("   ", line)
    lookup = [r["median_ms"] for r in runs]
    merges = [r["merge_ms"] for r in runs]
    print(
        f"page lookup {common.fmt_range(lookup, 2)} ms, "
        f"merge {common.fmt_range(merges, 1)} ms"
    )
    out = common.save_result(
        "duplicates", {"machine": info, "documents": args.documents, "runs": runs}
    )
    print(f"figures saved to {out.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
