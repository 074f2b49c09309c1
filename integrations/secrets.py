"""Secrets at rest: MultiFernet over the keys in PMS_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put first
and ``manage.py rotate_encryption_keys`` re-encrypts all stored secrets with
it before the old one is dropped. With no keys configured (the embedded
defaults) one is generated once into an untracked file under var/.

A missing or wrong key raises ``SecretKeyError`` — never ciphertext passed on
as if it were the password, never an empty value.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretKeyError(ImproperlyConfigured):
    """The stored secret cannot be decrypted with the configured keys."""


def _keys() -> list[bytes]:
    keys = [k.strip() for k in settings.PMS_ENCRYPTION_KEYS if k.strip()]
    if keys:
        return [k.encode() for k in keys]
    path = settings.PMS_ENCRYPTION_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once cannot both write a key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
    return [path.read_bytes().strip()]


def fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in _keys()])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError(
            "PMS_ENCRYPTION_KEYS holds a malformed key: each key must be a "
            "url-safe base64 Fernet key (Fernet.generate_key())."
        ) from exc


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(
            "A stored secret cannot be decrypted with PMS_ENCRYPTION_KEYS: the "
            "key it was written with is missing. Add that key back (after the "
            "new one) and run `manage.py rotate_encryption_keys`."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt with the first key (raises SecretKeyError like decrypt)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError("A stored secret cannot be decrypted for rotation.") from exc


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext ("" when unset).

    Every model using it is found by ``rotate_encryption_keys`` through
    ``encrypted_fields()`` below, so a future secret needs no extra wiring.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return ""
        return encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    from django.apps import apps

    return [
        (model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
