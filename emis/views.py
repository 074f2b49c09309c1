"""The guest card's EMIS dialog: the upload tab and the pull progress.

Every URL carries the person ID in its path, so no EMIS link and no job can
exist without one; an unknown person is a 404.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from legal_entities.models import LegalEntity
from pms.ids import id_or_404, parse_id
from pms.roles import Role, role_required
from reservations.models import (
    Person,
    Reservation,
)

from .conflicts import conflicts_resolve
from .deliveries.selectors import person_deliveries, with_last_delivery
from .deliveries.texts import guest_notice
from .errors import EmisError
from .field_labels import changed_field_labels, changed_fields_summary
from .job_fragments import (
    POLL_DELAY,
    job_is_final,
    pull_tone,
    reload_with_message,
    render_job,
)
from .models import EmisJob
from .pull import JOB_ENDED_MESSAGE, job_as_dict, job_cancel, job_enqueue_pull
from .pull_schedule import job_advance, pull_progress
from .scope import ScopeError
from .sync import sync_job_create
from .tasks import pull_person_send, sync_all
from .upload import (
    clerk_may_retry,
    clerk_message,
    error_http_status,
    integration_active,
    upload_link_create,
)


def _entity(value: str | None) -> LegalEntity:
    # Any legal entity: an inactive one is refused by the scope check (403).
    return get_object_or_404(LegalEntity, pk=id_or_404(value))


def _reservation_of(person: Person, value: str | None) -> Reservation | None:
    # Optional, but when given it must be one the person is a guest in.
    if not value:
        return None
    return get_object_or_404(Reservation, pk=id_or_404(value), stays__person=person)


@require_http_methods(["GET", "POST"])
@role_required(Role.FRONT_DESK)
@never_cache  # the one-time URL, and the pages in its tab, stay in no cache
def upload(request: HttpRequest, person_id: int) -> HttpResponse:
    """Posted by the dialog's form into a new tab (POST with CSRF, so a link
    on another site cannot open sessions): ask EMIS for a one-time session
    and go there. A GET (the tab's address reloaded, restored or pasted)
    opens nothing: a page whose button asks for a fresh link, never a dead
    end."""
    person = get_object_or_404(Person, pk=person_id)
    if request.method == "GET":
        return _upload_again(request, person)
    legal_entity = _entity(request.POST.get("legal_entity"))
    reservation = _reservation_of(person, request.POST.get("reservation"))
    retry_fields = {"legal_entity": legal_entity.pk, "reservation": reservation}
    try:
        link = upload_link_create(
            person=person,
            legal_entity=legal_entity,
            reservation=reservation,
            user=request.user,
        )
    except ScopeError as exc:
        return _upload_error(request, person, exc.code, exc.message, exc.http_status)
    except EmisError as exc:
        response = _upload_error(
            request,
            person,
            exc.code,
            clerk_message(exc),
            error_http_status(exc),
            retry=retry_fields if clerk_may_retry(exc) else None,
        )
        if exc.retry_after:
            response["Retry-After"] = str(int(exc.retry_after))
        return response
    return redirect(link.url)


def _upload_error(
    request: HttpRequest,
    person: Person,
    code: str,
    message: str,
    status: int,
    *,
    retry: dict | None = None,
) -> HttpResponse:
    """The new tab's plain error page; "Try again" (the same POST) only when
    trying again can help, otherwise the message sends the clerk to an admin."""
    context = {"code": code, "message": message, "person": person, "retry": retry}
    return render(request, "emis/upload_error.html", context, status=status)


def _upload_again(request: HttpRequest, person: Person) -> HttpResponse:
    # The EMIS link is single-use: this page only offers the dialog's own
    # POST again, for the legal entity and reservation the address names.
    context = {
        "person": person,
        "reservation": _reservation_of(person, request.GET.get("reservation")),
        "chosen": request.GET.get("legal_entity", ""),
    }
    return render(request, "emis/upload_again.html", context)


@require_GET
@role_required(Role.FRONT_DESK)
def dialog_actions(request: HttpRequest, person_id: int) -> HttpResponse:
    """The dialog's buttons for the legal entity just chosen: both enabled
    only with an active one, and the reservation sent along only under its
    own legal entity (naming it under another is refused by the upload)."""
    person = get_object_or_404(Person, pk=person_id)
    reservation = _reservation_of(person, request.GET.get("reservation"))
    chosen_id = parse_id(request.GET.get("legal_entity"))
    selected = (
        LegalEntity.objects.active()
        .filter(pk=chosen_id)
        .values_list("pk", flat=True)
        .first()
        if chosen_id is not None
        else None
    )
    context = {
        "person": person,
        "reservation": reservation,
        "selected_id": selected,
        "swap_status": True,  # the last answer was about another choice
    }
    return render(request, "emis/_guest_card_emis_actions.html", context)


def _pull_refused(
    request: HttpRequest, person: Person, code: str, message: str, status: int
) -> HttpResponse:
    context = {
        "code": code,
        "message": message,
        "retry": True,
        "pull_url": reverse("emis:pull", args=[person.pk]),
    }
    return render(request, "emis/jobs/pull_refused.html", context, status=status)


@require_POST
@role_required(Role.FRONT_DESK)
def pull_start(request: HttpRequest, person_id: int) -> HttpResponse:
    """Start "Получить данные документов": queue a pull job, answer its
    fragment (emis/job_fragments.py), which follows the job to its end."""
    person = get_object_or_404(Person, pk=person_id)
    refuse = partial(_pull_refused, request, person)
    try:
        legal_entity = _entity(request.POST.get("legal_entity"))
    except Http404:
        return refuse("bad_request", _("Choose a legal entity."), 400)
    if not integration_active():
        error = EmisError("not_configured")
        return refuse(error.code, error.message, error_http_status(error))
    try:
        job, new = job_enqueue_pull(
            person_id=person.pk, legal_entity_id=legal_entity.pk, user=request.user
        )
    except ScopeError as exc:  # inactive legal entity, or no stay with it
        return refuse(exc.code, exc.message, exc.http_status)
    except ValueError as exc:  # the service's message for staff
        return refuse("bad_request", str(exc), 400)
    if new:
        transaction.on_commit(partial(pull_person_send, job.pk))
    return _pull_fragment(request, job, status=202)


def _pull_job(person_id: int, job_id: int) -> EmisJob:
    return get_object_or_404(
        EmisJob, pk=job_id, person_id=person_id, kind=EmisJob.Kind.PULL
    )


@require_GET
@role_required(Role.FRONT_DESK)
def job_status(request: HttpRequest, person_id: int, job_id: int) -> HttpResponse:
    """The pull's fragment, asked for again by itself until the job is final.
    Without a broker this look works the job's attempt when one is due
    (emis/pull_schedule.py): a continuation of the POST that started it,
    run at most once per attempt and bounded by EMIS_REQUEST_BUDGET."""
    job = _pull_job(person_id, job_id)
    if job_advance(job_id=job.pk):
        job.refresh_from_db()
    return _pull_fragment(request, job)


@require_POST
@role_required(Role.FRONT_DESK)
def job_cancel_view(request: HttpRequest, person_id: int, job_id: int) -> HttpResponse:
    """ "Отменить" in the pull's fragment: the job ends, cancelled, and the
    answer is its final fragment; when the job had ended already (its own
    end came first, or a second click), a 409 like the API's, with the job's
    end and why nothing was cancelled."""
    job = _pull_job(person_id, job_id)
    cancelled = job_cancel(job_id=job.pk, user=request.user)
    job.refresh_from_db()
    if cancelled:
        return _pull_fragment(request, job)
    return _pull_fragment(request, job, status=409, notice=JOB_ENDED_MESSAGE)


def _pull_fragment(
    request: HttpRequest, job: EmisJob, status: int = 200, notice: str = ""
) -> HttpResponse:
    data = job_as_dict(job)
    changes = changed_fields_summary(data["changed_fields"])
    final = job_is_final(job)
    progress = None if final else pull_progress(job, poll_ms=POLL_DELAY[job.kind])
    response = render_job(
        request,
        job,
        poll_url=reverse("emis:job", args=[job.person_id, job.pk]),
        status=status,
        error=data["error"],
        changes=changes,
        conflict_labels=changed_field_labels(job.conflict_fields or []),
        pull_url=reverse("emis:pull", args=[job.person_id]),
        cancel_url=reverse("emis:job_cancel", args=[job.person_id, job.pk]),
        progress=progress,
        tone=pull_tone(job),
        poll_delay=progress.poll_ms if progress else None,
        notice=notice,
    )
    if job.result == EmisJob.Result.APPLIED:
        # The card draws itself again as stored, keeping what the clerk has
        # typed and not saved (reservations/guest.html): no reload.
        response["HX-Trigger"] = DATA_ARRIVED
    return response


# The events the guest card listens to for drawing itself again: with the
# "new data from EMIS" note, or without (the clerk's own decision).
DATA_ARRIVED = "emis-data-arrived"
CARD_CHANGED = "guest-card-changed"


@require_GET
@role_required(Role.FRONT_DESK)
def person_state(request: HttpRequest, person_id: int) -> HttpResponse:
    """Asked by the open card every few seconds and when it comes back into
    view, in one indexed read: 204 while the person's EMIS version is the
    card's ``?v=`` and the delivery log's newest row for the person is the
    card's ``?d=``. A new version: the event on which the card draws itself
    again (data arrived by webhook or sync meanwhile). A new delivery log row
    only: the poller drawn again in its place, with the new ``d`` and the
    notice of a refused delivery if it is one."""
    persons = with_last_delivery(Person.objects.only("emis_version"))
    person = get_object_or_404(persons, pk=person_id)
    held = "" if person.emis_version is None else str(person.emis_version)
    if request.GET.get("v", "") != held:
        # The card draws itself again, with a note that new data arrived.
        response = HttpResponse(status=200)
        response["HX-Trigger"] = DATA_ARRIVED
        return response
    newest = "" if person.last_delivery_id is None else str(person.last_delivery_id)
    if request.GET.get("d", "") == newest:
        return HttpResponse(status=204)
    found = person_deliveries(person=person)
    deliveries = {"last_id": found.last_id, "rejected": guest_notice(found.rejected)}
    context = {"person": person, "deliveries": deliveries}
    response = render(request, "emis/_guest_card_emis_flash.html", context)
    response["HX-Reswap"] = "outerHTML"
    return response


@require_POST
@role_required(Role.FRONT_DESK)
def conflicts_resolve_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """ "Взять из EMIS" / "Оставить" on the card's comparison (one field, or
    all). With htmx the card draws itself again, typing kept; without, back
    to the card."""
    person = get_object_or_404(Person, pk=person_id)
    try:
        conflicts_resolve(
            person_id=person.pk,
            keep=request.POST.get("keep", ""),
            field=request.POST.get("field") or None,
            seen=request.POST.get("seen"),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        # The card draws itself again (the decision shown, typing kept).
        response = HttpResponse(status=204)
        response["HX-Trigger"] = CARD_CHANGED
        return response
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("reservations:list")
    return redirect(target)


@require_POST
@role_required(Role.ADMIN)
def sync_now(request: HttpRequest) -> HttpResponse:
    """ "Синхронизировать сейчас" on the Стыковки page: the periodic sync, at
    once, as a job whose fragment the page shows until it ends (without
    htmx: back to the page with a message)."""
    job = sync_job_create(user=request.user)
    sync_all.delay_on_commit(job.pk)
    if not request.htmx:
        messages.success(request, _("The sync with EMIS has been started."))
        return redirect("integrations:list")
    return _sync_fragment(request, job, status=202)


@require_GET
@role_required(Role.ADMIN)
def sync_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(EmisJob, pk=job_id, kind=EmisJob.Kind.SYNC)
    return _sync_fragment(request, job)


def _sync_fragment(
    request: HttpRequest, job: EmisJob, status: int = 200
) -> HttpResponse:
    poll_url = reverse("emis:sync_job", args=[job.pk])
    tone = "busy"
    if job_is_final(job):
        tone = "error" if job.progress_failed else "ok"
    response = render_job(request, job, poll_url=poll_url, status=status, tone=tone)
    if job_is_final(job):
        # The page's status lines now hold the run's figures and each
        # failure's reason: show them.
        message = (
            _("The sync with EMIS has finished with errors: see the lines below.")
            if job.progress_failed
            else _("The sync with EMIS has finished.")
        )
        return reload_with_message(
            request,
            response,
            message,
            level=messages.WARNING if job.progress_failed else messages.SUCCESS,
        )
    return response
