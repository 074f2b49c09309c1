from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from .roles import Role, has_role


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands where its work is: the front desk (and admins) on the
    arrivals board, support in the Django admin."""
    if not has_role(request.user, Role.FRONT_DESK) and has_role(request.user, Role.SUPPORT):
        return redirect("admin:index")
    return redirect("reservations:board")


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page's ``<link rel=icon>``
    says (a feed reader, the login page before its CSS): the icon, not a 404
    logged on every page."""
    return redirect(static("img/favicon.svg"), permanent=True)
