"""/api/v1/: each app contributes its own ``api_urls`` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("pms.auth_api_urls")),
    path("", include("legal_entities.api_urls")),
    path("", include("reservations.api_urls")),
    path("", include("integrations.api_urls")),
    path("", include("emis.api_urls")),
]
