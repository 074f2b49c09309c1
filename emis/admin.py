"""The name policy in the Django admin, for support.

One record (no add, no delete; the list opens it), overrides per legal
entity in their own list, a preview table of sample names under every option, and
after a change a confirmation page that offers to re-apply the policy to the
existing profiles, then shows the job's progress.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from emis.deliveries import admin as _delivery_log_admin  # noqa: F401 (registers)
from emis.job_fragments import job_context
from emis.models import EmisJob, NamePolicy, NamePolicyOverride
from emis.names import reapply
from emis.names.policy import PolicyFields
from emis.names.preview import chosen, preview_table
from emis.tasks import reapply_name_policy
from pms.roles import Role, has_role

_CHANGED = "_emis_name_policy_changed"


def _is_support(request: HttpRequest) -> bool:
    return has_role(request.user, Role.SUPPORT)


class SupportOnly:
    """Support (and the admin role, and superusers) may view and change."""

    def has_module_permission(self, request):
        return _is_support(request)

    def has_view_permission(self, request, obj=None):
        return _is_support(request)

    def has_change_permission(self, request, obj=None):
        return _is_support(request)


def _offer_reapply(request) -> HttpResponseRedirect:
    messages.success(request, _("The name policy was saved."))
    return HttpResponseRedirect(reverse("admin:emis_namepolicy_reapply"))


@admin.register(NamePolicyOverride)
class NamePolicyOverrideAdmin(SupportOnly, admin.ModelAdmin):
    """Per-legal-entity overrides; every save or delete offers a re-apply."""

    list_display = ["legal_entity", "script", "letter_case", "latin_standard"]
    list_select_related = ["legal_entity"]
    fields = ["legal_entity", "script", "letter_case", "latin_standard"]

    def has_add_permission(self, request):
        return _is_support(request)

    def has_delete_permission(self, request, obj=None):
        return _is_support(request)

    def response_add(self, request, obj, post_url_continue=None):
        return _offer_reapply(request)

    def response_change(self, request, obj):
        return _offer_reapply(request)

    def response_delete(self, request, obj_display, obj_id):
        return _offer_reapply(request)


@admin.register(NamePolicy)
class NamePolicyAdmin(SupportOnly, admin.ModelAdmin):
    fields = ["script", "letter_case", "latin_standard", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    # Adds the preview table, full width, below the fields.
    change_form_template = "admin/emis/namepolicy/change_form.html"

    class Media:
        css = {"all": ["emis/name_policy_admin.css"]}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        policy = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if policy is not None:
            context["name_policy_preview"] = preview_table(policy, request=request)
        return super().change_view(request, object_id, form_url, context)

    # --- One record -----------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        policy = NamePolicy.load()
        return redirect(reverse("admin:emis_namepolicy_change", args=[policy.pk]))

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) == str(NamePolicy.load().pk):
            return super().get_object(request, object_id, from_field)
        return None

    # --- Saving offers a re-apply -----------------------------------------

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if form.has_changed():
            setattr(request, _CHANGED, True)

    def response_change(self, request, obj):
        if not getattr(request, _CHANGED, False):
            return super().response_change(request, obj)
        return _offer_reapply(request)

    # --- Re-apply pages -------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="emis_namepolicy_preview"),
            path("reapply/", wrap(self.reapply_view), name="emis_namepolicy_reapply"),
            path(
                "reapply/<id:job_id>/",
                wrap(self.reapply_progress_view),
                name="emis_namepolicy_reapply_job",
            ),
            path(
                "reapply/<id:job_id>/status/",
                wrap(self.reapply_status_view),
                name="emis_namepolicy_reapply_status",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The preview with the row of the selects' current values marked,
        asked for by the change form whenever a select changes."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        saved = PolicyFields.of(NamePolicy.load())
        return HttpResponse(preview_table(chosen(request.GET, saved), request=request))

    def _require_change(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied

    def reapply_view(self, request):
        """GET: how many profiles would change; POST: start the job."""
        self._require_change(request)
        if request.method == "POST":
            job, created = reapply.reapply_job_get_or_create(user=request.user)
            if created:
                reapply_name_policy.delay_on_commit(job.pk)
            return redirect("admin:emis_namepolicy_reapply_job", job_id=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Re-apply the name policy"),
            "would_change": reapply.would_change_count(),
            "active_job": reapply.active_job(),
        }
        return TemplateResponse(request, "emis/name_policy_reapply.html", context)

    def reapply_progress_view(self, request, job_id: int):
        self._require_change(request)
        job = self._job(job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Re-applying the name policy"),
            **self._progress(job),
        }
        return TemplateResponse(request, "emis/name_policy_reapply_job.html", context)

    def reapply_status_view(self, request, job_id: int):
        """The progress fragment the page asks for until the job is final."""
        self._require_change(request)
        job = self._job(job_id)
        return render(request, "emis/jobs/reapply_names.html", self._progress(job))

    @staticmethod
    def _progress(job: EmisJob) -> dict:
        poll_url = reverse("admin:emis_namepolicy_reapply_status", args=[job.pk])
        return job_context(job, poll_url=poll_url, progress=reapply.job_progress(job))

    @staticmethod
    def _job(job_id: int) -> EmisJob:
        return get_object_or_404(EmisJob, pk=job_id, kind=EmisJob.Kind.REAPPLY_NAMES)
