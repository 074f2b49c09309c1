"""/api/v1/reservations/, their guests (stays) and /api/v1/persons/{id}/.

Front desk role (admin passes too), as in the UI. Views only route: the
serializers validate and call the services.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from personal_data.access_log import Kind, record_access, record_accesses
from pms.api import PreconditionFailed
from pms.openapi import error_response, person_schema
from pms.pagination import MAX_LIMIT

from . import services
from .api_aliases import raise_if_alias
from .etags import if_match_allows, person_etag
from .models import Person, Reservation, Stay
from .serializers import (
    GuestCreateSerializer,
    PersonSerializer,
    ReservationSerializer,
    StaySerializer,
)
from .services.base import person_lock


def stays_with_documents() -> QuerySet[Stay]:
    """Stays with everything ``stay_warnings`` reads: a fixed number of
    queries however many guests."""
    return Stay.objects.select_related(
        "person", "person__migration_card"
    ).prefetch_related("person__documents", "person__visas")


def persons_with_documents() -> QuerySet[Person]:
    return Person.objects.select_related("migration_card").prefetch_related(
        "documents", "visas"
    )


@extend_schema(tags=["reservations"])
class ReservationViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Reservation.objects.annotate(guests_count=Count("stays"))
    lookup_value_converter = "id"
    serializer_class = ReservationSerializer


class _ReservationGuestsMixin:
    def get_reservation(self) -> Reservation:
        return get_object_or_404(Reservation, pk=self.kwargs["reservation_id"])

    def get_queryset(self) -> QuerySet[Stay]:
        return stays_with_documents().filter(
            reservation_id=self.kwargs["reservation_id"]
        )


@extend_schema(tags=["guests"])
class ReservationGuestsView(_ReservationGuestsMixin, generics.GenericAPIView):
    serializer_class = StaySerializer
    # A reservation's guests fit in one answer: a plain list, capped like
    # every API list (a bigger group is truncated, never a huge answer).
    pagination_class = None

    @extend_schema(responses=StaySerializer(many=True))
    def get(self, request, reservation_id: int):
        self.get_reservation()  # 404 for an unknown reservation, not []
        rows = self.get_queryset()[:MAX_LIMIT]
        serializer = self.get_serializer(rows, many=True)
        data = serializer.data  # the guests' profiles, contacts included
        record_accesses(request, [row.person_id for row in rows], Kind.GUEST_LIST)
        return Response(data)

    @extend_schema(
        request=GuestCreateSerializer,
        responses={201: StaySerializer},
        description=(
            "Adds a guest: a new person from the body's person fields, or an "
            "existing one by `person_id`. Rules the schema cannot state (a "
            "400 naming the field): the person is not already a guest of "
            "the reservation; registration dates (default: the "
            "reservation's) lie in the years 1900–2100, the end not before "
            "the start; a birth date from 1900 to today; document, visa and "
            "migration card dates in 1900–2100."
        ),
    )
    def post(self, request, reservation_id: int):
        context = {
            **self.get_serializer_context(),
            "reservation": self.get_reservation(),
        }
        serializer = GuestCreateSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        stay = serializer.save()
        data = self.get_serializer(self.get_queryset().get(pk=stay.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["guests"])
class ReservationGuestView(
    _ReservationGuestsMixin, generics.RetrieveUpdateDestroyAPIView
):
    """One guest of a reservation. DELETE removes the stay, never the person."""

    serializer_class = StaySerializer
    lookup_url_kwarg = "stay_id"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: Stay) -> None:
        services.stay_remove(stay=instance)


_ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200, 412],
    description="The profile's version: send it back in If-Match.",
)
_IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    description="The ETag the change was made on (or *); without it the "
    "change is made whatever the version.",
)


@extend_schema_view(
    get=person_schema(
        moved=301,
        tags=["persons"],
        parameters=[_ETAG],
        responses={200: PersonSerializer},
    ),
    patch=person_schema(
        moved=308,
        tags=["persons"],
        parameters=[_ETAG, _IF_MATCH],
        responses={
            200: PersonSerializer,
            412: error_response("The profile changed since that ETag was read."),
        },
    ),
)
class PersonView(generics.RetrieveUpdateAPIView):
    """A guest profile by its persistent ID. PATCH changes only what it sends;
    ``documents``/``visas`` sent replace the lists (matched by ``id``).

    Every answer carries the profile's ``ETag``; a PATCH with ``If-Match``
    is refused with 412 (and the current ETag) when anyone — staff, EMIS,
    the name policy — changed the profile since that version was read. A
    merged person's ID redirects to the survivor (301; 308 for PATCH)."""

    queryset = persons_with_documents()
    serializer_class = PersonSerializer
    lookup_url_kwarg = "person_id"
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Person:
        try:
            return super().get_object()
        except Http404:
            raise_if_alias(self.request, self.kwargs["person_id"], "api-person")
            raise

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        record_access(request, person.pk, Kind.PERSON_API)
        return _with_etag(Response(self.get_serializer(person).data), person)

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            # Under the row lock every writer takes: nobody changes the
            # profile between the version check and the write.
            person_lock(person_id=self.get_object().pk)
            person = self.get_object()
            current = person_etag(person)
            if not if_match_allows(request.headers.get("If-Match"), current):
                raise _Stale(current)
            serializer = self.get_serializer(person, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        # Re-read: the services wrote under a lock, the instance is stale.
        person = self.get_object()
        record_access(request, person.pk, Kind.PERSON_API)  # the answer shows it all
        return _with_etag(Response(self.get_serializer(person).data), person)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, _Stale):
            response["ETag"] = exc.etag
        return response


class _Stale(PreconditionFailed):
    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag


def _with_etag(response: Response, person: Person) -> Response:
    response["ETag"] = person_etag(person)
    return response
