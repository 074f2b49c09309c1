"""/api/v1/integrations/emis/: the connection (admin role).

Passwords are write-only: omitted keeps the stored one, ``""`` or null
clears it; responses say only ``*_password_set``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.secrets import SecretKeyError, SecretState
from pms.roles import IsAdmin

from .connector import problem
from .selectors import PUBLIC_FIELDS, connection_settings, secret_states
from .services import emis_connection_test, emis_connection_update


def _secret_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        max_length=500,
        style={"input_type": "password"},
    )


class EmisConnectionSerializer(serializers.Serializer):
    base_url = serializers.URLField(allow_blank=True, max_length=200)
    web_login = serializers.CharField(allow_blank=True, max_length=200)
    api_login = serializers.CharField(allow_blank=True, max_length=200)
    is_active = serializers.BooleanField()
    web_password = _secret_field()
    api_password = _secret_field()
    web_password_set = serializers.BooleanField(read_only=True)
    api_password_set = serializers.BooleanField(read_only=True)
    # Set when a stored secret cannot be decrypted with the configured keys.
    secrets_error = serializers.CharField(read_only=True, allow_null=True)


class EmisConnectionTestSerializer(serializers.Serializer):
    base_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    api_login = serializers.CharField(required=False, allow_blank=True, max_length=200)
    api_password = _secret_field()


class _ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EmisConnectionTestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    error = _ErrorSerializer(required=False)


def _representation() -> dict:
    conn = connection_settings()
    states = secret_states()
    data = {name: getattr(conn, name) for name in PUBLIC_FIELDS}
    for name, state in states.items():
        data[f"{name}_set"] = state != SecretState.UNSET
    data["secrets_error"] = problem() or None
    return data


class EmisConnectionView(GenericAPIView):
    permission_classes = [IsAdmin]
    serializer_class = EmisConnectionSerializer

    def get(self, request: Request) -> Response:
        return Response(_representation())

    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)

    def _save(self, request: Request, *, partial: bool) -> Response:
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = _representation()
        values = {
            name: serializer.validated_data.get(name, current[name])
            for name in PUBLIC_FIELDS
        }
        for name in ("web_password", "api_password"):
            if name in serializer.validated_data:
                values[name] = serializer.validated_data[name] or ""  # null clears
        try:
            emis_connection_update(**values, user=request.user)
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        except SecretKeyError as exc:
            return Response(
                {"detail": str(exc)}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
            )
        return Response(_representation())


class EmisConnectionTestView(GenericAPIView):
    permission_classes = [IsAdmin]
    serializer_class = EmisConnectionTestSerializer

    @extend_schema(responses=EmisConnectionTestResultSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = emis_connection_test(
            base_url=data.get("base_url"),
            api_login=data.get("api_login"),
            api_password=data.get("api_password"),
        )
        return Response(result.as_dict())


urlpatterns = [
    path("", EmisConnectionView.as_view(), name="emis-connection"),
    path("test/", EmisConnectionTestView.as_view(), name="emis-connection-test"),
]
