"""Each opened "create" form saves once.

A create page opened without a token redirects to its own address with a
new random one (``?form=<uuid>``); the form posts to that address, and the
save claims the token (a ``FormSubmission`` row, unique) in the same
transaction as what it creates. The same form posted again — Back then Save,
a re-POST, two servers racing — finds the token claimed and creates nothing;
the view shows the page again with the posted form (what the clerk typed is
not lost: after Back it may be another guest typed over the old one), a
warning with a link to what the first save created, and the form posting to
a new token (``page_context``), so only a deliberate second Save adds it as
a new one. A form shown again after a failed save keeps its token (the claim
rolled back with the save).

Why in the address and not in a hidden input: pages are ``no-store``, so
Back fetches the form page again; a token rendered into it would be a new
one, while Chromium restores the typed values over the fresh page. The
history entry's address is what Back asks for again, so the old token comes
back with the old typing; it survives the back/forward cache and a page
drawn from the HTTP cache alike, and needs no script. "Add a guest" opens
the page without a token, so a new form always gets a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import FormSubmission

TOKEN_PARAM = "form"
# A claimed token older than this is forgotten: a form kept open a month and
# saved again creates anew (the rows would otherwise grow for ever).
KEEP = timedelta(days=30)


@dataclass(frozen=True)
class Outcome:
    url: str  # where the save leads: what it created, now or the first time
    created: bool  # False: the form had been saved before, nothing new


def with_token(request: HttpRequest) -> HttpResponse | None:
    """A create page opened without its token (GET): the same address with
    a new one, so the browser's history holds it. None when it has one."""
    if request.method != "GET" or _token(request) is not None:
        return None
    return redirect(new_token_address(request))


def new_token_address(request: HttpRequest) -> str:
    """This page's address with a new token in place of its own; the other
    parameters (the guest search's ``q``) stay."""
    query = request.GET.copy()
    query[TOKEN_PARAM] = str(uuid.uuid4())
    return f"{request.path}?{query.urlencode()}"


def page_context(
    request: HttpRequest, outcome: Outcome | None = None
) -> dict[str, object]:
    """What a create page's ``includes/saved_before.html`` and form tag need.

    ``outcome`` of a save that found its token claimed: the address of what
    the first save created, ``saved_again``, and ``form_action``, a new
    token for the form shown again to post to. The page's own address keeps
    the claimed token, so that page posted again (a re-POST, Back) still
    creates nothing, while Save on the form shown adds what it holds. Else:
    whether this token was saved already (the form fetched again on Back)."""
    if outcome is not None and not outcome.created:
        return {
            "saved_before": outcome.url,
            "saved_again": True,
            "form_action": new_token_address(request),
        }
    return {"saved_before": saved_before(request)}


def saved_before(request: HttpRequest) -> str:
    """The address of what this form's token created, "" if not saved yet:
    a form that comes back on Back says so before the clerk saves again."""
    token = _token(request)
    if token is None:
        return ""
    done = FormSubmission.objects.filter(token=token).first()
    return done.target_url if done else ""


def submit_once(
    request: HttpRequest, *, form: str, create: Callable[[], str]
) -> Outcome:
    """Run ``create`` (it writes and returns the address of what it made)
    unless this form's token was claimed already. Without a token (a page
    rendered before tokens, a hand-made POST) ``create`` runs as before.
    ``create`` raising rolls the claim back with everything else."""
    token = _token(request)
    if token is None:
        return Outcome(create(), created=True)
    with transaction.atomic():
        try:
            # Its own savepoint: an IntegrityError inside create() is not a
            # claimed token. A racing save of the same token waits here on
            # the unique index until the first commits, then fails.
            with transaction.atomic():
                FormSubmission.objects.create(token=token, form=form)
        except IntegrityError:
            done = FormSubmission.objects.get(token=token)
            return Outcome(done.target_url, created=False)
        url = create()
        FormSubmission.objects.filter(token=token).update(target_url=url)
        FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return Outcome(url, created=True)


def _token(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get(TOKEN_PARAM, ""))
    except ValueError:
        return None
