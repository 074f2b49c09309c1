"""POST /api/v1/auth/token/: exchange a username and password for a token."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class TokenView(ObtainAuthToken):
    """Login-free. No session authentication here, so a browser that is
    logged in needs no CSRF token to call it; wrong credentials give 400
    ``{"non_field_errors": [...]}`` from DRF's serializer."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()})
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
