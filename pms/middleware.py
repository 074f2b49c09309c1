"""Request-wide rules: login, language, security headers and session lifetime."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlencode, urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render, resolve_url
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.log import log_response


class LoginRequiredEverywhereMiddleware(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required``.

    The REST API is left to DRF, which authenticates by session *or* token and
    answers 401/403 instead of redirecting a machine client to a login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            return _session_ended(request)
        return super().handle_no_permission(request, view_func)


def _session_ended(request) -> HttpResponse:
    """An htmx request after the session ended (idle logout, say): never a
    redirect that would swap the login page into a fragment or leave the
    page, losing what was typed. A notice at the top of the page instead,
    whose link logs in in a new tab and comes back to this page."""
    page = urlsplit(request.htmx.current_url or "")
    here = page.path if url_has_allowed_host_and_scheme(
        request.htmx.current_url or "", allowed_hosts={request.get_host()}
    ) else "/"
    login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': here})}"
    response = render(request, "_session_ended.html", {"login_url": login}, status=401)
    response["HX-Retarget"] = "#session-notice"
    response["HX-Reswap"] = "innerHTML"
    return response


class PmsLocaleMiddleware(LocaleMiddleware):
    """Russian unless the user picked English with the switcher.

    Pages ignore the browser's Accept-Language: a front desk's browser may be
    set to English while the hotel works in Russian, and staff expect the
    product's Russian labels until they switch. API clients may still ask for
    English error messages with Accept-Language.
    """

    def process_request(self, request):
        languages = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in languages and request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        if language not in languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# --- Content-Security-Policy -------------------------------------------------------

# A host as it may stand in a CSP source: a DNS name or a bracketed IPv6
# address. Anything else (spaces, ";", quotes) could rewrite the policy.
_CSP_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$")


# Callables that return the URLs a logged-in page's forms may post to (or be
# redirected to) besides our own: apps add theirs from AppConfig.ready(), so
# this module imports no app (the EMIS app adds the EMIS address).
FormActionSource = Callable[[], Iterable[str]]
_form_action_sources: list[FormActionSource] = []


def add_form_action_source(source: FormActionSource) -> None:
    """Add a source of ``form-action`` URLs (idempotent). It runs on every
    logged-in page, so it should be one cheap query at most."""
    if source not in _form_action_sources:
        _form_action_sources.append(source)


def form_origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an address, or None if it has none that is
    safe to put in a header (no credentials, path or odd characters)."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:  # a port out of range or a malformed IPv6 address
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if not _CSP_HOST.match(host):
        return None
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def _form_action_origins() -> list[str]:
    origins = (form_origin(url) for source in _form_action_sources for url in source())
    return [origin for origin in origins if origin]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (``CONTENT_SECURITY_POLICY``) plus the registered
    origins in ``form-action`` on logged-in pages.

    The guest card's "upload new documents" form posts to our own URL, which
    redirects to EMIS; Chrome checks form-action on that redirect too. The
    sources are asked per page (the EMIS address: one indexed row), so a
    changed EMIS address applies at once, without a restart.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or not _is_logged_in_page(request, response):
            return parts
        origins = _form_action_origins()
        if origins:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            parts.update = update
        return parts


def _is_logged_in_page(request, response) -> bool:
    # A 204 (an open card's "nothing new" every 3 s) has no form to post:
    # no read of the EMIS address for it.
    if response.status_code == 204:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


# --- HTTP methods ------------------------------------------------------------------

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class AllowedMethodsMiddleware:
    """TRACE, CONNECT and invented methods are answered 405 before any view.

    Function views rarely limit their methods, and a TRACE echoed by a view
    that treats everything as GET is a needless surface (ASVS 14.5.1).
    Under /api/ the answer is the API's JSON, translated, and ``Allow``
    names the methods the path's view takes (when its class says; a
    function view's are not known, so none are named).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ALLOWED_METHODS:
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        from rest_framework.exceptions import MethodNotAllowed  # reads settings

        # The language middleware has not run yet: the API's own choice.
        PmsLocaleMiddleware(self.get_response).process_request(request)
        detail = MethodNotAllowed(request.method).detail
        response = JsonResponse({"detail": str(detail)}, status=405)
        methods = _view_methods(request.path_info)
        if methods:
            response["Allow"] = ", ".join(methods)
        return response


