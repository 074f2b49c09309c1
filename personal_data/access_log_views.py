"""Администрирование → Журнал доступа к персональным данным: the access
log with filters (person, user, period) and its CSV export, for admins; and
"show the number" on a history row, for staff, recorded in that log."""

from __future__ import annotations

import csv
from itertools import chain

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pms.roles import Role, role_required
from reservations.guest_views import history_rows

from .access_log import Kind, access_csv_rows, access_list, record_access
from .forms import AccessFilterForm
from .models import PersonalDataAccess

PAGE_SIZE = 50


@role_required(Role.ADMIN)
def access_log_page(request: HttpRequest) -> HttpResponse:
    filters = AccessFilterForm(request.GET or None)
    wanted = filters.wanted()
    rows = access_list(wanted) if wanted else PersonalDataAccess.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "personal_data/access_log.html", context)


class _Echo:
    """A file-like object for csv.writer that hands each line back."""

    def write(self, value: str) -> str:
        return value


@role_required(Role.ADMIN)
def access_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, streamed. The export is itself a row of the
    log (who took a copy of it, with which filters). Invalid filters: 400,
    no file (and no export recorded)."""
    filters = AccessFilterForm(request.GET or None)
    wanted = filters.wanted()
    if wanted is None:
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filters.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    record_access(request, None, Kind.ACCESS_LOG_EXPORT, detail=wanted.describe())
    writer = csv.writer(_Echo())
    # The byte order mark lets Excel, which a data-protection officer will
    # open it in, read the file as UTF-8 (Cyrillic labels and usernames).
    lines = chain(["\ufeff"], (writer.writerow(row) for row in access_csv_rows(wanted)))
    name = f"personal-data-access-{timezone.localdate():%Y%m%d}.csv"
    return StreamingHttpResponse(
        lines,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@require_POST
@role_required(Role.FRONT_DESK)
def history_reveal(
    request: HttpRequest, person_id: int, change_id: int
) -> HttpResponse:
    """One history row again with its document number in full (htmx swaps
    it in). The history masks numbers for everyone; a clerk who needs the
    old one asks for it, and the access log keeps who did."""
    rows = history_rows(person_id, request.user, reveal=change_id)
    row = next((r for r in rows if r.change_id == change_id and r.revealed), None)
    if row is None:
        raise Http404
    # The row's ID, not its title: a title holds the series, and the log
    # must keep no value an erasure removes from the history.
    detail = f"history row {change_id}"
    record_access(request, person_id, Kind.DOCUMENT_NUMBER_REVEALED, detail=detail)
    return render(request, "personal_data/_history_row.html", {"row": row})
