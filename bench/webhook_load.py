"""Webhook intake under load: signed deliveries from 20 concurrent senders to
gunicorn (2 workers) on PostgreSQL, then a count of the rows that proves
none was lost and none applied twice.

    .venv/bin/python bench/webhook_load.py
    .venv/bin/python bench/webhook_load.py --deliveries 10000 --persons 2000

Each repetition has a fresh database (an active EMIS connection with a
known API password, one legal entity, N persons known by surname only) and
sends the same schedule: unique deliveries round-robin over the persons
with increasing versions (each version a different birth place), and 5%
repeats of earlier delivery IDs mixed in later. Two load shapes:

- ``saturated``: each of the 20 senders posts its next delivery as soon as
  it has the answer to the previous one (the most the server takes);
- ``paced``: the deliveries are due at a fixed rate (``--rate``, 200/s) and
  a sender posts each when due; latency counts from the due time, so a
  server falling behind shows as latency, not as a lower offered rate.

The load generator (Python threads, each POST a fresh ``http.client``
connection, as gunicorn's sync workers close it after each answer) runs on
the same two cores as gunicorn and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_webhook"
TEMPLATE = "bench_webhook_tpl"
API_PASSWORD = "bench-webhook-api-password"
SENDERS = 20
REPEAT_SHARE = 0.05
DEADLINE = 600.0  # seconds: a run stops by itself even if the server hangs


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    person_id: int
    version: int
    body: bytes
    repeat: bool


def schedule(person_ids: list[int], le_id: int, total: int) -> list[Delivery]:
    """Unique deliveries round-robin over the persons (versions 1, 2, ...),
    then repeats of earlier IDs inserted at least 100 positions later."""
    rng = random.Random(20261127)
    repeats = int(total * REPEAT_SHARE)
    unique = []
    for j in range(total - repeats):
        pid = person_ids[j % len(person_ids)]
        version = j // len(person_ids) + 1
        body = {
            "event": "person.documents_saved",
            "legal_entity_id": str(le_id),
            "person": common.emis_person(pid, version, place=f"ГОР. ТВЕРЬ {version}"),
        }
        unique.append(
            Delivery(
                delivery_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                person_id=pid,
                version=version,
                body=json.dumps(body, ensure_ascii=False).encode(),
                repeat=False,
            )
        )
    out = list(unique)
    for _ in range(repeats):
        original = rng.randrange(len(unique) - 200)
        at = rng.randrange(original + 100, len(out))
        d = unique[original]
        out.insert(at, Delivery(d.delivery_id, d.person_id, d.version, d.body, True))
    return out


def sign(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    mac = hmac.new(API_PASSWORD.encode(), ts.encode() + b"." + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Emis-Timestamp": ts,
        "X-Emis-Signature": "sha256=" + mac.hexdigest(),
    }


def _post(host: str, port: int, path: str, body: bytes, headers: dict) -> tuple:
    """One POST with the standard library: ``requests`` costs the shared CPU
    three times as much per delivery, and gunicorn's sync workers close the
    connection after each answer anyway, so a session would keep nothing."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    if resp.status == 200:
        return resp.status, json.loads(data).get("status")
    return resp.status, data[:200].decode(errors="replace")


def send_all(url: str, plan: list[Delivery], rate: float | None) -> dict:
    """Post every delivery from SENDERS threads; returns answers and latencies."""
    target = urlsplit(url)
    results: list[tuple | None] = [None] * len(plan)
    lock = threading.Lock()
    next_index = iter(range(len(plan)))
    started = time.perf_counter()
    deadline = started + DEADLINE

    def sender() -> None:
        while True:
            with lock:
                i = next(next_index, None)
            if i is None or time.perf_counter() > deadline:
                return
            due = started + i / rate if rate else None
            if due is not None and due > time.perf_counter():
                time.sleep(max(0.0, due - time.perf_counter()))
            d = plan[i]
            headers = sign(d.body)
            headers["X-Emis-Delivery"] = d.delivery_id
            t0 = time.perf_counter()
            try:
                code, status = _post(
                    target.hostname, target.port, target.path, d.body, headers
                )
            except (OSError, http.client.HTTPException) as exc:
                code, status = 0, type(exc).__name__
            t1 = time.perf_counter()
            results[i] = (code, status, t1 - (due if due is not None else t0))

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "results": results}


# --- the PMS side ----------------------------------------------------------------


