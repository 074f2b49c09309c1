from django.urls import include, path

from . import views

app_name = "emis"
# The guest card's EMIS actions, all about one person.
_person_routes = [
    path("upload/", views.upload, name="upload"),
    path("pull/", views.pull_start, name="pull"),
    path("jobs/<int:job_id>/", views.job_status, name="job"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("state/", views.person_state, name="person_state"),
    path("dialog/", views.dialog_actions, name="dialog_actions"),
    path("conflicts/resolve/", views.conflicts_resolve_view, name="conflicts_resolve"),
]
urlpatterns = [
    path("persons/<int:person_id>/", include(_person_routes)),
    path("sync/", views.sync_now, name="sync_now"),
    path("sync/<int:job_id>/", views.sync_job, name="sync_job"),
]
