"""API tokens that expire after one working shift (PMS_API_TOKEN_TTL_HOURS).

DRF's token model and header (``Authorization: Token <key>``); a token older
than the TTL is refused with 401, and the token endpoint then issues a new
one. Tokens die earlier when their user's password changes or the user is
deactivated (``pms.signals``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication that also refuses an expired token."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("Token expired."))
        return user, token


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(hours=settings.PMS_API_TOKEN_TTL_HOURS)


def token_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


def token_for_user(*, user) -> Token:
    """The user's token; a new one in place of an expired one.

    Two clients logging in at once both end with the one new token: the
    delete is by the old key, and ``get_or_create`` re-reads on a clash.
    """
    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        Token.objects.filter(pk=token.pk).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token
