"""/api/v1/persons/{id}/duplicates/ and /api/v1/persons/{id}/merge/.

Views only route: ``reservations.duplicates`` reads, ``services.merge``
writes.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from personal_data.access_log import Kind, record_accesses
from pms.api import Conflict, validated
from pms.openapi import person_schema
from pms.pagination import MAX_LIMIT
from pms.roles import IsAdmin

from . import services
from .api import PersonView
from .api_aliases import person_or_moved
from .duplicates import person_duplicates
from .models import Person


class DocumentMatchSerializer(serializers.Serializer):
    kind = serializers.CharField()
    issuing_country = serializers.CharField()
    document = serializers.CharField(
        source="label", help_text="Kind, series and the masked number."
    )
    document_id = serializers.IntegerField(help_text="This person's document.")
    their_document_id = serializers.IntegerField(source="other_document_id")


class DuplicateSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(source="person.pk")
    full_name = serializers.CharField(source="person.full_name")
    birth_date = serializers.DateField(source="person.birth_date", allow_null=True)
    matches = DocumentMatchSerializer(many=True)


class PersonDuplicatesView(APIView):
    """Possible duplicates of a person: others holding one of their documents
    (same kind, issuing country, series and number), and which."""

    @person_schema(
        operation_id="person_duplicates",
        moved=301,
        responses={200: DuplicateSerializer(many=True)},
        tags=["persons"],
    )
    def get(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "api-person-duplicates")
        rows = person_duplicates(person_id)[:MAX_LIMIT]
        if rows:  # their names, birth dates and the documents they share
            ids = [person_id, *(row.person.pk for row in rows)]
            record_accesses(request, ids, Kind.DUPLICATES)
        return Response(DuplicateSerializer(rows, many=True).data)


class MergeRequestSerializer(serializers.Serializer):
    into = serializers.IntegerField(
        min_value=1, help_text="The person that stays (usually the older ID)."
    )


class PersonMergeView(APIView):
    """Merge this person into ``into``: stays, documents, visas, migration
    card, history and EMIS jobs move there and this ID becomes an alias."""

    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="person_merge",
        description=(
            "Merges this person into `into`, which must exist (else a 404, "
            "as for this person's ID) and be another, unmerged person (else "
            "a 409 with its code)."
        ),
        request=MergeRequestSerializer,
        responses={
            200: OpenApiResponse(description="The survivor, as GET /persons/{id}/"),
            409: OpenApiResponse(
                description=(
                    "`merge_into_itself`, `merge_into_alias`, `already_merged`, "
                    "`same_reservation` or `rows_conflict`"
                )
            ),
        },
        tags=["persons"],
    )
    def post(self, request: Request, person_id: int) -> Response:
        body = validated(MergeRequestSerializer(data=request.data))
        try:
            survivor = services.person_merge(
                person_id=person_id,
                into_id=body["into"],
                user=request.user,
            )
        except Person.DoesNotExist:
            raise NotFound from None
        except services.MergeRefused as exc:
            raise Conflict(exc.message, exc.code) from None
        # The survivor as GET /persons/{id}/ answers it, ETag included.
        view = PersonView(
            request=request,
            args=(),
            kwargs={"person_id": survivor.pk},
            format_kwarg=None,
        )
        return view.retrieve(request)