def fresh_pms(n_persons: int) -> tuple[int, list[int]]:
    from django.db import connections

    from emis.models import EmisConnection
    from legal_entities.models import LegalEntity
    from reservations.models import Person

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    conn = EmisConnection.load()
    conn.base_url = "http://127.0.0.1:9"  # never called by the webhook
    conn.api_login, conn.api_password = "pms-api", API_PASSWORD
    conn.web_login, conn.web_password = "pms-web", "unused"
    conn.is_active = True
    conn.save()
    le = LegalEntity.objects.create(
        name="ООО Бенчмарк", inn="7707083893", ogrn="1027700132195"
    )
    persons = Person.objects.bulk_create(
        [Person(surname=f"Гость{i}") for i in range(n_persons)], batch_size=2000
    )
    common.stay_all(le, persons)  # EMIS data lands only on guests with a stay
    connections.close_all()
    return le.pk, [p.pk for p in persons]


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                common.PYTHON,
                "-m",
                "gunicorn",
                "pms.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
            ],
            cwd=common.REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    import requests

    url = f"http://127.0.0.1:{port}/api/v1/emis/webhook/"
    for _ in range(200):  # up to 20 s
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log.read_text()[-3000:])
        try:
            # GET is refused (405) once Django answers in both workers' place.
            if requests.get(url, timeout=2).status_code == 405:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError("gunicorn did not answer:\n" + log.read_text()[-3000:])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def warm_up(url: str, le_id: int, person_id: int) -> None:
    """One delivery per worker and then some, to a person kept out of the
    counts: the first request of a worker imports and connects."""
    import requests

    for v in range(1, 9):
        body = json.dumps(
            {
                "event": "person.documents_saved",
                "legal_entity_id": str(le_id),
                "person": common.emis_person(person_id, v),
            }
        ).encode()
        headers = sign(body)
        headers["X-Emis-Delivery"] = f"warm-up-{v}"
        requests.post(url, data=body, headers=headers, timeout=30)


