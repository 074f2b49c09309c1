from django.urls import include, path

from . import board_views, countries_views, guest_views, merge_views, views

app_name = "reservations"
# A reservation's guests, under its card.
_guest_routes = [
    path("new/", guest_views.guest_new, name="guest_new"),
    path("attach/", guest_views.guest_attach_view, name="guest_attach"),
    path("<id:stay_id>/", guest_views.guest_edit, name="guest"),
    path("state/", views.guests_state, name="guests_state"),
    path("<id:stay_id>/refresh/", guest_views.guest_refresh, name="guest_refresh"),
]
# One person's pages, wherever their stays are.
_person_routes = [
    path("", merge_views.person_page, name="person"),
    path("merge/", merge_views.person_merge_view, name="person_merge"),
    path("history/", guest_views.person_history_view, name="person_history"),
]
# The list, a new one, and one reservation's card with its guests.
_reservation_routes = [
    path("", views.reservations_list, name="list"),
    path("new/", views.reservation_new, name="create"),
    path("<id:pk>/", views.reservation_detail, name="card"),
    path("<id:pk>/guests/", include(_guest_routes)),
]
urlpatterns = [
    path("board/", board_views.board, name="board"),
    path("countries/name/", countries_views.country_name_view, name="country_name"),
    path("reservations/", include(_reservation_routes)),
    path("persons/<id:person_id>/", include(_person_routes)),
]
