"""/api/v1/: the token login, then each app's own ``api_urls`` module."""

from django.urls import include, path

API_APPS = ("legal_entities", "reservations", "integrations", "emis", "personal_data")

urlpatterns = [
    path("", include("pms.auth_api_urls")),
    *(path("", include(f"{app}.api_urls")) for app in API_APPS),
]
