"""POST /api/v1/auth/token/: exchange a username and password for a token."""

from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .authentication import token_expires_at, token_for_user
from .lockout import LockedOut
from .parsers import DepthLimitedJSONParser


class TokenRequestSerializer(AuthTokenSerializer):
    # As long as a username can be: a longer one cannot log in, and would not
    # fit the failed-attempt record that the lockout writes.
    username = serializers.CharField(
        label=_("Username"), max_length=150, write_only=True
    )


# The password never shows on an error page (pms/error_reporting.py).
@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenView(ObtainAuthToken):
    """Login-free. No session authentication here, so a browser that is
    logged in needs no CSRF token to call it; wrong credentials give 400
    ``{"non_field_errors": [...]}`` from DRF's serializer, and a username or
    address locked out for too many of them 429 ``{"detail"}``. An expired
    token is replaced by a new one."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # ObtainAuthToken names its own parsers: DRF's JSON one has no depth limit.
    parser_classes = (FormParser, MultiPartParser, DepthLimitedJSONParser)
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            429: OpenApiResponse(
                description="Too many failed logins for this username or address"
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # Set by axes on this (DRF) request when it refused the login.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(request)
            raise serializers.ValidationError(serializer.errors)
        token = token_for_user(user=serializer.validated_data["user"])
        expires_at = serializers.DateTimeField().to_representation(
            token_expires_at(token)
        )
        return Response({"token": token.key, "expires_at": expires_at})


urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
