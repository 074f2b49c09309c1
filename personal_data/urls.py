from django.urls import path

from . import erasure_views, views

app_name = "personal_data"
urlpatterns = [
    path("access-log/", views.access_log_page, name="access_log"),
    path("access-log.csv", views.access_log_csv, name="access_log_csv"),
    path(
        "persons/<int:person_id>/history/<int:change_id>/reveal/",
        views.history_reveal,
        name="history_reveal",
    ),
    path("persons/<int:person_id>/erase/", erasure_views.person_erase_view, name="erase"),
    path(
        "persons/<int:person_id>/export/",
        erasure_views.person_export_download,
        name="export",
    ),
]
