"""Shared bits of the integrations tests."""

from django.db import connection

from integrations.connectors.emis.models import EmisConnection

API_PASSWORD = "Api-Pa55-word-71"
WEB_PASSWORD = "Web-Pa55-word-93"


def save_connection(**values) -> EmisConnection:
    data = {
        "base_url": "https://emis.test",
        "web_login": "pms-web",
        "web_password": WEB_PASSWORD,
        "api_login": "pms-api",
        "api_password": API_PASSWORD,
        "is_active": True,
    }
    data.update(values)
    obj, _ = EmisConnection.objects.update_or_create(pk=1, defaults=data)
    return obj


def raw_row() -> tuple:
    """The connection row exactly as stored, past every Django field."""
    table = EmisConnection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return cursor.fetchone()
