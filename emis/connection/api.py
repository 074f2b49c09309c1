"""/api/v1/integrations/emis/: the connection (admin role).

Passwords are write-only: omitted keeps the stored one, ``""`` or null
clears it; responses say only ``*_password_set``. A changed ``base_url``
needs both passwords given again (400 naming them). Saving an active
connection with a new address or new API credentials first asks EMIS:
refused credentials are a 400; an EMIS that does not answer still saves,
with a ``warning``.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from integrations.secrets import SecretKeyError, SecretState
from pms.roles import IsAdmin

from .connector import problem
from .selectors import PUBLIC_FIELDS, SECRET_FIELDS, connection_settings, secret_states
from .services import emis_connection_test, emis_connection_update
from .validators import validate_api_login, validate_credential


def _secret_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        max_length=500,
        validators=[validate_credential],
        style={"input_type": "password"},
    )


_SAVE_RULES = (
    "Rules the schema cannot state (a 400 naming the fields): a new "
    "`base_url` needs both passwords given again (they were given for the "
    "old address). Saving an active connection with a new address or new "
    "API credentials first asks EMIS: credentials it refuses are a 400; an "
    "EMIS that does not answer still saves, with a `warning`."
)


class EmisConnectionSerializer(serializers.Serializer):
    base_url = serializers.URLField(allow_blank=True, max_length=200)
    web_login = serializers.CharField(
        allow_blank=True, max_length=200, validators=[validate_credential]
    )
    api_login = serializers.CharField(
        allow_blank=True, max_length=200, validators=[validate_api_login]
    )
    is_active = serializers.BooleanField()
    web_password = _secret_field()
    api_password = _secret_field()
    web_password_set = serializers.BooleanField(read_only=True)
    api_password_set = serializers.BooleanField(read_only=True)
    # Set when a stored secret cannot be decrypted with the configured keys.
    secrets_error = serializers.CharField(read_only=True, allow_null=True)


class EmisConnectionSavedSerializer(EmisConnectionSerializer):
    # Set when the values were saved although EMIS could not confirm them.
    warning = serializers.CharField(read_only=True, allow_null=True)


class EmisConnectionTestSerializer(serializers.Serializer):
    base_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    api_login = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        validators=[validate_api_login],
    )
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


def _field_errors(exc: DjangoValidationError) -> dict:
    """Django's per-field errors in DRF's shape (``non_field_errors``)."""
    errors = dict(exc.message_dict)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


_sensitive_dispatch = method_decorator(
    sensitive_post_parameters(*SECRET_FIELDS), name="dispatch"
)


@_sensitive_dispatch
class EmisConnectionView(GenericAPIView):
    permission_classes = [IsAdmin]
    serializer_class = EmisConnectionSerializer

    def get_object(self):
        # The one connection. DRF's OPTIONS answer asks for the object behind
        # PUT, and without this would look for a queryset there is none of.
        return connection_settings()

    def get(self, request: Request) -> Response:
        return Response(_representation())

    @extend_schema(responses=EmisConnectionSavedSerializer, description=_SAVE_RULES)
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(responses=EmisConnectionSavedSerializer, description=_SAVE_RULES)
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)

    @sensitive_variables()  # the serializer's repr shows the data it got
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
            saved = emis_connection_update(**values, user=request.user)
        except DjangoValidationError as exc:
            return Response(_field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        except SecretKeyError as exc:
            return Response(
                {"detail": str(exc)}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
            )
        return Response({**_representation(), "warning": saved.warning or None})


@_sensitive_dispatch
class EmisConnectionTestView(GenericAPIView):
    permission_classes = [IsAdmin]
    serializer_class = EmisConnectionTestSerializer

    @extend_schema(responses=EmisConnectionTestResultSerializer)
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = emis_connection_test(
            base_url=data.get("base_url"),
            api_login=data.get("api_login"),
            api_password=data.get("api_password"),
        )
        if result.code == "password_required":
            # The request lacks a value it must carry: a 400 naming it.
            errors = {name: [result.message] for name in result.fields}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict())


urlpatterns = [
    path("", EmisConnectionView.as_view(), name="emis-connection"),
    path("test/", EmisConnectionTestView.as_view(), name="emis-connection-test"),
]
