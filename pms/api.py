"""Shared REST API pieces: the error shape and the role permissions."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, permissions, serializers
from rest_framework.fields import get_error_detail
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .roles import Role, has_role

# Machine clients authenticate with a token; naming it in WWW-Authenticate is
# what makes an anonymous request a 401 (RFC 9110) instead of DRF's 403.
AUTH_CHALLENGE = "Token"


def exception_handler(exc, context):
    """DRF's handler; validation errors keep DRF's per-field shape
    (``{"field": ["message"]}``), everything else gets ``{"detail"}``.

    Three additions: a model ``full_clean`` error raised inside a service
    becomes a per-field 400 like a serializer error, an anonymous request is
    answered 401 with a challenge whatever authentication class comes first,
    and ``Moved`` points at the resource's new URL.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_error_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Moved):
        response["Location"] = exc.location
    if response is not None and isinstance(
        exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed
    ):
        response.status_code = 401
        # A view's own authenticator (the EMIS webhook's) may have named its
        # scheme already.
        response.setdefault("WWW-Authenticate", AUTH_CHALLENGE)
    return response


def validated(serializer: serializers.Serializer) -> dict:
    """What ``serializer`` was given, validated: a 400 naming each bad field
    otherwise (``exception_handler``'s per-field shape)."""
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class Conflict(exceptions.APIException):
    """409: the request is understood but the resource's state refuses it
    (``{"detail": <why>, "code": <machine code>}``)."""

    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"

    def __init__(self, detail: str, code: str):
        super().__init__({"detail": detail, "code": code})


class Moved(exceptions.APIException):
    """The resource lives at ``location`` now: 301 for GET and HEAD, 308
    (same method, same body) for the others."""

    default_detail = "Moved permanently."
    default_code = "moved"

    def __init__(self, *, location: str, method: str, detail: dict):
        super().__init__()
        self.detail = detail  # as given: an ID in it stays a number
        self.location = location
        self.status_code = 301 if method in ("GET", "HEAD") else 308


def _django_error_detail(exc: DjangoValidationError):
    detail = get_error_detail(exc)
    if not isinstance(detail, dict):
        return detail
    # A service names a nested field by its path ("documents.0.expiry_date"):
    # shown nested, as a nested serializer would.
    nested: dict = {}
    for key, errors in detail.items():
        *parents, name = key.split(".")
        if name == NON_FIELD_ERRORS:
            name = api_settings.NON_FIELD_ERRORS_KEY
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[name] = errors
    return nested


class PreconditionFailed(exceptions.APIException):
    """412: the resource changed since the client read it (``If-Match``).
    The view adds the current ``ETag`` so the client can read and retry."""

    status_code = 412
    default_detail = _(
        "This resource changed since you read it. Read it again (its current "
        "ETag is in this answer) and send your change with the new one."
    )
    default_code = "precondition_failed"


class ReadFrontDeskWriteAdmin(permissions.BasePermission):
    """Front desk may read (a reservation must pick a legal entity); only the
    admin role may change, as in the UI."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return has_role(request.user, Role.FRONT_DESK)
        return has_role(request.user, Role.ADMIN)


# --- Django's own error answers under /api/ ------------------------------------
# A path the URL resolver does not match (``/api/v1/persons/abc/``), an
# unexpected exception, a bad Host: Django answers these before or outside
# DRF. Under /api/ they get the API's JSON shape (no traceback, no HTML);
# elsewhere Django's pages. Exceptions are still logged and reported as usual.


def _api_or_page(status: int, detail: str, page):
    def handler(request, *args, **kwargs):
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": str(detail)}, status=status)
        return page(request, *args, **kwargs)

    return handler


API_PREFIX = "/api/"
handler400 = _api_or_page(400, _("Bad request."), defaults.bad_request)
handler403 = _api_or_page(
    403, exceptions.PermissionDenied.default_detail, defaults.permission_denied
)
handler404 = _api_or_page(
    404, exceptions.NotFound.default_detail, defaults.page_not_found
)
handler500 = _api_or_page(
    500, exceptions.APIException.default_detail, defaults.server_error
)


@csrf_exempt  # no session state changes here; a POST just hears where to go
def not_an_api_path(request, *args, **kwargs):
    """The last pattern under /api/: what no other matches. A path that
    only lacks its final slash is a 308 to the slashed URL (same method,
    same body: Django's APPEND_SLASH would be a 301 that turns a POST into
    a GET, or under DEBUG a 500); anything else is a JSON 404. Answered here
    and not by ``handler404``, because under DEBUG the resolver's 404 is
    Django's HTML debug page."""
    slashed = f"{request.path_info}/"
    if not request.path_info.endswith("/") and _is_a_view(slashed):
        query = request.META.get("QUERY_STRING", "")
        response = JsonResponse({"detail": str(_("Moved permanently."))}, status=308)
        response["Location"] = f"{request.path}/" + (f"?{query}" if query else "")
        return response
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


def _is_a_view(path: str) -> bool:
    try:
        return resolve(path).func is not not_an_api_path
    except Resolver404:
        return False


class JsonErrors:
    """For a DRF view that renders something else (the OpenAPI document's
    YAML, the Swagger page's HTML): its errors (a 401 without a login) are
    the API's JSON, as everywhere under /api/."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
