from django.urls import path

from . import views

app_name = "emis"
urlpatterns = [
    path("persons/<int:person_id>/upload/", views.upload, name="upload"),
    path("persons/<int:person_id>/pull/", views.pull_start, name="pull"),
    path("persons/<int:person_id>/jobs/<int:job_id>/", views.job_status, name="job"),
    path(
        "persons/<int:person_id>/jobs/<int:job_id>/cancel/",
        views.job_cancel_view,
        name="job_cancel",
    ),
    path("persons/<int:person_id>/state/", views.person_state, name="person_state"),
    path("persons/<int:person_id>/dialog/", views.dialog_actions, name="dialog_actions"),
    path("sync/", views.sync_now, name="sync_now"),
    path("sync/<int:job_id>/", views.sync_job, name="sync_job"),
]
