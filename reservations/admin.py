"""Read-only admin: edits go through the front-desk pages, which lock rows
and keep the change history. Support may look persons up here and open a
person's history (document numbers masked), to check what the name policy
did; every page that shows a guest's name is in the access log."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from personal_data.admin_reads import LogsPersonReads
from pms.admin_lookups import DeclaredLookupsOnly
from pms.roles import Role, has_role

from .models import Person, Reservation, Stay


class ReadOnlyAdmin(DeclaredLookupsOnly, admin.ModelAdmin):
    """No writes, and no filter but the declared ones: a person's birth
    date, contacts or address must not be read by filtering on them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "arrival", "departure", "legal_entity")
    list_filter = ("status",)
    list_select_related = ("legal_entity",)
    search_fields = ("=id",)


@admin.register(Person)
class PersonAdmin(LogsPersonReads, ReadOnlyAdmin):
    person_field = "pk"
    list_display = (
        "id",
        "surname",
        "given_names",
        "patronymic",
        "citizenship",
        "history",
    )
    # The list shows the surname: searching its spellings confirms nothing
    # the list does not show. No other personal value is searched.
    search_fields = ("=id", "surname", "surname_latin", "surname_cyrillic")
    fields = (
        "id",
        ("surname", "given_names", "patronymic"),
        ("surname_latin", "given_names_latin", "patronymic_latin"),
        ("surname_cyrillic", "given_names_cyrillic", "patronymic_cyrillic"),
        "citizenship",
        "history",
    )
    readonly_fields = tuple(
        name for row in fields for name in (row if isinstance(row, tuple) else (row,))
    )

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or self._support(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self._support(request)

    @staticmethod
    def _support(request) -> bool:
        return has_role(request.user, Role.SUPPORT)

    @admin.display(description=_("Change history"))
    def history(self, obj: Person) -> str:
        url = reverse("reservations:person_history", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Change history"))


@admin.register(Stay)
class StayAdmin(LogsPersonReads, ReadOnlyAdmin):
    # The person column shows the guest's name (``Person.__str__``).
    list_display = (
        "id",
        "reservation",
        "person",
        "registration_from",
        "registration_to",
    )
    list_select_related = ("person", "reservation")
