"""A pull while EMIS answers nothing, with the embedded defaults (no broker):
how long each request of the guest card's dialog waits.

    .venv/bin/python bench/pull_slow_emis.py
    .venv/bin/python bench/pull_slow_emis.py --cancel

The real sandbox holds the guest's data but delays every answer by
``--latency-ms`` (30 s: longer than the read timeout, so every attempt
times out); the PMS runs with its default timeouts and retries, in this
process through Django's test Client as a front desk user, with tasks
in-process. The script behaves like the dialog's htmx: it posts
"Получить данные документов", then asks for the job's fragment again after
the delay the fragment names, until the fragment is final. It reports the
POST's time, the longest request, the number of requests and the time until
the job ended; with ``--cancel`` it presses "Отменить" as soon as the
fragment shows a failed attempt. Run from an older checkout it measures the
same click before the change (the POST then runs the whole job).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

DB = "bench_slow_emis"
PERSONS = "/api/v1/persons"
_JOB = re.compile(r'id="job-(\d+)"')
_NEXT = re.compile(r'hx-trigger="load delay:(\d+)ms"')
_STATUS = re.compile(r'data-job-status="([^"]+)"')


def fresh_pms(sandbox) -> tuple[int, int]:
    from legal_entities.models import LegalEntity
    from reservations.models import Person

    common.connect_emis(sandbox)
    le = LegalEntity.objects.create(
        name="ООО Бенчмарк", inn="7707083893", ogrn="1027700132195"
    )
    person = Person.objects.create(surname="Эрикссон")
    common.stay_all(le, [person])
    sandbox.reset()
    sandbox.save_persons_bulk(str(le.pk), [common.emis_person(person.pk)])
    return le.pk, person.pk


def timed(call) -> tuple[float, str]:
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response.content.decode()


def follow(client, person_id: int, le_id: int, cancel: bool) -> dict:
    """The dialog: post, then ask again after each fragment's delay."""
    began = time.perf_counter()
    post_s, page = timed(
        lambda: client.post(f"/emis/persons/{person_id}/pull/", {"legal_entity": le_id})
    )
    job_url = f"/emis/persons/{person_id}/jobs/{_JOB.search(page).group(1)}/"
    looks: list[float] = []
    cancel_s = None
    while (delay := _NEXT.search(page)) is not None:
        if cancel and 'data-emis-phase="waiting"' in page:
            cancel_s, page = timed(lambda: client.post(job_url + "cancel/"))
            break
        time.sleep(int(delay.group(1)) / 1000)
        seconds, page = timed(lambda: client.get(job_url))
        looks.append(seconds)
    return {
        "post_s": post_s,
        "looks": len(looks),
        "longest_look_s": max(looks, default=0.0),
        "cancel_s": cancel_s,
        "until_final_s": time.perf_counter() - began,
        "final_status": _STATUS.search(page).group(1),
    }


def main() -> None:
    parser = common.arg_parser(__doc__)
    parser.add_argument("--latency-ms", type=int, default=30000)
    parser.add_argument("--cancel", action="store_true")
    args = parser.parse_args()
    info, var = common.start("slow-emis", template=DB, db=DB)
    from django.conf import settings
    from django.test import Client

    from emis.models import EmisJob
    from pms.roles import Role
    from tests.factories import make_user

    assert settings.CELERY_TASK_ALWAYS_EAGER  # the embedded default
    process, sandbox = common.start_sandbox(var / "sandbox")
    try:
        le_id, person_id = fresh_pms(sandbox)
        sandbox.set_faults(latency_ms=args.latency_ms, paths=[PERSONS])
        client = Client()
        client.force_login(make_user(Role.FRONT_DESK))
        run = follow(client, person_id, le_id, args.cancel)
        job = EmisJob.objects.get()
        run["attempts"] = job.attempts
        run["emis_requests"] = sandbox.request_counts().get(PERSONS, 0)
    finally:
        process.stop()
        from django.db import connections

        connections.close_all()
        common.drop_database(DB)
    budget = getattr(settings, "EMIS_REQUEST_BUDGET", None)
    print(
        f"\nslow EMIS ({args.latency_ms} ms), request budget {budget} s: "
        f"POST {run['post_s']:.2f} s, {run['looks']} looks, longest "
        f"{run['longest_look_s']:.2f} s"
        + (f", cancel {run['cancel_s']:.2f} s" if run["cancel_s"] is not None else "")
        + f"; job {run['final_status']} after {run['attempts']} attempts "
        f"({run['emis_requests']} EMIS requests) in {run['until_final_s']:.1f} s"
    )
    name = "pull_slow_emis" + ("_cancel" if args.cancel else "")
    path = common.save_result(name, {"machine": info, "args": vars(args), "run": run})
    print(f"figures saved to {path.relative_to(common.REPO)}")


if __name__ == "__main__":
    main()
