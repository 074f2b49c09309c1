"""/api/v1/integrations/<slug>/: each registered connector's own API."""

from django.urls import include, path

from . import registry

urlpatterns = [
    path(f"integrations/{c.slug}/", include(c.api_urls)) for c in registry.connectors()
]
