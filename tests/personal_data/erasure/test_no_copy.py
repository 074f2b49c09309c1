"""After an erasure no table of the database holds any erased value: every
table the database has (``connection.introspection``, whichever app made
it) is read whole and every text and JSON value searched, JSON decoded too
(SQLite stores Cyrillic in JSON as \\u escapes)."""

from __future__ import annotations

import contextlib
import json

import pytest
from django.db import connection

from personal_data.erasure import person_erase

from .conftest import BIRTH_DATE, ERASED_VALUES

pytestmark = pytest.mark.django_db


def _texts(value) -> list[str]:
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, bytes | memoryview):
        return [bytes(value).decode("utf-8", "replace")]
    if not isinstance(value, str):
        return [str(value)] if hasattr(value, "isoformat") else []
    texts = [value]
    if value[:1] in ("{", "[", '"'):
        with contextlib.suppress(ValueError):
            texts.append(json.dumps(json.loads(value), ensure_ascii=False))
    return texts


def database_holds(needles) -> dict[str, list[str]]:
    """Each needle → the ``table.column`` places holding it, in every table."""
    found: dict[str, list[str]] = {n: [] for n in needles}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}"  # noqa: S608
            )
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for text in _texts(value):
                        for needle in needles:
                            if needle in text:
                                found[needle].append(f"{table}.{column}")
    return {n: places for n, places in found.items() if places}


def test_no_table_holds_an_erased_value(guest, admin_user):
    before = database_holds(ERASED_VALUES)
    # The search finds what is there: every value was stored somewhere.
    assert set(before) == set(ERASED_VALUES), set(ERASED_VALUES) - set(before)
    assert len({p for places in before.values() for p in places}) > 10

    person_erase(person_id=guest.person.pk, user=admin_user, reason="Заявление гостя")

    assert database_holds(ERASED_VALUES) == {}


def test_the_birth_date_column_is_erased_too(guest, admin_user):
    person_erase(person_id=guest.person.pk, user=admin_user, reason="Заявление гостя")
    guest.person.refresh_from_db()
    assert guest.person.birth_date is None
    assert str(guest.person.birth_date) != BIRTH_DATE
