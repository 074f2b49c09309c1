"""The EMIS connection page: edit, save, test. Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from integrations.secrets import SecretKeyError
from pms.roles import Role, role_required

from .forms import EmisConnectionForm
from .selectors import PUBLIC_FIELDS, connection_settings, secret_states, webhook_url
from .services import CheckResult, emis_connection_test, emis_connection_update

TEMPLATE = "integrations/emis/edit.html"
RESULT_TEMPLATE = "integrations/emis/_test_result.html"


@role_required(Role.ADMIN)
def edit(request: HttpRequest) -> HttpResponse:
    states = secret_states()
    if request.method != "POST":
        conn = connection_settings()
        initial = {name: getattr(conn, name) for name in PUBLIC_FIELDS}
        form = EmisConnectionForm(initial=initial, secret_states=states)
        return _page(request, form, states)
    form = EmisConnectionForm(request.POST, secret_states=states)
    if request.POST.get("action") == "test":
        return _test(request, form, states)
    if form.is_valid():
        try:
            emis_connection_update(**_update_kwargs(form), user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except SecretKeyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("EMIS connection saved."))
            return redirect("integrations:emis:edit")
    return _page(request, form, states)


def _update_kwargs(form: EmisConnectionForm) -> dict:
    data = form.cleaned_data
    return {
        "base_url": data["base_url"],
        "web_login": data["web_login"],
        "api_login": data["api_login"],
        "is_active": data["is_active"],
        **form.secret_updates(),
    }


def _test(request: HttpRequest, form: EmisConnectionForm, states) -> HttpResponse:
    """Ping with the values on the form (saved ones fill the blanks); nothing
    is saved. htmx gets the result fragment; without JS the page re-renders."""
    form.is_valid()  # activation errors are irrelevant to a test
    if "base_url" in form.errors:
        result = CheckResult(
            ok=False, code="bad_request", message=form.errors["base_url"][0]
        )
    else:
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


def _page(request, form, states, *, result: CheckResult | None = None) -> HttpResponse:
    from .connector import CONNECTOR

    context = {
        "form": form,
        "secret_states": states,
        "webhook_url": webhook_url(),
        "problem": CONNECTOR.problem(),
        "result": result,
        "secret_rows": [
            (form["web_password"], form["clear_web_password"], states["web_password"]),
            (form["api_password"], form["clear_api_password"], states["api_password"]),
        ],
    }
    return render(request, TEMPLATE, context)
