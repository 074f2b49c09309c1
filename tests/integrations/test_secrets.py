"""Secrets at rest: encryption, rotation, wrong keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from emis.models import EmisConnection
from integrations import secrets
from integrations.secrets import SecretKeyError, SecretState, encrypted_fields
from tests.support.emis_connection import (
    API_PASSWORD,
    WEB_PASSWORD,
    raw_row,
    save_connection,
)

pytestmark = pytest.mark.django_db


def test_raw_column_holds_no_plaintext_password():
    save_connection()
    stored = " ".join(str(v) for v in raw_row())
    assert API_PASSWORD not in stored
    assert WEB_PASSWORD not in stored
    assert "pms-api" in stored  # the row really was read
    conn = EmisConnection.load()
    assert (conn.api_password, conn.web_password) == (API_PASSWORD, WEB_PASSWORD)


def test_empty_secret_stays_empty_not_ciphertext_of_nothing():
    save_connection(api_password="")
    assert "" in raw_row()
    assert EmisConnection.load().api_password == ""


def test_generated_key_file_is_private_and_reused(settings):
    save_connection()
    path = settings.PMS_ENCRYPTION_KEY_FILE
    assert path.exists()
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_bytes()
    save_connection(api_password="other")
    assert path.read_bytes() == first
    assert EmisConnection.load().api_password == "other"


def test_configured_keys_take_precedence_over_the_key_file(settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection()
    assert not settings.PMS_ENCRYPTION_KEY_FILE.exists()


def test_wrong_key_is_a_loud_error_never_ciphertext_or_empty(settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection()
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        EmisConnection.load()


def test_malformed_key_is_a_clear_error(settings):
    settings.PMS_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(SecretKeyError, match="malformed key"):
        secrets.encrypt("x")


def test_secret_state_tells_set_unset_and_unreadable(settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = secrets.encrypt("pw")
    assert secrets.secret_state(token) == SecretState.SET
    assert secrets.secret_state("") == SecretState.UNSET
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert secrets.secret_state(token) == SecretState.UNREADABLE


def test_encrypted_fields_finds_both_connection_passwords():
    assert {(m, f) for m, f in encrypted_fields() if m is EmisConnection} == {
        (EmisConnection, "web_password"),
        (EmisConnection, "api_password"),
    }


def test_rotation_moves_secrets_to_the_new_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PMS_ENCRYPTION_KEYS = [old]
    save_connection()
    before = raw_row()

    settings.PMS_ENCRYPTION_KEYS = [new, old]  # new key first, old still decrypts
    assert EmisConnection.load().api_password == API_PASSWORD
    call_command("rotate_encryption_keys")
    after = raw_row()
    assert after != before

    settings.PMS_ENCRYPTION_KEYS = [new]  # old key removed
    conn = EmisConnection.load()
    assert (conn.api_password, conn.web_password) == (API_PASSWORD, WEB_PASSWORD)

    settings.PMS_ENCRYPTION_KEYS = [old]  # the old key alone no longer reads it
    with pytest.raises(SecretKeyError):
        EmisConnection.load()


def test_without_rotation_removing_the_old_key_fails_clearly(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PMS_ENCRYPTION_KEYS = [old]
    save_connection()
    settings.PMS_ENCRYPTION_KEYS = [new]
    with pytest.raises(SecretKeyError):
        EmisConnection.load()


def test_rotation_with_a_missing_key_stops_with_a_clear_message(settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection()
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="EmisConnection.api_password|web_password"):
        call_command("rotate_encryption_keys")


def test_rotation_skips_empty_values(settings):
    settings.PMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    save_connection(web_password="")
    call_command("rotate_encryption_keys")
    assert EmisConnection.load().web_password == ""
