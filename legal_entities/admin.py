from django.contrib import admin

from .models import LegalEntity


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "inn", "ogrn", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "inn", "ogrn")
