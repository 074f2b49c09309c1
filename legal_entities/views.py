from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pms.roles import Role, role_required
from pms.submissions import Outcome, page_context, submit_once, with_token

from .forms import LegalEntityForm
from .models import LegalEntity
from .selectors import legal_entity_list
from .services import legal_entity_create, legal_entity_update


@role_required(Role.ADMIN)
def entity_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "legal_entities/list.html", {"entities": legal_entity_list()}
    )


@role_required(Role.ADMIN)
def entity_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The add page (no ``pk``) and the edit page: one form, one template."""
    entity = get_object_or_404(LegalEntity, pk=pk) if pk is not None else None
    form = LegalEntityForm(request.POST or None, instance=entity)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        if entity is not None:
            values = {name: form.cleaned_data[name] for name in form.changed_data}
            legal_entity_update(legal_entity_id=entity.pk, values=values)
            messages.success(request, _("Legal entity saved."))
            return redirect(entity)
        outcome = _create(request, form)
        if outcome.created:  # else Back then Save: no twin, the typing kept
            messages.success(
                request,
                _("Legal entity created. Send its ID and the server address to EMIS."),
            )
            return redirect(outcome.url)
    if entity is None and (opened := with_token(request)):  # saves once
        return opened
    context = {"form": form, "entity": entity}
    if entity is None:
        context.update(page_context(request, outcome))
    return render(request, "legal_entities/form.html", context)


def _create(request: HttpRequest, form: LegalEntityForm) -> Outcome:
    def create() -> str:
        return legal_entity_create(values=form.cleaned_data).get_absolute_url()

    return submit_once(request, form="legal_entity_new", create=create)
