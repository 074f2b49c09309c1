"""The EMIS connection as the tests save it: the page's form, the API's body, the
stored row. Shared by tests/integrations/, tests/emis/connection/ and
tests/security/."""

from django.db import connection

from emis.models import EmisConnection

API_PASSWORD = "Api-Pa55-word-71"
WEB_PASSWORD = "Web-Pa55-word-93"


def connection_form(**values) -> dict:
    """What the EMIS connection page posts to save an active connection."""
    data = {
        "base_url": "https://emis.test",
        "web_login": "pms-web",
        "web_password": WEB_PASSWORD,
        "api_login": "pms-api",
        "api_password": API_PASSWORD,
        "is_active": "on",
        "action": "save",
    }
    data.update(values)
    return data


def sandbox_form(sandbox, **values) -> dict:
    """The connection page's form filled in for a running sandbox."""
    accounts = {
        "base_url": sandbox.base_url,
        "web_login": sandbox.web_login,
        "web_password": sandbox.web_password,
        "api_login": sandbox.api_login,
        "api_password": sandbox.api_password,
    }
    return connection_form(**{**accounts, **values})


def connection_body(**values) -> dict:
    """The same connection as the API takes it (``is_active`` a boolean)."""
    data = {**connection_form(), "is_active": True}
    del data["action"]
    data.update(values)
    return data


def save_connection(**values) -> EmisConnection:
    data = connection_body(**values)
    obj, _ = EmisConnection.objects.update_or_create(pk=1, defaults=data)
    return obj


def raw_row() -> tuple:
    """The connection row exactly as stored, past every Django field."""
    table = EmisConnection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return cursor.fetchone()
