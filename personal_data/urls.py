from django.urls import include, path

from . import access_log_views, erasure_views

app_name = "personal_data"
# One person's pages: a history row's full number, the erasure, the export.
_person_routes = [
    path(
        "history/<id:change_id>/reveal/",
        access_log_views.history_reveal,
        name="history_reveal",
    ),
    path("erase/", erasure_views.person_erase_view, name="erase"),
    path("export/", erasure_views.person_export_download, name="export"),
]
urlpatterns = [
    path("access-log/", access_log_views.access_log_page, name="access_log"),
    path("access-log.csv", access_log_views.access_log_csv, name="access_log_csv"),
    path("persons/<id:person_id>/", include(_person_routes)),
]
