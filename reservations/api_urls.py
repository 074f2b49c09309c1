from django.urls import path
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

urlpatterns = [
    *router.urls,
    path(
        "reservations/<int:reservation_id>/guests/",
        ReservationGuestsView.as_view(),
        name="api-reservation-guests",
    ),
    path(
        "reservations/<int:reservation_id>/guests/<int:stay_id>/",
        ReservationGuestView.as_view(),
        name="api-reservation-guest",
    ),
    path("persons/<int:person_id>/", PersonView.as_view(), name="api-person"),
    path(
        "persons/<int:person_id>/duplicates/",
        PersonDuplicatesView.as_view(),
        name="api-person-duplicates",
    ),
    path(
        "persons/<int:person_id>/merge/",
        PersonMergeView.as_view(),
        name="api-person-merge",
    ),
    path("arrivals/", ArrivalsView.as_view(), name="api-arrivals"),
]
