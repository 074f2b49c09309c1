"""/integrations/: the list, then each registered connector's own pages."""

from django.urls import include, path

from . import registry, views

app_name = "integrations"
urlpatterns = [path("", views.connector_list, name="list")] + [
    path(f"{c.slug}/", include((c.urls, c.slug), namespace=c.slug))
    for c in registry.connectors()
]
