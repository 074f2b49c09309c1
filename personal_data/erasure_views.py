"""The guest card's personal-data pages (admins): the erasure's
confirmation (GET asks for the reason, POST erases) and the export's
download. The same services as the API."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pms.roles import Role, role_required
from reservations.models import Person

from .access_log import Kind, record_access
from .erasure import AlreadyErased, ErasureRefused, person_erase
from .export import person_export
from .selectors import person_holds_personal_data, persons_with_open_stay


@role_required(Role.ADMIN)
def person_erase_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    refusal, status, erased = "", 200, False
    if request.method == "POST":
        try:
            person_erase(
                person_id=person_id,
                user=request.user,
                reason=request.POST.get("reason", ""),
            )
        except (ErasureRefused, ValueError) as exc:
            refusal = getattr(exc, "message", None) or str(exc)
            status = 409 if isinstance(exc, ErasureRefused) else 400
            erased = isinstance(exc, AlreadyErased)
        else:
            messages.success(
                request,
                _("The personal data of person ID %(id)s was erased.")
                % {"id": person_id},
            )
            return redirect("reservations:person", person_id)
    elif not person_holds_personal_data(person_id):
        refusal, erased = AlreadyErased().message, True
    elif persons_with_open_stay([person_id]):
        refusal = ErasureRefused().message
    if not erased:
        # The page names whom it erases (name, birth date): a read, logged
        # as the card's is. An erased profile shows nothing to name.
        record_access(request, person_id, Kind.ERASURE)
    context = {
        "person": person,
        "show_who": not erased,
        "refusal": refusal,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "personal_data/erase.html", context, status=status)


@role_required(Role.ADMIN)
def person_export_download(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        data = person_export(person_id=person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    record_access(request, person_id, "export")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = f"person-{person_id}-personal-data.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
