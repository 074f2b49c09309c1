"""The delivery log in the Django admin, read-only, for EMIS support (and
admins): "what happened to delivery X?" Registered by ``emis/admin.py``."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emis.deliveries.texts import refusal_reason
from emis.models import EmisDelivery
from pms.admin_lookups import DeclaredLookupsOnly
from pms.roles import Role, has_role


@admin.register(EmisDelivery)
class EmisDeliveryAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    list_display = [
        "received_at",
        "delivery_id",
        "status",
        "http_status",
        "error_code",
        "person_id",
        "legal_entity_id",
        "version",
        "signed",
    ]
    list_filter = ["status", "http_status", "signed"]
    search_fields = ["=delivery_id"]
    fields = [*list_display, "bad_fields_text"]
    readonly_fields = fields
    date_hierarchy = "received_at"

    @admin.display(description=_("bad fields"))
    def bad_fields_text(self, obj: EmisDelivery) -> str:
        # In the reader's language, as Стыковки says them (texts.py).
        return refusal_reason(obj) if obj.bad_fields else "—"

    def has_module_permission(self, request) -> bool:
        return has_role(request.user, Role.SUPPORT)

    def has_view_permission(self, request, obj=None) -> bool:
        return has_role(request.user, Role.SUPPORT)

    def has_add_permission(self, request) -> bool:
        return False  # written by the webhook only

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # pruned by age (EMIS_DELIVERY_LOG_DAYS)
