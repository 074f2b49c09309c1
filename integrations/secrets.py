"""Secrets at rest: MultiFernet over the keys in PMS_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put first
and ``manage.py rotate_encryption_keys`` re-encrypts all stored secrets with
it before the old one is dropped. With no keys configured (the embedded
defaults) one is generated once into an untracked file under var/.

A missing or wrong key raises ``SecretKeyError`` — never ciphertext passed on
as if it were the password, never an empty value. A decrypted value is a
``Secret``: a str to every caller, stars to ``repr()``; the functions holding
keys or plaintext are marked for the error reporter (pms/error_reporting.py).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Cast
from django.views.decorators.debug import sensitive_variables


class SecretKeyError(ImproperlyConfigured):
    """The stored secret cannot be decrypted with the configured keys."""


class Secret(str):
    """A decrypted secret. A plain ``str`` for every use (HTTP Basic, HMAC,
    comparisons), but its ``repr()`` — an error page's variables, ``%r`` in a
    log line, a dict or dataclass repr — never shows the value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


@sensitive_variables()
def _configured_keys() -> list[str]:
    keys = getattr(settings, "PMS_ENCRYPTION_KEYS", None) or []
    if isinstance(keys, str):  # tolerate a raw "k1,k2" set in code
        keys = keys.split(",")
    return [k.strip() for k in keys if k and k.strip()]


def _key_file() -> Path:
    return Path(settings.PMS_ENCRYPTION_KEY_FILE)


def _create_key_file(path: Path) -> None:
    """Write a new key so no reader ever sees an empty or half-written file.

    The key goes to a temporary file first and is hard-linked into place:
    the link fails if another process got there first, and then its key wins.
    Only its owner may read it: mkstemp creates it 0600, in a 0700 directory.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


@sensitive_variables()
def _keys() -> list[bytes]:
    keys = _configured_keys()
    if keys:
        return [k.encode() for k in keys]
    path = _key_file()
    if not path.exists():
        _create_key_file(path)
    return [path.read_bytes().strip()]


def _key_source() -> str:
    if _configured_keys():
        return "PMS_ENCRYPTION_KEYS"
    return f"the key file {_key_file()}"


@sensitive_variables()
def fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in _keys()])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError(
            f"{_key_source()} holds a malformed key: each key must be a "
            "url-safe base64 Fernet key (Fernet.generate_key())."
        ) from exc


@sensitive_variables()
def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


_KEY_MISSING = (
    "A stored secret cannot be decrypted with {source}: the key it was written "
    "with is missing. Add that key back (after the new one) and run "
    "`manage.py rotate_encryption_keys`, or enter the secret again."
)
_NOT_ROTATABLE = "A stored secret cannot be decrypted for rotation with {source}."


@sensitive_variables()
def _open(
    step: Callable[[MultiFernet, bytes], bytes], token: str, failure: str
) -> str:
    """``step`` (decrypt or rotate) on a stored token; a token that no
    configured key opens raises SecretKeyError with ``failure``."""
    try:
        return step(fernet(), token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(failure.format(source=_key_source())) from exc


@sensitive_variables()
def decrypt(token: str) -> str:
    return _open(MultiFernet.decrypt, token, _KEY_MISSING)


@sensitive_variables()
def rotate(token: str) -> str:
    """Re-encrypt with the first key (raises SecretKeyError like decrypt)."""
    return _open(MultiFernet.rotate, token, _NOT_ROTATABLE)


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext ("" when unset).

    Every model using it is found by ``rotate_encryption_keys`` through
    ``encrypted_fields()`` below, so a future secret needs no extra wiring.
    ``secret = True`` tells audit/history code to leave the value out.
    """

    secret = True

    @sensitive_variables("value")
    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return ""
        return Secret(decrypt(value))

    @sensitive_variables("value")
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


def raw(field_name: str) -> Cast:
    """The stored ciphertext of an encrypted column, as an annotation.

    Cast to a plain TextField so the field's decryption is not applied:
    used to tell "set" from "unset" without a key, and by key rotation.
    """
    return Cast(field_name, output_field=models.TextField())


def raw_value(token: str) -> models.Value:
    """A ciphertext to write with ``.update()`` without encrypting it again."""
    return models.Value(token, output_field=models.TextField())


class SecretState:
    UNSET = "unset"
    SET = "set"
    UNREADABLE = "unreadable"


@sensitive_variables()
def secret_state(token: str | None) -> str:
    """Whether a stored ciphertext holds a usable secret (never returns it)."""
    if not token:
        return SecretState.UNSET
    try:
        decrypt(token)
    except SecretKeyError:
        return SecretState.UNREADABLE
    return SecretState.SET
