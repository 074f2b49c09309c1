"""/api/v1/: each app contributes its own ``api_urls`` module."""

from django.urls import include, path, register_converter

from .api import IdConverter

# Before the apps' modules below use it in their paths: <id:person_id>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", include("pms.auth_api_urls")),
    path("", include("legal_entities.api_urls")),
    path("", include("reservations.api_urls")),
    path("", include("integrations.api_urls")),
    path("", include("emis.api_urls")),
]
