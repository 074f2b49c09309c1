"""/api/v1/persons/{id}/emis/conflicts/: the fields where the profile kept a
value staff changed against a newer EMIS value, and staff's decision on them
(emis/conflicts.py). Front desk, like the card's comparison."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from personal_data.access_log import Kind, record_access
from pms.api import validated
from pms.openapi import person_schema
from pms.roles import IsFrontDesk
from reservations.api_aliases import person_or_moved

from .conflicts import conflicts_resolve, open_conflicts
from .models import EmisConflict


# One open conflict as the API shows it. A serializer, not a dict: ``since``
# is written as every timestamp of the API is (DRF's ``DateTimeField``, the
# server's offset: docs/api.md), not as the JSON encoder writes a bare
# datetime (UTC, "Z"). (A comment, not a docstring: that would become the
# document's description.)
class EmisConflictSerializer(serializers.Serializer):
    field = serializers.CharField(source="path")
    profile = serializers.CharField(source="profile_value", allow_blank=True)
    emis = serializers.CharField(source="emis_value", allow_blank=True)
    since = serializers.DateTimeField()


OpenConflicts = EmisConflictSerializer(many=True)


class ResolveSerializer(serializers.Serializer):
    keep = serializers.ChoiceField(choices=EmisConflict.Keep.values)
    field = serializers.CharField(required=False, max_length=300)
    # The EMIS value the client decided on (with "field"): refused with 400
    # if EMIS has sent another one since.
    emis = serializers.CharField(required=False, allow_blank=True)


def _open(request: Request, person_id: int) -> list[dict]:
    """The open conflicts, recorded as a read: they hold the profile's and
    EMIS's values (an empty list shows none)."""
    rows = EmisConflictSerializer(open_conflicts(person_id=person_id), many=True).data
    if rows:
        record_access(request, person_id, Kind.CONFLICTS)
    return rows


class ConflictListView(APIView):
    permission_classes = [IsFrontDesk]

    @person_schema(
        operation_id="emis_person_conflicts",
        responses={200: OpenConflicts},
        moved=301,
        tags=["emis"],
    )
    def get(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "emis-conflicts")
        return Response(_open(request, person_id))


class ConflictResolveView(APIView):
    """Keep EMIS's value or the profile's, for every open conflict or for
    the one named by ``field``; the decision goes into the history with who
    made it. Answers the conflicts still open."""

    permission_classes = [IsFrontDesk]

    @person_schema(
        operation_id="emis_person_conflicts_resolve",
        description=(
            "Resolves the person's open conflicts with EMIS (one `field`, or "
            "all). Rules the schema cannot state (a 400 naming the field): "
            "a named `field` must have an open conflict; `emis`, when sent, "
            "must still be the value EMIS sent last."
        ),
        request=ResolveSerializer,
        responses={200: OpenConflicts},
        moved=308,
        tags=["emis"],
    )
    def post(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "emis-conflicts-resolve")
        body = validated(ResolveSerializer(data=request.data))
        conflicts_resolve(
            person_id=person_id,
            keep=body["keep"],
            field=body.get("field"),
            seen=body.get("emis"),
            user=request.user,
        )
        return Response(_open(request, person_id))


urlpatterns = [
    path(
        "persons/<id:person_id>/emis/conflicts/",
        include(
            [
                path("", ConflictListView.as_view(), name="emis-conflicts"),
                path(
                    "resolve/",
                    ConflictResolveView.as_view(),
                    name="emis-conflicts-resolve",
                ),
            ]
        ),
    ),
]
