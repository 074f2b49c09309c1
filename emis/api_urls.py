from django.urls import include, path

urlpatterns = [
    path("", include("emis.names.api")),
    path("", include("emis.exchange_api")),
    path("", include("emis.conflicts_api")),
    path("", include("emis.upload_api")),
    path("", include("emis.deliveries.api")),
]
