"""The Django admin's pages that show guests' data leave access log rows,
as the product's own pages do (``access_log``): a list, one row per person
on the page shown (one INSERT); an object's page or its admin history, one
row for its person. A refused or redirected answer showed nobody: no row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .access_log import record_access, record_accesses
from .models import PersonalDataAccess

Kind = PersonalDataAccess.Kind


class LogsPersonReads:
    """For a ``ModelAdmin`` whose rows show a person's data. ``person_field``
    names the attribute holding the person's ID (``pk`` for persons)."""

    person_field = "person_id"

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = _context(response).get("cl")
        if changelist is not None:
            # Evaluates the page's queryset now; the template then reuses
            # its cached rows: no query more than the page makes anyway.
            shown = list(changelist.result_list)
            ids = [getattr(obj, self.person_field) for obj in shown]
            record_accesses(request, ids, Kind.ADMIN_LIST, detail=self._label())
        return response

    def change_view(
        self, request: HttpRequest, object_id, form_url="", extra_context=None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._record_page(request, response, "original")
        return response

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        # The admin's own history page titles the object by its name.
        response = super().history_view(request, object_id, extra_context)
        self._record_page(request, response, "object")
        return response

    def _record_page(self, request, response, key: str) -> None:
        obj = _context(response).get(key)
        if obj is not None:
            person_id = getattr(obj, self.person_field)
            record_access(request, person_id, Kind.ADMIN_PAGE, detail=self._label())

    def _label(self) -> str:
        return self.model._meta.label_lower


def _context(response: HttpResponse) -> dict:
    if isinstance(response, TemplateResponse) and response.status_code == 200:
        return response.context_data or {}
    return {}
