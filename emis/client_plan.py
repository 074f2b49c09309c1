"""How long one EMIS call may wait: its timeouts and attempts.

A call waits longest when every attempt times out on connect and then on
read, and the client waits as long as it ever does between attempts (the
back-off, or a ``Retry-After`` up to ``EMIS_RETRY_AFTER_CAP``). A call made
while serving a web request must fit that worst case into
``EMIS_REQUEST_BUDGET``: it makes fewer attempts, and when even one does
not fit, waits less for the answer. What the client does not retry in the
request, the caller schedules (a pull job's next attempt).

The read timeout bounds each wait for data, as ``requests`` applies it; a
server that trickles a body byte by byte could stretch a read, which EMIS
(and the sandbox's latency fault) does not do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class CallPlan:
    connect_timeout: float
    read_timeout: float
    max_attempts: int

    def worst_case(self) -> float:
        """Seconds the call can wait on EMIS, all attempts and waits counted."""
        per_attempt = self.connect_timeout + self.read_timeout
        gaps = sum(_longest_wait(n) for n in range(1, self.max_attempts))
        return self.max_attempts * per_attempt + gaps


def _longest_wait(attempt: int) -> float:
    """The longest the client sleeps after failed attempt ``attempt``
    (``emis.client_errors.retry_delay``)."""
    backoff = settings.EMIS_RETRY_BACKOFF
    step = backoff[min(attempt - 1, len(backoff) - 1)] if backoff else 0.0
    return max(step, settings.EMIS_RETRY_AFTER_CAP)


def call_plan(
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    budget: float | None = None,
) -> CallPlan:
    """The settings' plan (or the given timeouts), fitted into ``budget``
    seconds when one is given."""
    plan = CallPlan(
        connect_timeout=connect_timeout or settings.EMIS_CONNECT_TIMEOUT,
        read_timeout=read_timeout or settings.EMIS_READ_TIMEOUT,
        max_attempts=max(1, settings.EMIS_MAX_ATTEMPTS),
    )
    return plan if budget is None else fit(plan, budget)


def fit(plan: CallPlan, budget: float) -> CallPlan:
    """As many attempts as fit; one attempt with shorter timeouts if even
    one does not (connect keeps at most half the budget)."""
    while plan.max_attempts > 1 and plan.worst_case() > budget:
        plan = replace(plan, max_attempts=plan.max_attempts - 1)
    if plan.worst_case() <= budget:
        return plan
    connect = min(plan.connect_timeout, budget / 2)
    return CallPlan(
        connect_timeout=connect, read_timeout=budget - connect, max_attempts=1
    )
