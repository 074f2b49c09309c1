from django.urls import include, path

from . import board_views, views

app_name = "emis"
# The guest card's EMIS actions, all about one person.
_person_routes = [
    path("upload/", views.upload, name="upload"),
    path("pull/", views.pull_start, name="pull"),
    path("jobs/<id:job_id>/", views.job_status, name="job"),
    path("jobs/<id:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("state/", views.person_state, name="person_state"),
    path("dialog/", views.dialog_actions, name="dialog_actions"),
    path("conflicts/resolve/", views.conflicts_resolve_view, name="conflicts_resolve"),
]
# The arrivals board's pulls: every guest of a reservation, one guest again.
_board_routes = [
    path(
        "reservations/<id:reservation_id>/pull/",
        board_views.reservation_pull,
        name="reservation_pull",
    ),
    path("stays/<id:stay_id>/pull/", board_views.guest_pull, name="board_guest_pull"),
    path(
        "stays/<id:stay_id>/jobs/<id:job_id>/",
        board_views.guest_job,
        name="board_guest_job",
    ),
]
urlpatterns = [
    path("persons/<id:person_id>/", include(_person_routes)),
    path("board/", include(_board_routes)),
    path("sync/", views.sync_now, name="sync_now"),
    path("sync/<id:job_id>/", views.sync_job, name="sync_job"),
]
