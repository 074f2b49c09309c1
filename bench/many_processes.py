"""Many processes, one truth, bigger: the scenario of
``tests/emis/test_many_processes.py`` with more of everything, and its figures.

    .venv/bin/python bench/many_processes.py
    .venv/bin/python bench/many_processes.py --webhook-persons 100 --repeat 1

Per repetition: a fresh database (copied from a migrated template), the
sandbox reset, and the production stack as real processes (two gunicorn
servers with ``pms/gunicorn_conf.py``, two Celery workers, one beat with the
database scheduler, broker Redis DB 14). Then at once: signed webhooks from
``--webhook-senders`` threads to both servers (some raced to both at once,
some replayed, a few versions swapped), the changes feed growing round by
round while beat syncs it every ``--sync-interval`` s (with extra runs raced
against beat's), pulls through the API, and with every EMIS write a staff
PATCH of the same person (phone and address). Afterwards the stack is
stopped gracefully and ``tests/support/mixed_load/checks.py`` counts the
rows: lost and doubled deliveries, feed items applied twice, pulls applied
more than once, staff edits lost.

The load generator is Python threads in this process, on the same two cores
as the stack, PostgreSQL, Redis and the sandbox. Latencies are measured from
just before each request to its answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_many"
TEMPLATE = "bench_many_tpl"
# Per legal entity (two): 2,000 deliveries, a feed of 250 persons a round
# (two pages of at most 200), 100 pulls; and a staff edit with each EMIS write.
DEFAULTS = {
    "webhook_persons": 250,
    "webhook_versions": 4,
    "webhook_swaps": 20,
    "webhook_replays": 80,
    "webhook_races": 80,
    "webhook_senders": 8,
    "sync_persons": 250,
    "sync_rounds": 4,
    "pull_persons": 50,
    "pulls_per_person": 2,
    "timeout": 600.0,
}


def arguments() -> argparse.Namespace:
    from tests.support.mixed_load import Load

    parser = common.arg_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2, help="per gunicorn")
    for f in dataclasses.fields(Load):
        default = DEFAULTS.get(f.name, f.default)
        parser.add_argument(
            "--" + f.name.replace("_", "-"), type=type(default), default=default
        )
    return parser.parse_args()


def one_run(args, load, env: dict, sandbox, rep: int) -> dict:
    from django.db import connections

    from tests.support.mixed_load import check, prepare, run
    from tests.support.stack import running_stack

    connections.close_all()
    common.recreate_database(DB, TEMPLATE)
    sandbox.reset()
    world = prepare(load, sandbox)
    load_before = os.getloadavg()[0]
    workdir = common.bench_var_dir("many") / f"run-{rep}"
    with running_stack(env, workdir, web_workers=args.web_workers) as stack:
        pids = _stack_pids(stack)
        cpu_before = _cpu_seconds(pids), time.process_time()
        started = time.perf_counter()
        outcome = run(load, world, stack, sandbox, common.REDIS_URL)
        elapsed = time.perf_counter() - started
        stack_cpu = _cpu_seconds(pids) - cpu_before[0]
        generator_cpu = time.process_time() - cpu_before[1]
        stack.stop()
        found = check(load, world, outcome, sandbox, stack.worker_logs())
    requests = len(outcome.answers)
    figures = {
        "elapsed_s": elapsed,
        "requests_per_s": requests / elapsed,
        # The machine is shared: CPU the stack and the generator used, per
        # request, tells this code's cost from the other tenants' load.
        "stack_cpu_ms_per_request": stack_cpu / requests * 1000,
        "generator_cpu_ms_per_request": generator_cpu / requests * 1000,
        "stack_cpu_share": stack_cpu / elapsed / (os.cpu_count() or 1),
        "loadavg_before": load_before,
        **found.figures,
        "problems": found.problems,
    }
    w, s, p, st = (found.figures[k] for k in ("webhook", "sync", "pull", "staff"))
    print(
        f"  rep={rep}: {elapsed:.0f} s, {figures['requests_per_s']:.0f} requests/s, "
        f"stack CPU {figures['stack_cpu_ms_per_request']:.1f} ms/request "
        f"({figures['stack_cpu_share']:.0%} of the cores); "
        f"webhooks {w['per_s']:.0f}/s p50 {w['p50_ms']:.0f} ms p99 {w['p99_ms']:.0f} ms, "
        f"answers {w['answers']}, lost {w['lost']}, claimed twice {w['claimed_twice']}; "
        f"sync {s['items_applied']} items in {s['pages']} pages, {s['items_again']} "
        f"again, {s['runs_skipped_lease_held']} of {s['runs'] + s['runs_skipped_lease_held']} "
        f"runs skipped (lease held); pulls {p['succeeded']}/{p['requests']} "
        f"{p['results']}; staff edits {st['answered_200']}/{st['edits']} answered 200, "
        f"last edit kept for {st['persons_last_edit_kept']} persons, p50 "
        f"{st['p50_ms']:.0f} ms; problems {len(found.problems)} "
        f"(load avg before {load_before:.1f})",
        flush=True,
    )
    for problem in found.problems:
        print("    PROBLEM " + problem, flush=True)
    return figures


def _stack_pids(stack) -> list[int]:
    """The stack's processes: each leader and its children (gunicorn's
    workers); the solo Celery workers and beat have none."""
    pids = []
    for popen in stack.popens():
        pids.append(popen.pid)
        for task in Path(f"/proc/{popen.pid}/task").iterdir():
            pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in ticks
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    var = common.bench_var_dir("many")
    env = common.bench_env(
        common.database_url(DB),
        var,
        CELERY_BROKER_URL=common.REDIS_URL,
        LOG_LEVEL="INFO",  # the checks read the sync's page lines
        ALLOWED_HOSTS="127.0.0.1",
    )
    common.setup_django(env)  # before the load's modules import any model
    args = arguments()
    info = common.print_machine()
    common.migrated_template(TEMPLATE, var)
    import redis

    from tests.support.mixed_load import Load

    load = Load(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Load)})
    print(f"load: {load}")
    redis.Redis.from_url(common.REDIS_URL).flushdb()  # DB 14: ours only
    process, sandbox = common.start_sandbox(var / "sandbox")
    runs = []
    try:
        for rep in range(1, args.repeat + 1):
            runs.append(one_run(args, load, env, sandbox, rep))
    finally:
        process.stop()
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
        common.drop_database(TEMPLATE)
        redis.Redis.from_url(common.REDIS_URL).flushdb()
    report(runs)
    path = common.save_result(
        "many_processes",
        {"machine": info, "load": dataclasses.asdict(load), "runs": runs},
    )
    print(f"\nfigures saved to {path.relative_to(common.REPO)}")


def report(runs: list[dict]) -> None:
    def col(group: str, key: str) -> list[float]:
        return [r[group][key] for r in runs]

    print(
        "\nmany processes (median, min–max over repetitions): "
        f"webhooks {common.fmt_range(col('webhook', 'per_s'))}/s, "
        f"p50 {common.fmt_range(col('webhook', 'p50_ms'))} ms, "
        f"p99 {common.fmt_range(col('webhook', 'p99_ms'))} ms; stack CPU "
        f"{common.fmt_range([r['stack_cpu_ms_per_request'] for r in runs], 1)} "
        "ms/request; "
        f"lost {sum(col('webhook', 'lost'))}, claimed twice "
        f"{sum(col('webhook', 'claimed_twice'))}, feed items again "
        f"{sum(col('sync', 'items_again'))}; problems "
        f"{sum(len(r['problems']) for r in runs)}"
    )


if __name__ == "__main__":
    main()
