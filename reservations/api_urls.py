from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import (
    PersonView,
    ReservationGuestsView,
    ReservationGuestView,
    ReservationViewSet,
)
from .board_api import ArrivalsView
from .merge_api import PersonDuplicatesView, PersonMergeView

router = SimpleRouter()
router.register("reservations", ReservationViewSet, basename="api-reservation")

# What hangs under one reservation's guests, and under one person.
_guest_routes = [
    path("", ReservationGuestsView.as_view(), name="api-reservation-guests"),
    path("<int:stay_id>/", ReservationGuestView.as_view(), name="api-reservation-guest"),
]
_person_routes = [
    path("", PersonView.as_view(), name="api-person"),
    path("duplicates/", PersonDuplicatesView.as_view(), name="api-person-duplicates"),
    path("merge/", PersonMergeView.as_view(), name="api-person-merge"),
]
urlpatterns = [
    *router.urls,
    path("reservations/<int:reservation_id>/guests/", include(_guest_routes)),
    path("persons/<int:person_id>/", include(_person_routes)),
    path("arrivals/", ArrivalsView.as_view(), name="api-arrivals"),
]
