from django.urls import path

from .access_log_api import PersonAccessLogView
from .erasure_api import PersonEraseView, PersonExportView

urlpatterns = [
    path(
        "persons/<id:person_id>/access-log/",
        PersonAccessLogView.as_view(),
        name="api-person-access-log",
    ),
    path(
        "persons/<id:person_id>/erase/",
        PersonEraseView.as_view(),
        name="api-person-erase",
    ),
    path(
        "persons/<id:person_id>/export/",
        PersonExportView.as_view(),
        name="api-person-export",
    ),
]
