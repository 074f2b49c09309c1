"""``GET /api/v1/emis/deliveries/``: the delivery log for admins, newest
first, paginated like every list (``pms/pagination.py``)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from emis.models import EmisDelivery
from pms.api import validated
from pms.roles import IsAdmin

from .selectors import delivery_list


class DeliveryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=EmisDelivery.Status.choices, required=False
    )
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    legal_entity = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False
    )
    delivery = serializers.CharField(max_length=100, required=False)
    signed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only deliveries whose signature was verified (EMIS's); "
        "false: only requests refused before (401, 413, 429, …).",
    )

    def to_internal_value(self, data):
        # DRF reads "?status=" in a query string as "not given"; the document
        # says a given filter has a value, so a blank one is a 400.
        blank = [name for name in self.fields if data.get(name) == ""]
        if blank:
            message = serializers.CharField.default_error_messages["blank"]
            raise serializers.ValidationError({name: [message] for name in blank})
        return super().to_internal_value(data)


class BadFieldSerializer(serializers.Serializer):
    path = serializers.CharField()
    reason = serializers.CharField()


class DeliverySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="error_code")
    bad_fields = BadFieldSerializer(many=True)

    class Meta:
        model = EmisDelivery
        fields = [
            "id",
            "delivery_id",
            "received_at",
            "status",
            "http_status",
            "code",
            "person_id",
            "legal_entity_id",
            "version",
            "bad_fields",
            "signed",
        ]


class DeliveryListView(generics.ListAPIView):
    """Every webhook delivery EMIS (or anyone) sent: applied, unchanged,
    duplicate, stale, rejected (400/401/403/404/413/429) or failed (5xx), with
    each bad field's path and reason for a 400. No body, no passport value."""

    permission_classes = [IsAdmin]
    serializer_class = DeliverySerializer

    @extend_schema(
        operation_id="emis_delivery_list",
        parameters=[DeliveryFilterSerializer],
        tags=["emis"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        wanted = validated(DeliveryFilterSerializer(data=self.request.query_params))
        return delivery_list(
            status=wanted.get("status"),
            person_id=wanted.get("person"),
            legal_entity_id=wanted.get("legal_entity"),
            delivery_id=wanted.get("delivery"),
            signed=wanted.get("signed"),
        )


urlpatterns = [
    path("emis/deliveries/", DeliveryListView.as_view(), name="emis-deliveries"),
]
