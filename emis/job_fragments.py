"""The one pattern for every job a user waits on: a pull, a name-policy
re-apply, a sync.

The page holds a server-rendered fragment of the job (``emis/jobs/<kind>.html``
on ``emis/jobs/_job.html``). While the job is not final the fragment asks for
itself again after a moment (htmx ``hx-trigger="load delay:…"``, swapped in
place), so the messages live in templates and their translations and no page
keeps a poller of its own. A job that ends by changing what the page shows
(new passport data, a finished sync) leaves its message for the next page and
reloads it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .models import EmisJob

# How long (ms) a fragment waits before asking again: a clerk waits on a
# pull at the desk, an admin on a re-apply or a sync of every legal entity.
POLL_DELAY = {
    EmisJob.Kind.PULL: 700,
    EmisJob.Kind.REAPPLY_NAMES: 1000,
    EmisJob.Kind.SYNC: 2000,
}
FINAL = (EmisJob.Status.SUCCEEDED, EmisJob.Status.FAILED, EmisJob.Status.CANCELLED)


def job_is_final(job: EmisJob) -> bool:
    return job.status in FINAL


def job_context(job: EmisJob, *, poll_url: str, **extra) -> dict:
    """What ``emis/jobs/<kind>.html`` needs, for a page that includes it
    (``poll_delay`` in ``extra`` asks sooner or later than the kind's)."""
    return {
        "job": job,
        "final": job_is_final(job),
        "poll_url": poll_url,
        "poll_delay": POLL_DELAY[EmisJob.Kind(job.kind)],
        **extra,
    }


def render_job(
    request: HttpRequest, job: EmisJob, *, poll_url: str, status: int = 200, **extra
) -> HttpResponse:
    """The job's fragment; asks for ``poll_url`` again until the job is final."""
    context = job_context(job, poll_url=poll_url, **extra)
    return render(request, f"emis/jobs/{job.kind}.html", context, status=status)


def pull_tone(job: EmisJob) -> str:
    """The colour of the pull's status box."""
    if not job_is_final(job):
        return "busy"
    if job.status == EmisJob.Status.FAILED:
        return "error"
    return "ok" if job.result == EmisJob.Result.APPLIED else "info"


def reload_with_message(
    request: HttpRequest,
    response: HttpResponse,
    message: str,
    *,
    drop: str = "",
    level: int = messages.SUCCESS,
) -> HttpResponse:
    """Tell htmx to load the page again, the message shown at its top.

    Only for htmx requests: a plain client reading the fragment gets no
    message queued in its session. ``drop`` names a query parameter to leave
    out (the guest card's ``emis=1``, which would reopen the dialog)."""
    if not getattr(request, "htmx", False):
        return response
    messages.add_message(request, level, message)
    target = _same_site(request, request.htmx.current_url or "", drop)
    if target:
        response["HX-Redirect"] = target
    else:
        response["HX-Refresh"] = "true"
    return response


def _same_site(request: HttpRequest, url: str, drop: str) -> str:
    # The browser names its own page in HX-Current-URL; anything else than
    # this site's own page (a forged header) gets a plain refresh instead.
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != drop])
    return urlunsplit(("", "", parts.path, query, ""))
