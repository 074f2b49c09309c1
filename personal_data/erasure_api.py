"""/api/v1/persons/{id}/erase/ and /api/v1/persons/{id}/export/ (admins).

Views only route: ``erasure.person_erase`` writes, ``export.person_export``
reads, and the export is recorded as a read of the person's data."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pms.api import Conflict, validated
from pms.openapi import error_response, person_schema
from pms.roles import IsAdmin
from reservations.api_aliases import person_or_moved
from reservations.models import Person

from .access_log import record_access
from .erasure import REASON_MAX, ErasureRefused, person_erase
from .export import person_export
from .models import PersonErasure


class EraseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        help_text="Why (e.g. the guest's written request of 2026-11-20). "
        "Stored and shown on the card: do not put the guest's name in it.",
    )


class ErasureSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason_text")

    class Meta:
        model = PersonErasure
        fields = ["person_id", "erased_at", "rule", "reason", "user_id"]


class PersonEraseView(APIView):
    """Erase the person's personal data now (what the retention rule does):
    names, birth data, contacts, documents, visas, the migration card, the
    history's values. The person ID, stays and dates stay."""

    permission_classes = [IsAdmin]

    @person_schema(
        operation_id="person_erase",
        request=EraseRequestSerializer,
        responses={
            200: ErasureSerializer,
            409: error_response(
                "`person_has_current_stay`: a current or future stay; "
                "`already_erased`: erased before and nothing entered since"
            ),
        },
        moved=308,
        tags=["persons"],
    )
    def post(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "api-person-erase")
        body = validated(EraseRequestSerializer(data=request.data))
        try:
            erasure = person_erase(
                person_id=person_id,
                user=request.user,
                reason=body["reason"],
            )
        except Person.DoesNotExist:
            raise NotFound from None
        except ErasureRefused as exc:
            raise Conflict(exc.message, exc.code) from None
        except ValueError as exc:  # a reason of blanks
            raise ValidationError({"reason": [str(exc)]}) from None
        return Response(ErasureSerializer(erasure).data)


class PersonExportView(APIView):
    """Everything the PMS holds about the person, for the data subject's
    request, full values included. Recorded in the access log."""

    permission_classes = [IsAdmin]

    @person_schema(
        operation_id="person_export",
        responses={
            200: OpenApiResponse(description="The export (JSON object)"),
        },
        moved=301,
        tags=["persons"],
    )
    def get(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "api-person-export")
        data = person_export(person_id=person_id)
        record_access(request, person_id, "export")
        return Response(data)
