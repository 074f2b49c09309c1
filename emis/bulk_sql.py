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

import csv
import io
import json
from collections.abc import Sequence
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

_MAX_ROWS = 1000  # per statement: bounded memory and statement size


def _wrapper():
    """This thread's database wrapper itself. ``django.db.connection`` is a
    proxy that looks the wrapper up on every attribute access: passed to
    hundreds of thousands of ``get_db_prep_save`` calls per sync page, that
    lookup cost more than the conversions."""
    return connections[DEFAULT_DB_ALIAS]


# Field classes whose database form of a value of the paired type is the
# value itself on every backend (exact classes: a subclass such as an
# encrypted text field may transform it).
_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
}


def _prep(field: models.Field, value: Any, db) -> Any:
    """``field.get_db_prep_save(value)``, skipped where it returns the value
    unchanged: a sync page prepares hundreds of thousands of values."""
    if _AS_IS.get(field.__class__) is value.__class__:
        return value
    return field.get_db_prep_save(value, db)


def _chunks(rows: Sequence, size: int):
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _batch_size(n_fields: int) -> int:
    limit = connection.features.max_query_params
    return max(1, min(_MAX_ROWS, limit // n_fields)) if limit else _MAX_ROWS


def select_in(
    model: type[models.Model], field_name: str, values: Sequence
) -> list[models.Model]:
    """The objects whose ``field_name`` is one of ``values``, in the model's
    ``Meta.ordering``, read through ``Manager.raw``: for the few rows a
    webhook reads, the ORM's query compiler costs twice the query itself.
    Rows are converted by the same field converters as a QuerySet's."""
    if not values:
        return []
    meta = model._meta
    ordering = [meta.pk.name if o == "pk" else o for o in meta.ordering]
    if not all(isinstance(o, str) and "__" not in o for o in ordering):
        return list(model.objects.filter(**{f"{field_name}__in": values}))
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in meta.concrete_fields)
    column = qn(meta.get_field(field_name).column)
    marks = ", ".join(["%s"] * len(values))
    sql = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {column} IN ({marks})"  # noqa: S608
    if ordering:
        sql += " ORDER BY " + ", ".join(
            qn(meta.get_field(o.lstrip("-")).column) + (" DESC" if o[0] == "-" else "")
            for o in ordering
        )
    return list(model.objects.raw(sql, list(values)))


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    # A generated column (IdentityDocument.number_key) is the database's to
    # fill: naming it in an INSERT is an error.
    return [
        f for f in model._meta.concrete_fields if not (f.primary_key or f.generated)
    ]


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT new model objects (their pks are not read back)."""
    fields = _insert_fields(model)
    db = _wrapper()
    rows = [[_insertable(f, f.pre_save(obj, True), db) for f in fields] for obj in objs]
    insert_rows(model, fields, rows)


def _insertable(field: models.Field, value: Any, db) -> Any:
    # JSON as its text: PostgreSQL's COPY reads text, and psycopg's JSON
    # adapter (what get_db_prep_save gives) would arrive quoted.
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder)
    return _prep(field, value, db)


def insert_unless_conflict(obj: models.Model) -> models.Model | None:
    """INSERT one new object unless a row with one of its unique values
    exists: the object (its pk set), or None.

    ``ON CONFLICT DO NOTHING`` instead of catching an IntegrityError: no
    savepoint is needed around it. As with a plain INSERT, a concurrent
    transaction inserting the same value makes this one wait for its end
    (then None if it committed, the new row if it rolled back).
    """
    pk = connection.ops.quote_name(type(obj)._meta.pk.column)
    row = _insert_one(obj, f" ON CONFLICT DO NOTHING RETURNING {pk}")
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    return obj


def insert_one(obj: models.Model) -> None:
    """INSERT one new object (its pk is not read back): one statement with
    no query compiling, for a row written on every webhook."""
    _insert_one(obj, "")


def _insert_one(obj: models.Model, suffix: str):
    model = type(obj)
    fields = _insert_fields(model)
    db = _wrapper()
    values = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608 (meta names)
        f"VALUES ({marks}){suffix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() if suffix else None


def insert_rows(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence],
    *,
    constants: Sequence[tuple[models.Field, Any]] = (),
) -> None:
    """INSERT rows already prepared for the database, one value per field,
    each followed by the ``constants`` (field, prepared value) shared by all."""
    if not rows:
        return
    fields = [*fields, *(f for f, _value in constants)]
    tail = tuple(value for _field, value in constants)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor, "copy_expert"):
            # COPY is several times faster than INSERT for thousands of rows
            # (a sync page writes one history row per changed field).
            data, options = _csv(fields, rows, tail)
            cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN WITH ({options})", data
            )
            return
        if tail:
            rows = [(*row, *tail) for row in rows]
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


def _csv(fields: Sequence[models.Field], rows: Sequence[Sequence], tail: tuple):
    """The rows, each followed by ``tail``, as COPY CSV data; and the COPY
    options that read them back."""
    nullable = [f for f in fields if f.null]
    if any(isinstance(f, models.CharField | models.TextField) for f in nullable):
        # A nullable text column must tell "" from NULL: quote value by value.
        data = "".join(
            ",".join(_csv_value(v) for v in (*row, *tail)) + "\n" for row in rows
        )
        return io.StringIO(data), "FORMAT csv"
    # The C csv writer is ~10x faster than formatting in Python (a sync page
    # writes thousands of history rows). It quotes None as "" too; FORCE_NULL
    # turns that back into NULL, and only nullable non-text columns get it,
    # where "" could never be a value. The constant tail is formatted once
    # and written as part of each line's terminator.
    end = "\n"
    if tail:
        formatted = io.StringIO()
        csv.writer(formatted, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(tail)
        end = "," + formatted.getvalue()
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator=end).writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv"
    if nullable:
        qn = connection.ops.quote_name
        options += f", FORCE_NULL ({', '.join(qn(f.column) for f in nullable)})"
    return buffer, options


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
    db = _wrapper()
    rows = [
        [obj.pk] + [_prep(f, getattr(obj, f.attname), db) for f in fields]
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


class Pending:
    """Model objects to write in bulk: new ones inserted, changed ones
    updated (only the fields marked)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.new: dict[int, models.Model] = {}  # by id(): each object once
        self.changed: dict[int, models.Model] = {}
        self.fields: set[str] = set()

    def mark(self, obj: models.Model, changes: Sequence, names: Sequence[str]) -> None:
        if obj.pk is None:
            self.new[id(obj)] = obj
        elif changes or names:
            self.changed[id(obj)] = obj
            self.fields.update(names)

    def save(self, now) -> None:
        insert(self.model, list(self.new.values()))
        if self.changed and self.fields:
            objs = list(self.changed.values())
            for obj in objs:
                obj.updated_at = now  # a bulk update skips auto_now
            update(self.model, objs, sorted(self.fields | {"updated_at"}))
