"""Pull latency: "Получить данные документов" from the API call to the
updated profile, with a real Celery worker over Redis and the real sandbox.

    .venv/bin/python bench/pull_latency.py
    .venv/bin/python bench/pull_latency.py --pulls 50 --repeat 3

Per repetition: a fresh database with N persons known by surname only, the
sandbox serving the same person IDs, and a Celery worker process
(``celery -A pms worker --pool=solo``, broker Redis DB 14). The PMS side
runs in this process through Django's test Client, logged in as a front
desk user, with CELERY_BROKER_URL set so ``.delay`` goes to Redis. One pull
after another: ``POST /api/v1/persons/{id}/emis/pull/``, then
``GET /api/v1/emis/jobs/{id}/`` every ``--poll-ms`` until it succeeds; the
latency is from just before the POST to the answer that says "succeeded"
(so it includes up to one polling interval, as the dialog sees it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_pull"
TEMPLATE = "bench_pull_tpl"
JOB_TIMEOUT = 30.0


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                common.PYTHON,
                "-m",
                "celery",
                "-A",
                "pms",
                "worker",
                "--pool=solo",
                "-Q",
                "celery",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=common.REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("worker exited:\n" + log.read_text()[-3000:])
        if " ready." in log.read_text():
            return proc
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError("worker not ready:\n" + log.read_text()[-3000:])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def fresh_pms(n: int, sandbox) -> tuple[int, list[int]]:
    from django.db import connections

    from legal_entities.models import LegalEntity
    from reservations.models import Person

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    common.connect_emis(sandbox)
    le = LegalEntity.objects.create(
        name="ООО Бенчмарк", inn="7707083893", ogrn="1027700132195"
    )
    persons = Person.objects.bulk_create(
        [Person(surname=f"Гость{i}") for i in range(n)]
    )
    common.stay_all(le, persons)  # EMIS data lands only on guests with a stay
    ids = [p.pk for p in persons]
    sandbox.reset()
    sandbox.save_persons_bulk(str(le.pk), [common.emis_person(p) for p in ids])
    return le.pk, ids


def pull_once(client, person_id: int, le_id: int, poll: float) -> tuple[float, dict]:
    started = time.perf_counter()
    resp = client.post(
        f"/api/v1/persons/{person_id}/emis/pull/",
        {"legal_entity": le_id},
        content_type="application/json",
    )
    assert resp.status_code == 202, resp.content
    job_id = resp.json()["job"]
    deadline = started + JOB_TIMEOUT
    while True:
        job = client.get(f"/api/v1/emis/jobs/{job_id}/").json()
        if job["status"] in ("succeeded", "failed"):
            return time.perf_counter() - started, job
        if time.perf_counter() > deadline:
            raise RuntimeError(f"job {job_id} not finished: {job}")
        time.sleep(poll)


def one_run(args, sandbox, env: dict, client_factory, rep: int) -> dict:
    from reservations.models import Person

    le_id, ids = fresh_pms(args.pulls, sandbox)
    load_before = os.getloadavg()[0]
    log = common.bench_var_dir("pull") / f"worker-{rep}.log"
    worker = start_worker(env, log)
    try:
        client = client_factory()
        latencies, results = [], []
        for pid in ids:
            seconds, job = pull_once(client, pid, le_id, args.poll_ms / 1000)
            latencies.append(seconds * 1000)
            results.append((job["status"], job["result"]))
    finally:
        stop(worker)
    updated = Person.objects.filter(
        pk__in=ids, emis_version=1, surname_latin="ERIKSSON"
    ).count()
    ok = updated == len(ids) and all(r == ("succeeded", "applied") for r in results)
    run = {
        "pulls": len(latencies),
        "median_ms": common.percentile(latencies, 50),
        "p95_ms": common.percentile(latencies, 95),
        "min_ms": min(latencies),
        "max_ms": max(latencies),
        "profiles_updated": updated,
        "ok": ok,
        "loadavg_before": load_before,
    }
    print(
        f"  rep={rep}: median {run['median_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms, "
        f"min {run['min_ms']:.0f}, max {run['max_ms']:.0f}; profiles updated "
        f"{updated}/{len(ids)}, {'OK' if ok else 'WRONG'} "
        f"(load avg before {load_before:.1f})",
        flush=True,
    )
    return run


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--pulls", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--poll-ms", type=float, default=10.0)
    args = parser.parse_args()
    # The broker set before Django starts, so this process's .delay() goes to Redis.
    info, var = common.start(
        "pull", template=TEMPLATE, db=DB, CELERY_BROKER_URL=common.REDIS_URL
    )
    env = dict(os.environ)  # as start() set it: the worker runs on the same
    import redis
    from django.test import Client

    from pms.roles import Role
    from tests.factories import make_user

    redis.Redis.from_url(common.REDIS_URL).flushdb()  # DB 14: ours only

    def client_factory():
        client = Client()
        client.force_login(make_user(Role.FRONT_DESK))
        return client

    process, sandbox = common.start_sandbox(var / "sandbox")
    runs = []
    try:
        for rep in range(1, args.repeat + 1):
            runs.append(one_run(args, sandbox, env, client_factory, rep))
    finally:
        process.stop()
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
        redis.Redis.from_url(common.REDIS_URL).flushdb()

    def col(key):
        return [r[key] for r in runs]

    print(
        f"\npull latency (median, min–max over repetitions of {args.pulls} pulls): "
        f"median {common.fmt_range(col('median_ms'))} ms, "
        f"p95 {common.fmt_range(col('p95_ms'))} ms; all correct: {all(col('ok'))}"
    )
    path = common.save_result(
        "pull_latency",
        {"machine": info, "poll_ms": args.poll_ms, "runs": runs},
    )
    print(f"figures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
