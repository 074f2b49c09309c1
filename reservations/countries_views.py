"""The name beside a country input (``forms.CountryInput``): what a typed or
picked code means, as the page's language says it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pms.roles import Role, role_required

from .countries import COUNTRY_CODES, code_for_text, country_name


@require_GET
@role_required(Role.FRONT_DESK)
def country_name_view(request: HttpRequest) -> HttpResponse:
    # htmx sends the input's value under the input's own name (its form
    # prefix varies): the one parameter is the text.
    text = next(iter(request.GET.values()), "").strip()
    if not text:
        return HttpResponse("")
    code = code_for_text(text, COUNTRY_CODES)
    shown = country_name(code) if code else _("unknown country")
    return HttpResponse(escape(shown), content_type="text/html; charset=utf-8")
