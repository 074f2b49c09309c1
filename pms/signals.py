"""A user's API tokens die when the password changes or the user is deactivated.

Sessions need nothing from us: Django keeps a hash of the password in each
session and drops the session once it no longer matches, and it refuses an
inactive user's session. A token carries no such hash, hence this signal.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import pre_save
from rest_framework.authtoken.models import Token

_WATCHED = {"password", "is_active"}


def connect() -> None:
    pre_save.connect(
        revoke_tokens_on_credentials_change,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="pms.revoke_tokens_on_credentials_change",
    )


def revoke_tokens_on_credentials_change(
    sender, instance, raw=False, update_fields=None, **kwargs
) -> None:
    """Compare with the stored row; delete the tokens before the save (if the
    save then fails, the user has lost nothing but a token)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return  # e.g. the last_login update at every login: no extra query
    stored = sender.objects.filter(pk=instance.pk).values(*_WATCHED).first()
    if stored is None:
        return
    # A password re-hashed at login (a stronger hasher) also counts: the
    # client that logged in gets a new token at once, others log in again.
    password_changed = stored["password"] != instance.password
    deactivated = stored["is_active"] and not instance.is_active
    if password_changed or deactivated:
        Token.objects.filter(user_id=instance.pk).delete()
