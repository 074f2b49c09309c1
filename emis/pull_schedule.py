"""Pull jobs without a broker (the embedded default), and how far a job is.

Without a broker there is no worker to sleep between attempts, and a web
request must not: the schedule lives in the job row (``next_attempt_at``)
and a look at the job — the dialog's fragment, which asks for itself while
the job runs, or an API client's ``GET /api/v1/emis/jobs/{id}/`` — works
the attempt that is due, one attempt per request, within
``EMIS_REQUEST_BUDGET``. Chosen over a runner thread in the web process: a
thread's timers are state in one process's memory, lost with it and blind
to the other processes; a row is seen by every process, and the claim by
update (emis/pull.py) lets only one of two lookers run an attempt. The
price: a job nobody looks at waits, due, until someone does (the open
dialog always does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from emis.models import EmisJob
from emis.pull import MAX_ATTEMPTS, embedded, job_run_pull


def job_advance(*, job_id: int) -> bool:
    """Embedded mode: work the pull job's next attempt if it is due. True
    when an attempt was made. With a worker, nothing: the worker works it."""
    if not embedded():
        return False
    return job_run_pull(job_id=job_id, due_only=True).worked


@dataclass(frozen=True)
class PullProgress:
    """What the dialog says about a pull that is not final.

    ``phase``: ``asking`` (an attempt runs, or runs at the next look),
    ``queued`` (waits for a worker) or ``waiting`` (attempt ``attempt``
    failed; the next at ``next_at``, in ``next_in`` s). ``poll_ms``: when
    the fragment should ask again."""

    phase: str
    attempt: int
    max_attempts: int
    poll_ms: int
    next_at: datetime | None = None
    next_in: int | None = None


def pull_progress(job: EmisJob, *, poll_ms: int) -> PullProgress:
    total = MAX_ATTEMPTS
    if job.status == EmisJob.Status.RUNNING:
        return PullProgress("asking", job.attempts, total, poll_ms)
    due = job.next_attempt_at
    wait = (due - timezone.now()).total_seconds() if due else 0.0
    wait_ms = max(0, math.ceil(wait * 1000))
    if job.attempts and wait_ms > poll_ms:
        return PullProgress(
            "waiting",
            job.attempts,
            total,
            poll_ms,
            next_at=due,
            next_in=math.ceil(wait),
        )
    if not embedded():
        return PullProgress("queued", job.attempts + 1, total, poll_ms)
    # Due before the next look, which works it: say so now, and look when
    # it is due, so the dialog shows the attempt while the request runs it.
    return PullProgress("asking", job.attempts + 1, total, min(poll_ms, wait_ms))
