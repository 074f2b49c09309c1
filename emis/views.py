"""The guest card's EMIS dialog: the upload tab and the pull progress.

Every URL carries the person ID in its path, so no EMIS link and no job can
exist without one; an unknown person is a 404.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from legal_entities.models import LegalEntity
from pms.roles import Role, role_required
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    Reservation,
    Visa,
)

from .errors import EmisError
from .models import EmisJob
from .pull import job_as_dict, job_enqueue_pull
from .scope import ScopeError
from .tasks import pull_person_send, sync_all
from .upload import (
    clerk_may_retry,
    clerk_message,
    error_http_status,
    integration_active,
    upload_link_create,
)


def _int_or_404(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


def _entity(value: str | None) -> LegalEntity:
    # Any legal entity: an inactive one is refused by the scope check (403).
    return get_object_or_404(LegalEntity, pk=_int_or_404(value))


def _reservation_of(person: Person, value: str | None) -> Reservation | None:
    # Optional, but when given it must be one the person is a guest in.
    if not value:
        return None
    return get_object_or_404(Reservation, pk=_int_or_404(value), stays__person=person)


@require_POST
@role_required(Role.FRONT_DESK)
def upload(request: HttpRequest, person_id: int) -> HttpResponse:
    """Posted by the dialog's form into a new tab (POST with CSRF, so a link
    on another site cannot open sessions): ask EMIS for a one-time session
    and go there."""
    person = get_object_or_404(Person, pk=person_id)
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
    response = redirect(link.url)
    # The one-time URL must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


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
    response = render(request, "emis/upload_error.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _error_json(error: EmisError) -> JsonResponse:
    return JsonResponse({"error": error.as_dict()}, status=error_http_status(error))


@require_POST
@role_required(Role.FRONT_DESK)
def pull_start(request: HttpRequest, person_id: int) -> JsonResponse:
    """Start "Получить данные документов": queue a pull job, answer its state."""
    person = get_object_or_404(Person, pk=person_id)
    try:
        legal_entity = _entity(request.POST.get("legal_entity"))
    except Http404:
        return JsonResponse(
            {"error": {"code": "bad_request", "message": _("Choose a legal entity.")}},
            status=400,
        )
    if not integration_active():
        return _error_json(EmisError("not_configured"))
    try:
        job = job_enqueue_pull(
            person_id=person.pk, legal_entity_id=legal_entity.pk, user=request.user
        )
    except ScopeError as exc:  # inactive legal entity, or no stay with it
        return JsonResponse({"error": exc.as_dict()}, status=exc.http_status)
    except ValueError as exc:  # the service's message for staff
        return JsonResponse(
            {"error": {"code": "bad_request", "message": str(exc)}}, status=400
        )
    transaction.on_commit(partial(pull_person_send, job.pk))
    # In-process (eager) Celery may have finished the job already.
    job.refresh_from_db()
    return JsonResponse(_job_payload(job), status=202)


@require_GET
@role_required(Role.FRONT_DESK)
def job_status(request: HttpRequest, person_id: int, job_id: int) -> JsonResponse:
    """Polled by the dialog every ~700 ms until the job is final."""
    job = get_object_or_404(EmisJob, pk=job_id, person_id=person_id)
    return JsonResponse(_job_payload(job))


@require_GET
@role_required(Role.FRONT_DESK)
def person_state(request: HttpRequest, person_id: int) -> JsonResponse:
    """The EMIS version the PMS holds: the card compares it with the one it
    was rendered with to notice data that arrived by webhook meanwhile."""
    person = get_object_or_404(Person.objects.only("emis_version"), pk=person_id)
    return JsonResponse({"emis_version": person.emis_version})


def _job_payload(job: EmisJob) -> dict:
    data = job_as_dict(job)
    data["changed_labels"] = changed_field_labels(data.get("changed_fields") or [])
    data["final"] = data.get("status") in (
        EmisJob.Status.SUCCEEDED,
        EmisJob.Status.FAILED,
    )
    return data


# Collections of a person's EMIS data as they appear in changed-field paths
# such as "documents[passport_rf 4510 123456].expiry_date".
_COLLECTIONS = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # an unknown path part: show it as it came
        return name


def _label(path: str) -> str:
    head, _dot, attr = path.partition(".")
    base = head.partition("[")[0]
    model = _COLLECTIONS.get(base)
    if model is None:
        return _field_label(Person, base)
    what = str(model._meta.verbose_name)
    # The bracketed key holds the document number: never shown here.
    return f"{what}: {_field_label(model, attr)}" if attr else what


def changed_field_labels(paths: list[str]) -> list[str]:
    """Human names of changed fields, in order, each once."""
    labels: list[str] = []
    for path in paths:
        label = _label(str(path))
        if label not in labels:
            labels.append(label)
    return labels


@require_POST
@role_required(Role.ADMIN)
def sync_now(request: HttpRequest) -> HttpResponse:
    """"Синхронизировать сейчас" on the Стыковки page: the periodic sync, at once."""
    sync_all.delay_on_commit()
    messages.success(request, _("The sync with EMIS has been started."))
    return redirect("integrations:list")
