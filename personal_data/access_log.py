"""Writes and reads of the personal data access log (152-FZ: the operator
shows who processed a person's data).

``record_access`` is called wherever a page or an answer shows a person's
passport data; it costs one INSERT statement (one for a whole list of
persons) and no SELECT: the user is already loaded by the request and the row copies the
username. Reads are for admins: the API, the log page and its CSV, and the
last reads on the guest card.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pms.lockout import client_ip
from reservations.aliases import person_alias_ids

from .models import PersonalDataAccess

Kind = PersonalDataAccess.Kind
CARD_READS_SHOWN = 10


def record_access(
    who: HttpRequest | AbstractBaseUser | AnonymousUser | None,
    person_id: int | None,
    kind: str,
    *,
    detail: str = "",
) -> None:
    """One read of ``person_id``'s data by the request's user (from the
    request's address, as the proxy settings say: ``pms.lockout.client_ip``)
    or by ``who`` as a user (a command or task: no address)."""
    record_accesses(who, [person_id], kind, detail=detail)


def record_accesses(
    who: HttpRequest | AbstractBaseUser | AnonymousUser | None,
    person_ids: Iterable[int | None],
    kind: str,
    *,
    detail: str = "",
) -> None:
    """A list that shows several persons' data: one row each, one INSERT."""
    ids = list(dict.fromkeys(person_ids))  # once each, in order
    if not ids:
        Kind(kind)  # an unknown kind is a bug of the caller: ValueError
        return
    row = _row(who, kind, detail, ids[0])
    if len(ids) == 1:
        # save(), not bulk_create(): no transaction of its own around the
        # INSERT (on PostgreSQL a BEGIN and a COMMIT more per page).
        row.save(force_insert=True)
    else:
        _insert_for_persons(row, ids)


def _insert_for_persons(row: PersonalDataAccess, person_ids: list[int | None]) -> None:
    """``row`` once for each of ``person_ids``, in one multi-row INSERT: the
    values the rows share (the moment, the user, the address...) are
    prepared once. bulk_create() built a model object per person and
    prepared each of its fields, in a transaction of its own: ~35 µs a
    guest, a tenth of a Гости tab of 50 (docs/benchmarks.md)."""
    meta = PersonalDataAccess._meta
    db = connections[PersonalDataAccess.objects.db]
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, True), db) for f in fields]
    at = [f.name for f in fields].index("person_id")
    qn = db.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = db.features.max_query_params or len(person_ids) * len(fields)
    step = max(1, limit // len(fields))
    chunks = [person_ids[i : i + step] for i in range(0, len(person_ids), step)]
    # All the rows or none, should a long list take several statements.
    several = transaction.atomic(using=db.alias, savepoint=False)
    with several if len(chunks) > 1 else nullcontext(), db.cursor() as cursor:
        for chunk in chunks:
            params = []
            for person_id in chunk:
                values[at] = person_id
                params += values
            # Table and column names are the model's; the values are params.
            sql = (
                f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([marks] * len(chunk))}"
            )
            cursor.execute(sql, params)


def record_accesses_selected(
    who: HttpRequest | AbstractBaseUser | AnonymousUser | None,
    person_ids: QuerySet,
    kind: str,
    *,
    detail: str = "",
) -> None:
    """As ``record_accesses``, for the person IDs a query selects (a flat
    ``values_list``): one ``INSERT … SELECT`` however many there are. A list
    of IDs as parameters is cut into several INSERTs past SQLite's 999
    parameters (~140 persons): the arrivals board can list hundreds."""
    row = _row(who, kind, detail, None)
    meta = PersonalDataAccess._meta
    db = connections[PersonalDataAccess.objects.db]
    fields = [f for f in meta.concrete_fields if f.attname not in ("id", "person_id")]
    values = [f.get_db_prep_save(f.pre_save(row, True), db) for f in fields]
    try:
        selected, params = person_ids.order_by().distinct().query.sql_with_params()
    except EmptyResultSet:  # ``pk__in=[]``: nobody listed
        return
    qn = db.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [*fields, meta.get_field("person_id")])
    marks = ", ".join(["%s"] * len(values))
    # Table and column names are the model's; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {marks}, chosen.* FROM ({selected}) chosen"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*values, *params])


def _row(who, kind: str, detail: str, person_id: int | None) -> PersonalDataAccess:
    """A row of the log for ``person_id``, read by ``who`` (a request: its
    user and address; a user: a command or task, no address)."""
    kind = Kind(kind)  # an unknown kind is a bug of the caller: ValueError
    if hasattr(who, "META"):  # a Django request, or DRF's wrapping one
        user, address = who.user, client_ip(who)
    else:
        user, address = who, None
    known = user is not None and user.is_authenticated
    return PersonalDataAccess(
        user_id=user.pk if known else None,
        username=user.get_username() if known else "",
        person_id=person_id,
        kind=kind,
        address=address,
        detail=detail[:200],
    )


def _of_person(person_id: int) -> dict:
    """Rows under the person's ID or an ID since merged into it. The IDs are
    read first (one query on the alias index): ``person_id IN (…)`` uses the
    log's (person_id, at) index, where an OR with a subquery made PostgreSQL
    walk the whole log by date."""
    return {"person_id__in": [person_id, *person_alias_ids(person_id)]}


def person_access_log(*, person_id: int) -> QuerySet[PersonalDataAccess]:
    """Newest first (the model's ordering)."""
    return PersonalDataAccess.objects.filter(**_of_person(person_id))


def person_last_reads(*, person_id: int) -> list[PersonalDataAccess]:
    """What the guest card shows admins: one query on the (person_id, at)
    index. Reads under an ID merged into this one are in the full log."""
    rows = PersonalDataAccess.objects.filter(person_id=person_id)
    return list(rows[:CARD_READS_SHOWN])


@dataclass(frozen=True)
class AccessFilter:
    """The log page's filters; ``None`` means "any". Dates are the hotel's
    local days, both ends included."""

    person_id: int | None = None
    username: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> str:
        """What a CSV export selected, for its own row in the log."""
        parts = [
            f"{name}={value}"
            for name, value in vars(self).items()
            if value not in (None, "")
        ]
        return " ".join(parts) or "all"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_list(wanted: AccessFilter) -> QuerySet[PersonalDataAccess]:
    rows = PersonalDataAccess.objects.all()
    if wanted.person_id is not None:
        rows = rows.filter(**_of_person(wanted.person_id))
    if wanted.username:
        rows = rows.filter(username=wanted.username)
    if wanted.date_from is not None:
        rows = rows.filter(at__gte=_day_start(wanted.date_from))
    if wanted.date_to is not None:
        rows = rows.filter(at__lt=_day_start(wanted.date_to + dt.timedelta(days=1)))
    return rows


def access_csv_rows(wanted: AccessFilter) -> Iterator[list[str]]:
    """The CSV's rows, header first, read in chunks: memory stays flat
    however long the log is."""
    kinds = dict(Kind.choices)
    yield ["when", "user", "person_id", "what", "kind", "address", "detail"]
    for row in access_list(wanted).iterator(chunk_size=2000):
        yield [
            timezone.localtime(row.at).isoformat(timespec="seconds"),
            row.username,
            "" if row.person_id is None else str(row.person_id),
            str(kinds.get(row.kind, row.kind)),
            row.kind,
            row.address or "",
            row.detail,
        ]
