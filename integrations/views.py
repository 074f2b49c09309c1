"""Разное → Стыковки: every registered connector and its state."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pms.roles import Role, role_required

from .registry import connector_states, connectors


@role_required(Role.ADMIN)
def connector_list(request: HttpRequest) -> HttpResponse:
    items = connectors()
    states = connector_states(items)
    rows = [(c, states[c.slug]) for c in items]
    return render(request, "integrations/list.html", {"rows": rows})