def _view_methods(path: str) -> list[str]:
    try:
        view = resolve(path).func
    except Resolver404:
        return []
    actions = getattr(view, "actions", None)  # a DRF viewset's route
    if actions:
        methods = {method.upper() for method in actions} | {"OPTIONS"}
        return sorted(methods | ({"HEAD"} if "GET" in methods else set()))
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is None:
        return []
    names = [m for m in view_class.http_method_names if hasattr(view_class, m)]
    if "get" in names and "head" not in names:
        names.append("head")
    return sorted(m.upper() for m in names if m.upper() in ALLOWED_METHODS)


# --- Errors under /api/ with DEBUG on --------------------------------------------


class ApiDebugErrorsMiddleware:
    """With DEBUG on (scripts/run.sh) Django answers an exception a view
    raises with its HTML debug page, even under /api/, where a client reads
    JSON. There the answer is the API's JSON error, as with DEBUG off
    (``pms.api.handler*``); the exception is still logged and signalled as
    Django does. With DEBUG off this does nothing: Django calls the handlers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (settings.DEBUG and request.path_info.startswith("/api/")):
            return None
        from . import api  # pms.api imports DRF, which reads the settings

        if isinstance(exception, Http404):
            return api.handler404(request, exception)
        if isinstance(exception, PermissionDenied):
            return api.handler403(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return api.handler400(request, exception)
        got_request_exception.send(sender=None, request=request)
        response = api.handler500(request)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response


# --- Cache-Control -----------------------------------------------------------------


class NoStoreMiddleware:
    """No browser or proxy keeps a copy of any page or API answer.

    Pages and answers carry guests' personal data; a shared computer's cache
    or back button must not show them to the next person. Placed after
    WhiteNoise, so static files (served before this runs) keep their caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# --- Session lifetime --------------------------------------------------------------

AUTH_AT_KEY = "_pms_auth_at"  # when the user logged in (epoch seconds)
LAST_SEEN_KEY = "_pms_last_seen"  # the last request, to within TOUCH_SECONDS
# Refresh the last-seen stamp at most this often: a session row write per
# minute, not per request (the EMIS dialog polls several times a second).
TOUCH_SECONDS = 60


class SessionLifetimeMiddleware:
    """Logs a session out after ``PMS_SESSION_IDLE_MINUTES`` without a request,
    and after ``SESSION_COOKIE_AGE`` seconds from login whatever the activity.

    After the logout the request goes on as anonymous, so a page redirects to
    the login page (LoginRequiredEverywhereMiddleware) and the API answers
    401 (DRF). Token-authenticated API calls have no session and are not
    concerned: their tokens expire on their own. The absolute age is checked
    here rather than left to the session's expiry date because Django pushes
    that date forward whenever the session is saved, as the stamp below does.

    Not ``SESSION_SAVE_EVERY_REQUEST``: it writes the session row on every
    request and slides the expiry, which would leave no absolute limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session  # login() and logout() keep the object
        if SESSION_KEY in session:
            now = int(time.time())
            if _expired(session, now=now):
                logout(request)
            else:
                _touch(session, now=now)
        return self.get_response(request)


def connect_signals() -> None:
    """Called from PmsConfig.ready(): the login time starts both clocks."""
    user_logged_in.connect(_stamp_login, dispatch_uid="pms.session_lifetime_login")


def _stamp_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[AUTH_AT_KEY] = session[LAST_SEEN_KEY] = int(time.time())


def _expired(session, *, now: int) -> bool:
    seen, auth_at = session.get(LAST_SEEN_KEY), session.get(AUTH_AT_KEY)
    if not isinstance(seen, int) or not isinstance(auth_at, int):
        return False  # a session from before these stamps: stamped now
    idle = settings.PMS_SESSION_IDLE_MINUTES * 60
    return now - seen > idle or now - auth_at > settings.SESSION_COOKIE_AGE


def _touch(session, *, now: int) -> None:
    if not isinstance(session.get(AUTH_AT_KEY), int):
        session[AUTH_AT_KEY] = now
    seen = session.get(LAST_SEEN_KEY)
    if not isinstance(seen, int) or now - seen >= TOUCH_SECONDS:
        session[LAST_SEEN_KEY] = now
