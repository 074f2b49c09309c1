"""The retention purge: N departed guests whose legal entity's period has
passed, erased by ``personal_data.retention.retention_purge`` (what the
daily task and ``manage.py purge_personal_data`` run) on PostgreSQL.

    .venv/bin/python bench/purge_personal_data.py              # 1,000 and 10,000
    .venv/bin/python bench/purge_personal_data.py --persons 10000 --repeat 3

Per size and repetition: a fresh database (copied from a migrated
template) seeded in a child process with N persons, each with a passport, a
visa, a migration card, 12 history rows with values and a stay that ended
400 days ago (retention 30 days); then the purge in another child process:
its wall time, and its peak RSS during the purge (``/proc/self/status``
VmHWM, reset just before) over its RSS at that moment. One more run per
size measures the purge's peak Python allocation with tracemalloc (which
slows it, so its time is not reported). Flat memory from 1,000 to 10,000
persons is the point: the purge reads and erases in batches of
``retention.BATCH`` persons by ID.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_purge"
TEMPLATE = "bench_purge_tpl"
HISTORY_FIELDS = (
    "surname",
    "given_names",
    "patronymic",
    "surname_latin",
    "given_names_latin",
    "birth_date",
    "birth_place",
    "phone",
    "email",
    "address",
    "citizenship",
    "sex",
)


# --- child processes -----------------------------------------------------------


def child_seed(persons: int) -> dict:
    """N departed guests with data in every table the erasure clears."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from legal_entities.models import LegalEntity
    from reservations.models import (
        IdentityDocument,
        MigrationCard,
        Person,
        PersonChange,
        Reservation,
        Stay,
        Visa,
    )

    end = timezone.localdate() - dt.timedelta(days=400)
    entity = LegalEntity.objects.create(
        name="ООО Бенч", inn="7707083893", personal_data_retention_days=30
    )
    chunk = 1000
    for start in range(0, persons, chunk):
        n = min(chunk, persons - start)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(
                    surname=f"Фамилия{start + i}",
                    given_names="Имя",
                    surname_latin=f"FAMILIIA{start + i}",
                    birth_date=dt.date(1980, 1, 1),
                    birth_place="ГОР. МОСКВА",
                    phone="+79001234567",
                    email=f"guest{start + i}@example.org",
                    address="Москва, ул. Тверская, д. 1",
                    citizenship="RUS",
                    emis_values={"surname": f"Фамилия{start + i}"},
                )
                for i in range(n)
            )
            reservations = Reservation.objects.bulk_create(
                Reservation(
                    legal_entity=entity,
                    arrival=end - dt.timedelta(days=3),
                    departure=end,
                    status=Reservation.Status.CHECKED_OUT,
                )
                for _ in range(0, n, 10)
            )
            Stay.objects.bulk_create(
                Stay(
                    reservation=reservations[i // 10],
                    person=p,
                    registration_from=end - dt.timedelta(days=3),
                    registration_to=end,
                    note="Поздний заезд",
                )
                for i, p in enumerate(people)
            )
            IdentityDocument.objects.bulk_create(
                IdentityDocument(
                    person=p, kind="passport_rf", series="4510", number=f"{p.pk:06d}"
                )
                for p in people
            )
            Visa.objects.bulk_create(Visa(person=p, number=f"V{p.pk}") for p in people)
            MigrationCard.objects.bulk_create(
                MigrationCard(person=p, number=f"M{p.pk}") for p in people
            )
            PersonChange.objects.bulk_create(
                PersonChange(
                    person=p, field=f, old_value="", new_value="value", source="webhook"
                )
                for p in people
                for f in HISTORY_FIELDS
            )
    return {"persons": Person.objects.count()}


def child_purge(trace: bool) -> dict:
    import gc
    import tracemalloc

    from personal_data import retention
    from reservations.models import IdentityDocument, Person, PersonChange

    gc.collect()
    before = common.rss_kb()
    common.reset_peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    run = retention.retention_purge()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
    peak = common.peak_rss_kb()
    left = {
        "documents": IdentityDocument.objects.count(),
        "named": Person.objects.exclude(surname="—").count(),
        "history_values": PersonChange.objects.exclude(new_value="").count(),
    }
    return {
        "seconds": seconds,
        "erased": run.total,
        "rss_before_kb": before,
        "peak_rss_kb": peak,
        "traced_peak_kb": traced_peak // 1024 if traced_peak is not None else None,
        "left": left,
        "batch": retention.BATCH,
    }


def _child_main(args) -> None:
    import os

    common.setup_django(dict(os.environ))
    if args.child == "seed":
        result = child_seed(args.persons[0])
    else:
        result = child_purge(args.trace)
    print("RESULT " + json.dumps(result))


# --- driver ------------------------------------------------------------------


def _run_child(env: dict, *argv: str) -> dict:
    out = subprocess.run(
        [common.PYTHON, __file__, *argv],
        cwd=common.REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _one(size: int, var_dir: Path, trace: bool) -> dict:
    url = common.recreate_database(DB, TEMPLATE)
    env = common.bench_env(url, var_dir)
    seeded = _run_child(env, "--child", "seed", "--persons", str(size))
    assert seeded["persons"] == size, seeded
    result = _run_child(env, "--child", "purge", *(["--trace"] if trace else []))
    assert result["erased"] == size, result
    assert result["left"] == {"documents": 0, "named": 0, "history_values": 0}, result
    return result


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--persons", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["seed", "purge"])
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        _child_main(args)
        return
    sizes = args.persons or [1000, 10000]
    info = common.print_machine()
    var_dir = common.bench_var_dir("purge")
    common.migrated_template(TEMPLATE, var_dir)
    results = {}
    try:
        for size in sizes:
            runs = [_one(size, var_dir, trace=False) for _ in range(args.repeat)]
            traced = _one(size, var_dir, trace=True)
            seconds = [r["seconds"] for r in runs]
            growth = [(r["peak_rss_kb"] - r["rss_before_kb"]) / 1024 for r in runs]
            results[size] = {
                "runs": runs,
                "traced": traced,
                "seconds": common.summary(seconds),
                "persons_per_second": size / common.summary(seconds)["median"],
                "peak_rss_growth_mib": common.summary(growth),
                "peak_rss_mib": max(r["peak_rss_kb"] for r in runs) / 1024,
                "traced_peak_mib": traced["traced_peak_kb"] / 1024,
            }
            print(
                f"{size:>6} persons: {common.fmt_range(seconds, 2)} s, "
                f"{results[size]['persons_per_second']:.0f} persons/s; "
                f"peak RSS {results[size]['peak_rss_mib']:.1f} MiB "
                f"(+{common.fmt_range(growth, 1)} MiB during the purge); "
                f"tracemalloc peak {results[size]['traced_peak_mib']:.1f} MiB"
            )
    finally:
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    path = common.save_result(
        "purge_personal_data", {"machine": info, "sizes": results}
    )
    print(f"saved: {path}")


if __name__ == "__main__":
    main()
