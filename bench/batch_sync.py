"""Batch sync: N changed persons in the sandbox's changes feed, applied to
PostgreSQL by ``emis.sync.sync_legal_entity``, beside the floor (a raw ORM
bulk upsert of the same rows).

    .venv/bin/python bench/batch_sync.py                # 1,000 and 10,000
    .venv/bin/python bench/batch_sync.py --persons 10000 --repeat 3

Per size and repetition: a fresh database (copied from a migrated
template) where the PMS knows N persons by surname only; the sandbox
seeded with the same person IDs, each with a passport, a visa and a
migration card; the sync run in a child process (its wall time around the
sync call, and its peak RSS during the sync: ``/proc/self/status`` VmHWM,
reset just before the sync, next to its RSS at that moment); the contract
requests the sandbox served; a check of the rows written. Then the
database is rebuilt the same way twice, for the floor and for the floor
plus the sync's history rows, each in a child process too.
"""

from __future__ import annotations

import cProfile
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_sync"
TEMPLATE = "bench_sync_tpl"
PAGE = 200  # emis.sync.PAGE_SIZE


# --- child processes -----------------------------------------------------------


def child_sync(legal_entity_id: int) -> dict:
    import gc

    from emis import sync  # noqa: F401  (imports done before measuring)

    gc.collect()
    before = common.rss_kb()
    common.reset_peak_rss()
    profile = os.environ.get("BENCH_PROFILE")  # a path: cProfile stats go there
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    run = sync.sync_legal_entity(legal_entity_id=legal_entity_id)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return {
        "seconds": seconds,
        "rss_before_kb": before,
        "maxrss_kb": common.peak_rss_kb(),
        "pages": run.pages,
        "applied": run.applied,
        "unchanged": run.unchanged,
        "unknown": run.unknown,
        "error": run.error,
    }


def child_floor(history_path: str | None) -> dict:
    """The same rows written by plain ORM bulk operations: persons upserted
    with ``update_conflicts``, documents and visas delete+``bulk_create``,
    migration cards upserted. Person dicts are built before the clock.

    With ``history_path`` (the sync's PersonChange rows, dumped as JSON) the
    same history rows are ``bulk_create``d too, in the same transaction."""
    import datetime as dt
    import gc

    from django.db import transaction
    from django.utils import timezone

    from reservations.models import (
        IdentityDocument,
        MigrationCard,
        Person,
        PersonChange,
        Visa,
    )

    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    data = [common.emis_person(pid) for pid in ids]
    history = []
    if history_path:
        with open(history_path) as f:
            history = json.load(f)
    gc.collect()
    before = common.rss_kb()
    common.reset_peak_rss()
    started = time.perf_counter()
    date = dt.date.fromisoformat
    persons, docs, visas, cards = [], [], [], []
    for item in data:
        pid = int(item["person_id"])
        persons.append(
            Person(
                pk=pid,
                surname=item["surname"]["cyrillic"],
                given_names=item["given_names"]["cyrillic"],
                surname_latin=item["surname"]["latin"],
                given_names_latin=item["given_names"]["latin"],
                surname_cyrillic=item["surname"]["cyrillic"],
                given_names_cyrillic=item["given_names"]["cyrillic"],
                sex=item["sex"],
                birth_date=date(item["birth_date"]),
                birth_place=item["birth_place"],
                citizenship=item["citizenship"],
                emis_version=item["version"],
                emis_content_hash="0" * 64,
                emis_updated_at=dt.datetime.fromisoformat(item["updated_at"]),
            )
        )
        for d in item["documents"]:
            docs.append(
                IdentityDocument(
                    person_id=pid,
                    kind=d["kind"],
                    series=d["series"] or "",
                    number=d["number"],
                    issue_date=date(d["issue_date"]),
                    expiry_date=date(d["expiry_date"]),
                    issuer=d["issuer"] or "",
                    issuer_code=d["issuer_code"] or "",
                    issuing_country=d["issuing_country"],
                    source=d["source"],
                )
            )
        for v in item["visas"]:
            visas.append(
                Visa(
                    person_id=pid,
                    series=v["series"],
                    number=v["number"],
                    category=v["category"],
                    entries=v["entries"],
                    valid_from=date(v["valid_from"]),
                    valid_to=date(v["valid_to"]),
                    issuing_country=v["issuing_country"],
                )
            )
        c = item["migration_card"]
        cards.append(
            MigrationCard(
                person_id=pid,
                series=c["series"],
                number=c["number"],
                entry_date=date(c["entry_date"]),
                valid_to=date(c["valid_to"]),
                visit_purpose=c["visit_purpose"],
            )
        )
    person_fields = [
        "surname",
        "given_names",
        "surname_latin",
        "given_names_latin",
        "surname_cyrillic",
        "given_names_cyrillic",
        "sex",
        "birth_date",
        "birth_place",
        "citizenship",
        "emis_version",
        "emis_content_hash",
        "emis_updated_at",
    ]
    with transaction.atomic():
        Person.objects.bulk_create(
            persons,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=person_fields,
        )
        IdentityDocument.objects.filter(person_id__in=ids).delete()
        IdentityDocument.objects.bulk_create(docs, batch_size=1000)
        Visa.objects.filter(person_id__in=ids).delete()
        Visa.objects.bulk_create(visas, batch_size=1000)
        MigrationCard.objects.bulk_create(
            cards,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=[
                "series",
                "number",
                "entry_date",
                "valid_to",
                "visit_purpose",
            ],
        )
        if history:
            now = timezone.now()
            PersonChange.objects.bulk_create(
                [
                    PersonChange(
                        person_id=row[0],
                        field=row[1],
                        old_value=row[2],
                        new_value=row[3],
                        sensitive=row[4],
                        source="sync",
                        created_at=now,
                    )
                    for row in history
                ],
                batch_size=1000,
            )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_before_kb": before,
        "maxrss_kb": common.peak_rss_kb(),
    }


