from django.urls import path

from . import views

app_name = "emis"
urlpatterns = [
    path("persons/<int:person_id>/upload/", views.upload, name="upload"),
    path("persons/<int:person_id>/pull/", views.pull_start, name="pull"),
    path("persons/<int:person_id>/jobs/<int:job_id>/", views.job_status, name="job"),
    path("persons/<int:person_id>/state/", views.person_state, name="person_state"),
    path("sync/", views.sync_now, name="sync_now"),
]
