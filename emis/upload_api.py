"""POST /api/v1/persons/{person_id}/emis/upload-link/: the one-time EMIS
upload URL for a person, asked for there and then (same service as the
guest card's "Загрузить новые документы")."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from legal_entities.models import LegalEntity
from pms.api import validated
from pms.openapi import person_schema
from pms.roles import IsFrontDesk
from reservations.api_aliases import person_or_moved
from reservations.models import Person, Reservation

from .errors import EmisError
from .scope import ScopeError
from .upload import error_http_status, upload_link_create


class UploadLinkRequestSerializer(serializers.Serializer):
    legal_entity = serializers.PrimaryKeyRelatedField(
        # Inactive ones too: they are refused with their code (400).
        queryset=LegalEntity.objects.all(),
        help_text=(
            "ID of an active legal entity the person has a stay with "
            "(the EMIS `legal_entity_id`)."
        ),
    )
    reservation = serializers.PrimaryKeyRelatedField(
        queryset=Reservation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Optional reservation the person is a guest in.",
    )

    def validate(self, attrs):
        reservation = attrs.get("reservation")
        person = self.context["person"]
        if reservation and not reservation.stays.filter(person=person).exists():
            raise serializers.ValidationError(
                {"reservation": [_("The person is not a guest in this reservation.")]}
            )
        return attrs


class UploadLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="EMIS's single-use, short-lived URL.")
    expires_at = serializers.CharField(help_text="RFC 3339 timestamp from EMIS.")


_Error = inline_serializer(
    "EmisErrorResponse",
    fields={
        "error": inline_serializer(
            "EmisErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
            },
        )
    },
)


class UploadLinkView(APIView):
    permission_classes = [IsFrontDesk]

    @person_schema(
        operation_id="emis_upload_link_create",
        summary="One-time EMIS upload URL for a person",
        description=(
            "Asks EMIS for a fresh web session (the web credentials are sent "
            "server-side only) and returns its single-use URL, only when it "
            "lies on the configured EMIS address. Every call that passes the "
            "legal-entity check is recorded as an upload-link click.\n\n"
            "Errors:\n"
            '- **400** field errors (`{"legal_entity": [...]}`, '
            '`{"reservation": [...]}`) for an unknown ID, or `{"detail", '
            '"code"}`: `legal_entity_inactive` (the legal entity is '
            "inactive), `no_stay_with_legal_entity` (the person has no stay in "
            "a reservation of that legal entity, or of the given reservation);\n"
            '- **403** `{"detail"}`: the user\'s role may not ask;\n'
            '- **409** `{"detail", "code"}`: `person_data_erased`;\n'
            'EMIS\'s own errors are `{"error": {"code", "message"}}` '
            "(`EmisErrorResponse`, as the guest card shows them):\n"
            "- **503** EMIS unavailable, a retry may help: `not_configured` "
            "(integration inactive or incomplete), `timeout`, `unreachable`, "
            "`server_error`, `rate_limited` (with `Retry-After` when EMIS "
            "gave one);\n"
            "- **502** EMIS answered but refused or broke the contract: "
            "`api_auth_failed`, `web_auth_failed`, `bad_request`, "
            "`bad_response`, `person_not_found`, `emis_bad_answer` (EMIS named "
            "a URL outside its configured address; never returned)."
        ),
        request=UploadLinkRequestSerializer,
        responses={
            200: UploadLinkSerializer,
            400: OpenApiResponse(
                description=(
                    "Unknown legal entity or reservation (field errors), an "
                    "inactive legal entity (`legal_entity_inactive`) or no "
                    "stay with it (`no_stay_with_legal_entity`)."
                )
            ),
            409: OpenApiResponse(
                description="The guest's personal data was erased and they "
                "have no stay since (`person_data_erased`)."
            ),
            404: OpenApiResponse(description="No person with this ID."),
            502: _Error,
            503: _Error,
        },
        moved=308,
        tags=["emis"],
    )
    def post(self, request: Request, person_id: int) -> Response:
        person_or_moved(request, person_id, "emis-upload-link")
        person = get_object_or_404(Person, pk=person_id)
        body = validated(
            UploadLinkRequestSerializer(data=request.data, context={"person": person})
        )
        try:
            link = upload_link_create(
                person=person,
                legal_entity=body["legal_entity"],
                reservation=body.get("reservation"),
                user=request.user,
            )
        except ScopeError as exc:
            return Response(exc.as_api_error(), status=exc.api_status)
        except EmisError as exc:
            headers = (
                {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else {}
            )
            return Response(
                {"error": exc.as_dict()}, status=error_http_status(exc), headers=headers
            )
        body = UploadLinkSerializer(
            {"url": link.url, "expires_at": link.expires_at}
        ).data
        return Response(body, headers={"Cache-Control": "no-store"})


urlpatterns = [
    path(
        "persons/<id:person_id>/emis/upload-link/",
        UploadLinkView.as_view(),
        name="emis-upload-link",
    ),
]
