""""Получить данные всех гостей" on the arrivals board: one pull job per
guest of a reservation, each guest's progress live in its row.

The jobs are the guest card's pulls (``emis/pull.py``, sent on commit as
``emis/views.py`` does), under the reservation's legal entity. The answer
places each job's fragment (``emis/jobs/pull.html``) in its guest's row out
of band; the fragment asks this module for itself until the job ends, then
sends the guest's citizenship, document state and deadline afresh, so the row
shows what the pull brought without a reload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial, wraps

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from pms.roles import Role, role_required
from reservations.board import board_guest_of
from reservations.board_day import BadDay, board_day
from reservations.board_views import board_url
from reservations.deadlines import hotel_today
from reservations.models import Reservation, Stay

from .errors import EmisError
from .field_labels import changed_field_labels, changed_fields_summary
from .job_fragments import POLL_DELAY, job_context, job_is_final, pull_tone
from .models import EmisJob
from .pull import job_as_dict, job_enqueue_pull
from .pull_schedule import job_advance, pull_progress
from .tasks import pull_person_send
from .upload import integration_active


@dataclass
class _GuestPull:
    stay: Stay
    job: EmisJob | None = None
    error: str = ""


def _with_day(view):
    """The view gets the board's day the request came from (``board_day``:
    today when none); a bad day is refused before anything is queued or
    looked at, as the board and the arrivals API refuse it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        text = request.POST.get("date") or request.GET.get("date")
        try:
            day = board_day(text)
        except BadDay as bad:
            return _refused(request, hotel_today(), bad.message, status=400)
        return view(request, *args, day=day, **kwargs)

    return wrapper


def _enqueue(stay: Stay, legal_entity_id: int, user) -> _GuestPull:
    try:
        job, new = job_enqueue_pull(
            person_id=stay.person_id, legal_entity_id=legal_entity_id, user=user
        )
    except ValueError as exc:  # ScopeError too: inactive legal entity...
        return _GuestPull(stay, error=str(exc))
    if new:
        transaction.on_commit(partial(pull_person_send, job.pk))
    return _GuestPull(stay, job=job)


@require_POST
@role_required(Role.FRONT_DESK)
@_with_day
def reservation_pull(
    request: HttpRequest, reservation_id: int, *, day: dt.date
) -> HttpResponse:
    """Queue a pull for every guest of the reservation, under its legal entity."""
    reservation = get_object_or_404(Reservation, pk=reservation_id)
    if not integration_active():
        return _refused(request, day, EmisError("not_configured").message)
    stays = list(reservation.stays.order_by("id"))
    pulls = [_enqueue(s, reservation.legal_entity_id, request.user) for s in stays]
    started = sum(1 for p in pulls if p.job)
    text = ngettext(
        "Data requested for %(started)s of %(total)s guest.",
        "Data requested for %(started)s of %(total)s guests.",
        len(pulls),
    ) % {"started": started, "total": len(pulls)}
    if not request.htmx:
        messages.info(request, text)
        return redirect(board_url(day))
    for pull in pulls:
        if pull.job:
            pull.job.refresh_from_db()  # in-process Celery may have run it
    parts = [_render_parts(request, _pull_context(request, p, day)) for p in pulls]
    context = {"text": text, "parts": parts}
    return render(request, "emis/board/pull_all.html", context, status=202)


def _render_parts(request: HttpRequest, context: dict) -> tuple[int, str, str]:
    """(stay id, the job's fragment, the row's parts out of band): side by
    side, never nested, for the answer that places them all."""
    return (
        context["stay"].pk,
        render_to_string("emis/board/_job.html", context, request),
        render_to_string("emis/board/_row_oob.html", context, request),
    )


def _refused(
    request: HttpRequest, day: dt.date, message: str, *, status: int = 409
) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return redirect(board_url(day))
    return HttpResponse(message, status=status, content_type="text/plain")


@require_POST
@role_required(Role.FRONT_DESK)
@_with_day
def guest_pull(request: HttpRequest, stay_id: int, *, day: dt.date) -> HttpResponse:
    """"Try again" for one guest of the board."""
    stay = get_object_or_404(Stay.objects.select_related("reservation"), pk=stay_id)
    if not integration_active():
        return _refused(request, day, EmisError("not_configured").message)
    pull = _enqueue(stay, stay.reservation.legal_entity_id, request.user)
    if not request.htmx:
        return redirect(board_url(day))
    if pull.job:
        pull.job.refresh_from_db()
    context = _pull_context(request, pull, day)
    return render(request, "emis/board/pull_guest.html", context, status=202)


@require_GET
@role_required(Role.FRONT_DESK)
@_with_day
def guest_job(
    request: HttpRequest, stay_id: int, job_id: int, *, day: dt.date
) -> HttpResponse:
    """One guest's pull on the board, asked for again until it ends."""
    stay = get_object_or_404(Stay, pk=stay_id)
    job = get_object_or_404(
        EmisJob, pk=job_id, person_id=stay.person_id, kind=EmisJob.Kind.PULL
    )
    # Without a broker this look works the job's due attempt, as the
    # dialog's does (emis/pull_schedule.py).
    if job_advance(job_id=job.pk):
        job.refresh_from_db()
    context = _pull_context(request, _GuestPull(stay, job=job), day)
    return render(request, "emis/board/pull_guest.html", context)


def _pull_context(request: HttpRequest, pull: _GuestPull, day: dt.date) -> dict:
    query = f"?date={day.isoformat()}"
    context = {
        "stay": pull.stay,
        "refusal": pull.error,
        "retry_url": reverse("emis:board_guest_pull", args=[pull.stay.pk]) + query,
    }
    job = pull.job
    if job is None:
        return context
    data = job_as_dict(job)
    poll = reverse("emis:board_guest_job", args=[pull.stay.pk, job.pk]) + query
    # The attempt "n of total" the fragment names, as in the guest card's
    # dialog (emis/views.py): without it the row read "Попытка из :".
    final = job_is_final(job)
    progress = None if final else pull_progress(job, poll_ms=POLL_DELAY[job.kind])
    context.update(
        job_context(
            job,
            poll_url=poll,
            error=data["error"],
            changes=changed_fields_summary(data["changed_fields"]),
            conflict_labels=changed_field_labels(job.conflict_fields or []),
            # The fragment's "Try again" retries this guest here.
            pull_url=context["retry_url"],
            retry_target="closest .board-pull",
            tone=pull_tone(job),
            progress=progress,
            cancel_url=reverse("emis:job_cancel", args=[job.person_id, job.pk]),
        )
    )
    if progress:
        context["poll_delay"] = progress.poll_ms
    if final:
        # The row's citizenship, documents and deadline as they are now.
        context["guest"] = board_guest_of(pull.stay.pk, day=day)
    return context


