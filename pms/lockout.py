"""Login lockouts (django-axes): the backend, the client address, the answer.

Axes counts failed logins per username and per address in its
``AccessAttempt`` table (limits: ``AXES_*`` in settings). This module is what
we plug into it: which requests are checked, which address a request comes
from, and what a locked-out client is told — a page, or the API's JSON error.
"""

from __future__ import annotations

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework import exceptions

LOCKOUT_STATUS = 429


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, which refuses a locked-out client before any password check.

    Every login form and the token endpoint pass the request, so they are
    counted and refused. ``authenticate()`` without a request comes from code,
    not from a client (the test client's ``login()``, a shell); axes would
    raise there, we leave it to the password check.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The address lockouts count by (``AXES_CLIENT_IP_CALLABLE``).

    Behind the hotel's proxy (PMS_BEHIND_PROXY) it is the right-most
    X-Forwarded-For entry, the one the proxy appended: entries left of it come
    from the client and can be forged. Otherwise REMOTE_ADDR. Never a string
    that is not an address, which the database would refuse.
    """
    address = request.META.get("REMOTE_ADDR")
    if settings.PMS_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _valid_ip(forwarded.rsplit(",", 1)[-1]) or address
    return _valid_ip(address)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def cool_off_seconds(request: HttpRequest | None = None) -> int:
    return int(get_cool_off(request).total_seconds())


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = math.ceil(cool_off_seconds(request) / 60)
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute "
        "or ask your administrator.",
        "Too many failed login attempts. Try again in %(minutes)d minutes "
        "or ask your administrator.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """What axes answers a locked-out login (``AXES_LOCKOUT_CALLABLE``): the
    API's ``{"detail"}`` error under /api/, the lockout page elsewhere."""
    message = lockout_message(request)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=LOCKOUT_STATUS)
    else:
        context = {"message": message}
        template = "registration/lockout.html"
        response = render(request, template, context, status=LOCKOUT_STATUS)
    response["Retry-After"] = str(cool_off_seconds(request))
    return response


class LockedOut(exceptions.APIException):
    """429 from a DRF view whose login axes refused. DRF wraps the request,
    so axes' flag never reaches its middleware: the view raises this."""

    status_code = LOCKOUT_STATUS
    default_code = "locked_out"

    def __init__(self, request: HttpRequest):
        super().__init__(lockout_message(request))
        self.wait = cool_off_seconds(request)  # DRF's handler sends Retry-After
