from django.urls import include, path

urlpatterns = [
    path("", include("emis.name_policy_api")),
    path("", include("emis.exchange_api")),
    path("", include("emis.upload_api")),
]
