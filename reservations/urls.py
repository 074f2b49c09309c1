from django.urls import path

from . import guest_views, views

app_name = "reservations"
urlpatterns = [
    path("reservations/", views.reservations_list, name="list"),
    path("reservations/new/", views.reservation_new, name="create"),
    path("reservations/<int:pk>/", views.reservation_detail, name="card"),
    path("reservations/<int:pk>/guests/new/", guest_views.guest_new, name="guest_new"),
    path(
        "reservations/<int:pk>/guests/attach/",
        guest_views.guest_attach_view,
        name="guest_attach",
    ),
    path(
        "reservations/<int:pk>/guests/<int:stay_id>/",
        guest_views.guest_edit,
        name="guest",
    ),
    path(
        "reservations/<int:pk>/guests/<int:stay_id>/refresh/",
        guest_views.guest_refresh,
        name="guest_refresh",
    ),
    path(
        "persons/<int:person_id>/history/",
        guest_views.person_history_view,
        name="person_history",
    ),
]
