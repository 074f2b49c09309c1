from django.urls import path

from . import views

app_name = "personal_data"
urlpatterns = [
    path("persons/<int:person_id>/erase/", views.person_erase_view, name="erase"),
    path(
        "persons/<int:person_id>/export/", views.person_export_download, name="export"
    ),
]
