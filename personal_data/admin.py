"""The access log in the Django admin: read-only for admins and support,
nobody adds, changes or deletes a row (the superuser flag included)."""

from __future__ import annotations

from django.contrib import admin

from pms.admin_lookups import DeclaredLookupsOnly
from pms.roles import Role, has_role

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    list_display = ["at", "username", "person_id", "kind", "address", "detail"]
    list_filter = ["kind"]
    search_fields = ["=person_id", "=username"]
    fields = list_display
    readonly_fields = list_display
    date_hierarchy = "at"
    actions = None  # no "delete selected"

    def has_module_permission(self, request) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_view_permission(self, request, obj=None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
