"""The EMIS connection page: edit, save, test. Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from integrations.secrets import SecretKeyError
from pms.roles import Role, role_required

from .forms import EmisConnectionForm
from .selectors import (
    PUBLIC_FIELDS,
    SECRET_FIELDS,
    connection_settings,
    secret_states,
)
from .services import (
    CheckResult,
    SaveResult,
    emis_connection_test,
    emis_connection_update,
    retype_check,
)

TEMPLATE = "emis/connection/edit.html"
RESULT_TEMPLATE = "emis/connection/_test_result.html"
# A value on these that could not be saved (or sent) stops a test.
_CHECKED_FIELDS = ("base_url", "api_login", "api_password", "web_login", "web_password")


@role_required(Role.ADMIN)
@sensitive_post_parameters(*SECRET_FIELDS)
@sensitive_variables()
def edit(request: HttpRequest) -> HttpResponse:
    states = secret_states()
    if request.method != "POST":
        conn = connection_settings()
        initial = {name: getattr(conn, name) for name in PUBLIC_FIELDS}
        form = EmisConnectionForm(initial=initial, secret_states=states)
        return _page(request, form, states)
    if request.POST.get("action") == "test":
        form = EmisConnectionForm(request.POST, secret_states=states, testing=True)
        return _test(request, form, states)
    form = EmisConnectionForm(request.POST, secret_states=states)
    if form.is_valid():
        try:
            saved = emis_connection_update(**_update_kwargs(form), user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except SecretKeyError as exc:
            form.add_error(None, str(exc))
        else:
            _tell_saved(request, saved)
            return redirect("integrations:emis:edit")
    form.ask_to_retype_secrets()
    return _page(request, form, states)


def _tell_saved(request: HttpRequest, saved: SaveResult) -> None:
    if saved.warning:
        messages.warning(request, saved.warning)
    else:
        messages.success(request, _("EMIS connection saved."))


@sensitive_variables()
def _update_kwargs(form: EmisConnectionForm) -> dict:
    data = form.cleaned_data
    return {
        "base_url": data["base_url"],
        "web_login": data["web_login"],
        "api_login": data["api_login"],
        "is_active": data["is_active"],
        **form.secret_updates(),
    }


@sensitive_variables()
def _test(request: HttpRequest, form: EmisConnectionForm, states) -> HttpResponse:
    """Ping with the values on the form (saved ones fill the blanks); nothing
    is saved. htmx gets the result fragment; without JS the page re-renders."""
    form.is_valid()
    result = _form_problem(form)
    if result is None:
        data = form.cleaned_data
        result = emis_connection_test(
            base_url=data.get("base_url"),
            api_login=data.get("api_login"),
            api_password=data.get("api_password"),
        )
    if request.htmx:
        return render(request, RESULT_TEMPLATE, {"result": result})
    initial = {name: request.POST.get(name, "") for name in PUBLIC_FIELDS}
    initial["is_active"] = bool(request.POST.get("is_active"))
    fresh = EmisConnectionForm(initial=initial, secret_states=states)
    return _page(request, fresh, states, result=result)


@sensitive_variables()
def _form_problem(form: EmisConnectionForm) -> CheckResult | None:
    """Why the typed values cannot be tried, or None. A changed address
    needs both passwords typed, as it will to be saved."""
    for name in _CHECKED_FIELDS:
        if name in form.errors:
            message = form.errors[name][0]
            return CheckResult(
                ok=False, code="bad_request", message=message, fields=(name,)
            )
    data = form.cleaned_data
    typed = {name: data.get(name) or None for name in SECRET_FIELDS}
    return retype_check(base_url=data.get("base_url") or None, given=typed)


def _page(request, form, states, *, result: CheckResult | None = None) -> HttpResponse:
    from .connector import CONNECTOR

    context = {
        "form": form,
        "secret_states": states,
        "problem": CONNECTOR.problem(),
        "result": result,
        "secret_rows": [
            (form["web_password"], form["clear_web_password"], states["web_password"]),
            (form["api_password"], form["clear_api_password"], states["api_password"]),
        ],
    }
    return render(request, TEMPLATE, context)