def verify(plan: list[Delivery], answers: list[tuple | None], persons: list[int]):
    """The database after the run, against what was sent and answered."""
    from django.db.models import Count

    from emis.models import WebhookDelivery
    from reservations.models import Person, PersonChange

    statuses = Counter(
        a[1] if a and a[0] == 200 else f"http {a and a[0]}" for a in answers
    )
    unique_ids = {d.delivery_id for d in plan if not d.repeat}
    stored = set(
        WebhookDelivery.objects.filter(delivery_id__in=unique_ids).values_list(
            "delivery_id", flat=True
        )
    )
    stored_status = Counter(
        WebhookDelivery.objects.filter(delivery_id__in=unique_ids).values_list(
            "status", flat=True
        )
    )
    highest: dict[int, int] = {}
    for d in plan:
        highest[d.person_id] = max(highest.get(d.person_id, 0), d.version)
    rows = Person.objects.filter(pk__in=persons).values_list(
        "pk", "emis_version", "birth_place"
    )
    wrong_version = [
        pk
        for pk, version, place in rows
        if version != highest[pk] or place != f"ГОР. ТВЕРЬ {highest[pk]}"
    ]
    applied_per_person = dict(
        WebhookDelivery.objects.filter(status="applied", person_id__in=persons)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    history = PersonChange.objects.filter(person_id__in=persons, source="webhook")
    place_rows = dict(
        history.filter(field="birth_place")
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    other_rows = Counter(
        dict(
            history.exclude(field="birth_place")
            .values("person_id")
            .annotate(n=Count("pk"))
            .values_list("person_id", "n")
        )
    )
    # Every applied delivery changed the birth place once; everything else
    # changed only on a person's first applied delivery: the same count for
    # every person, whatever order the versions arrived in.
    place_mismatch = [
        p for p in persons if place_rows.get(p, 0) != applied_per_person.get(p, 0)
    ]
    first_apply_sizes = Counter(other_rows[p] for p in persons)
    repeats = sum(1 for d in plan if d.repeat)
    return {
        "answers": dict(statuses),
        "deliveries_sent": len(plan),
        "unique_deliveries": len(unique_ids),
        "repeats_sent": repeats,
        "delivery_rows": len(stored),
        "lost": len(unique_ids - stored),
        "delivery_rows_by_status": dict(stored_status),
        "persons_wrong_version": len(wrong_version),
        "history_rows": history.count(),
        "persons_history_mismatch": len(place_mismatch),
        "first_apply_rows_per_person": dict(first_apply_sizes),
        "ok": (
            statuses.get("duplicate", 0) == repeats
            and len(stored) == len(unique_ids)
            and not wrong_version
            and not place_mismatch
            and len(first_apply_sizes) == 1
            and stored_status.get("applied", 0) == statuses.get("applied", 0)
            and stored_status.get("stale", 0) == statuses.get("stale", 0)
            and all(a is not None and a[0] == 200 for a in answers)
        ),
    }


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(master: int) -> list[int]:
    with open(f"/proc/{master}/task/{master}/children") as f:
        return [int(pid) for pid in f.read().split()]


def one_run(args, env: dict, config: tuple[int, str, float | None], rep: int) -> dict:
    conn_max_age, mode, rate = config
    le_id, ids = fresh_pms(args.persons + 1)
    warm_person, persons = ids[-1], ids[:-1]
    plan = schedule(persons, le_id, args.deliveries)
    port = common.free_port()
    log = common.bench_var_dir("webhook") / f"gunicorn-{conn_max_age}-{mode}-{rep}.log"
    server = start_gunicorn({**env, "CONN_MAX_AGE": str(conn_max_age)}, port, log)
    url = f"http://127.0.0.1:{port}/api/v1/emis/webhook/"
    try:
        warm_up(url, le_id, warm_person)
        workers = _workers(server.pid)
        cpu_before = sum(_cpu_seconds(pid) for pid in workers), time.process_time()
        load_before = os.getloadavg()[0]
        sent = send_all(url, plan, rate)
        workers_cpu = sum(_cpu_seconds(pid) for pid in workers) - cpu_before[0]
        generator_cpu = time.process_time() - cpu_before[1]
    finally:
        stop(server)
    answers = sent["results"]
    latencies = [a[2] for a in answers if a is not None]
    checks = verify(plan, answers, persons)
    run = {
        "conn_max_age": conn_max_age,
        "mode": mode,
        "rate": rate,
        "elapsed": sent["elapsed"],
        "per_s": len(latencies) / sent["elapsed"],
        "p50_ms": common.percentile(latencies, 50) * 1000,
        "p99_ms": common.percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "worker_cpu_ms": workers_cpu / len(plan) * 1000,
        "generator_cpu_ms": generator_cpu / len(plan) * 1000,
        "loadavg_before": load_before,
        **checks,
    }
    print(
        f"  {_label(config)} rep={rep}: {run['per_s']:.0f} deliveries/s, p50 "
        f"{run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms; CPU per delivery: "
        f"workers {run['worker_cpu_ms']:.1f} ms, generator "
        f"{run['generator_cpu_ms']:.1f} ms; answers {checks['answers']}, lost "
        f"{checks['lost']}, history rows {checks['history_rows']}, checks "
        f"{'OK' if checks['ok'] else 'FAILED'} (load avg before {load_before:.1f})",
        flush=True,
    )
    if not checks["ok"]:
        print("    " + json.dumps(checks, ensure_ascii=False), flush=True)
    return run


def _label(config: tuple[int, str, float | None]) -> str:
    conn_max_age, mode, rate = config
    shape = f"paced {rate:.0f}/s" if rate else "saturated"
    return f"CONN_MAX_AGE={conn_max_age} {shape}"


def report(configs: list, runs: list[dict]) -> None:
    print("\nwebhook intake (median, min–max over repetitions):")
    for config in configs:
        sel = [r for r in runs if (r["conn_max_age"], r["mode"], r["rate"]) == config]

        def col(key, sel=sel):
            return [r[key] for r in sel]

        print(
            f"  {_label(config)}: {common.fmt_range(col('per_s'))} deliveries/s; "
            f"p50 {common.fmt_range(col('p50_ms'), 1)} ms; "
            f"p99 {common.fmt_range(col('p99_ms'), 1)} ms; "
            f"worker CPU {common.fmt_range(col('worker_cpu_ms'), 1)} ms/delivery; "
            f"lost {sum(col('lost'))}; all checks passed: {all(col('ok'))}"
        )


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--deliveries", type=int, default=10000)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--rate",
        type=float,
        action="append",
        help="paced rate(s), deliveries/s (default 200)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        action="append",
        help="server CONN_MAX_AGE value(s); default 0 (a database connection "
        "per request) and 60 (the settings' default)",
    )
    parser.add_argument("--no-saturated", action="store_true")
    parser.add_argument("--no-paced", action="store_true")
    args = parser.parse_args()
    rates = [] if args.no_paced else (args.rate or [200.0])
    shapes = ([] if args.no_saturated else [("saturated", None)]) + [
        ("paced", rate) for rate in rates
    ]
    configs = [
        (age, mode, rate)
        for age in (args.conn_max_age or [0, 60])
        for mode, rate in shapes
    ]
    info, var = common.start("webhook", template=TEMPLATE, db=DB)
    # What production runs: DEBUG off, INFO logging.
    env = common.bench_env(
        common.database_url(DB), var, LOG_LEVEL="INFO", ALLOWED_HOSTS="127.0.0.1"
    )
    runs = []
    try:
        for config in configs:
            for rep in range(1, args.repeat + 1):
                runs.append(one_run(args, env, config, rep))
    finally:
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
    report(configs, runs)
    default = not (args.rate or args.conn_max_age or args.no_saturated or args.no_paced)
    path = common.save_result(
        "webhook_load" if default else "webhook_load_custom",
        {"machine": info, "senders": SENDERS, "runs": runs},
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
