"""Bulk INSERT and UPDATE for the apply service, without the ORM's per-object
expression building.

Django's ``bulk_update`` builds a ``CASE WHEN`` expression per object and
field in Python; for a page of 200 persons that costs seconds, far more
than the database work. Here an update is one ``UPDATE … FROM (VALUES …)``
statement on PostgreSQL (other databases keep ``bulk_update``), and inserts
are plain multi-row ``INSERT``s. Values still go through each field's
``pre_save``/``get_db_prep_save``, so they are stored exactly as the ORM
would store them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import islice

from django.db import connection, models

_MAX_ROWS = 1000  # per statement: bounded memory and statement size


def _chunks(rows: Sequence, size: int):
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _batch_size(n_fields: int) -> int:
    limit = connection.features.max_query_params
    return max(1, min(_MAX_ROWS, limit // n_fields)) if limit else _MAX_ROWS


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT new model objects (their pks are not read back)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        for obj in objs
    ]
    insert_rows(model, fields, rows)


def insert_rows(
    model: type[models.Model], fields: Sequence[models.Field], rows: Sequence[Sequence]
) -> None:
    """INSERT rows already prepared for the database, one value per field."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor, "copy_expert"):
            # COPY is several times faster than INSERT for thousands of rows
            # (a sync page writes one history row per changed field).
            cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", _csv(rows)
            )
            return
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for chunk in _chunks(rows, _batch_size(len(fields))):
            values = ", ".join([row_sql] * len(chunk))
            # Table and column names come from model meta, values are params.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _csv_value(value) -> str:
    # Unquoted empty is NULL in COPY's CSV format; everything else is quoted.
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "t" if value else "f"
    return '"' + str(value).replace('"', '""') + '"'


def _csv(rows: Sequence[Sequence]) -> io.StringIO:
    return io.StringIO(
        "".join(",".join(_csv_value(v) for v in row) + "\n" for row in rows)
    )


def update(
    model: type[models.Model], objs: Sequence[models.Model], field_names: Sequence[str]
) -> None:
    """UPDATE the given fields of saved objects to their in-memory values."""
    if not objs or not field_names:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, list(field_names))
        return
    fields = [model._meta.get_field(name) for name in field_names]
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    # VALUES columns are untyped until cast: cast each to its column's type.
    assignments = ", ".join(
        f"{qn(f.column)} = v.c{i}::{f.db_type(connection)}"
        for i, f in enumerate(fields)
    )
    aliases = ", ".join(["pk"] + [f"c{i}" for i in range(len(fields))])
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    rows = [
        [obj.pk]
        + [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, _MAX_ROWS):
            values = ", ".join([row_sql] * len(chunk))
            sql = (
                f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 (meta names)
                f"FROM (VALUES {values}) AS v({aliases}) WHERE t.{pk} = v.pk"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