# --- driver ----------------------------------------------------------------------


def _child(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [common.PYTHON, __file__, "--child", *args],
        cwd=common.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_pms(n: int) -> tuple[int, list[int]]:
    """A fresh database: one legal entity, the EMIS connection, n persons."""
    from django.db import connections

    from legal_entities.models import LegalEntity
    from reservations.models import Person

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    le = LegalEntity.objects.create(
        name="ООО Бенчмарк", inn="7707083893", ogrn="1027700132195"
    )
    persons = Person.objects.bulk_create(
        [Person(surname=f"Гость{i}") for i in range(n)], batch_size=2000
    )
    return le.pk, [p.pk for p in persons]


def _check_rows(n: int) -> dict:
    from reservations.models import IdentityDocument, MigrationCard, Person, Visa

    return {
        "persons_applied": Person.objects.filter(emis_version=1).count(),
        "documents": IdentityDocument.objects.count(),
        "visas": Visa.objects.count(),
        "migration_cards": MigrationCard.objects.count(),
        "expected": n,
    }


def _dump_history(path: Path) -> int:
    """The sync's history rows, for the floor that writes them too."""
    from reservations.models import PersonChange

    rows = list(
        PersonChange.objects.order_by("pk").values_list(
            "person_id", "field", "old_value", "new_value", "sensitive"
        )
    )
    path.write_text(json.dumps(rows, ensure_ascii=False))
    return len(rows)


def run_size(n: int, repeat: int, sandbox, env: dict) -> dict:
    runs = []
    for rep in range(1, repeat + 1):
        le_id, ids = _fresh_pms(n)
        load_before = os.getloadavg()[0]
        common.connect_emis(sandbox)
        sandbox.reset()
        t = time.perf_counter()
        sandbox.save_persons_bulk(str(le_id), [common.emis_person(p) for p in ids])
        seed_s = time.perf_counter() - t
        sync = _child(env, "sync", str(le_id))
        requests = sandbox.request_counts()
        rows = _check_rows(n)
        history_file = common.bench_var_dir("sync") / "history.json"
        history = _dump_history(history_file)
        _fresh_pms(n)
        floor = _child(env, "floor")
        floor_rows = _check_rows(n)
        _fresh_pms(n)
        floor_h = _child(env, "floor", str(history_file))
        history_file.unlink()
        ok = (
            not sync["error"]
            and sync["applied"] == n
            and all(rows[k] == n for k in rows)
            and all(floor_rows[k] == n for k in floor_rows if k != "persons_applied")
        )
        run = {
            "persons": n,
            "seconds": sync["seconds"],
            "persons_per_s": n / sync["seconds"],
            "floor_seconds": floor["seconds"],
            "ratio_to_floor": sync["seconds"] / floor["seconds"],
            "floor_history_seconds": floor_h["seconds"],
            "ratio_to_floor_history": sync["seconds"] / floor_h["seconds"],
            "pages": sync["pages"],
            "requests": requests,
            "changes_requests": requests.get("/api/v1/changes", 0),
            "maxrss_mb": sync["maxrss_kb"] / 1024,
            "rss_before_mb": sync["rss_before_kb"] / 1024,
            "floor_maxrss_mb": floor["maxrss_kb"] / 1024,
            "history_rows": history,
            "rows": rows,
            "rows_ok": ok,
            "seed_seconds": seed_s,
            "loadavg_before": load_before,
        }
        runs.append(run)
        print(
            f"  n={n} rep={rep}: sync {run['seconds']:.2f} s "
            f"({run['persons_per_s']:.0f} persons/s), floor "
            f"{run['floor_seconds']:.2f} s, ratio {run['ratio_to_floor']:.2f}, "
            f"floor+history {run['floor_history_seconds']:.2f} s, "
            f"pages {run['pages']}, requests {requests}, "
            f"peak RSS {run['maxrss_mb']:.1f} MiB (before sync "
            f"{run['rss_before_mb']:.1f}), history rows {history}, "
            f"rows {'OK' if ok else 'WRONG ' + json.dumps(rows)} "
            f"(load avg before {load_before:.1f})",
            flush=True,
        )
    return {"persons": n, "runs": runs}


def report(results: list[dict]) -> None:
    print("\nbatch sync (median, min–max over repetitions):")
    for res in results:
        runs = res["runs"]

        def col(key, runs=runs):
            return [r[key] for r in runs]

        print(
            f"  {res['persons']:>6} persons: "
            f"{common.fmt_range(col('persons_per_s'))} persons/s; "
            f"sync {common.fmt_range(col('seconds'), 2)} s; "
            f"floor {common.fmt_range(col('floor_seconds'), 2)} s; "
            f"ratio {common.fmt_range(col('ratio_to_floor'), 2)}; "
            f"floor+history {common.fmt_range(col('floor_history_seconds'), 2)} s, "
            f"ratio {common.fmt_range(col('ratio_to_floor_history'), 2)}; "
            f"changes requests {common.fmt_range(col('changes_requests'))} "
            f"for {common.fmt_range(col('pages'))} pages; "
            f"peak RSS {common.fmt_range(col('maxrss_mb'), 1)} MiB "
            f"(RSS before sync {common.fmt_range(col('rss_before_mb'), 1)}); "
            f"rows all correct: {all(col('rows_ok'))}"
        )


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--persons", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        common.setup_django(dict(os.environ))
        kind = args.child[0]
        if kind == "sync":
            result = child_sync(int(args.child[1]))
        else:
            result = child_floor(args.child[1] if len(args.child) > 1 else None)
        print(json.dumps(result))
        return
    sizes = args.persons or [1000, 10000]
    info = common.print_machine()
    var = common.bench_var_dir("sync")
    common.migrated_template(TEMPLATE, var)
    env = common.bench_env(common.database_url(DB), var)
    common.setup_django(env)
    process, sandbox = common.start_sandbox(var / "sandbox")
    try:
        results = [run_size(n, args.repeat, sandbox, env) for n in sizes]
    finally:
        process.stop()
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    report(results)
    path = common.save_result("batch_sync", {"machine": info, "results": results})
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
