"""Background sync: read EMIS's changes feed per legal entity and apply it.

Catches what a lost webhook missed. Each legal entity has a ``SyncState``
row holding its cursor and a lease. A run claims the lease by a conditional
update (so two runs started at once never work the same feed), then applies
one page per transaction and advances the cursor *in that same
transaction*: the cursor never passes a page that did not commit, and a run
that fails midway resumes from the last committed page next time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation

from emis.apply import APPLIED, persons_apply_many
from emis.client import EmisClient
from emis.connection.selectors import connection_is_active
from emis.errors import EmisError, bad_response_message
from emis.models import EmisJob, SyncState, SyncUnknownPerson
from emis.names import policy as name_policy
from emis.payload import (
    ChangesPage,
    EmisPerson,
    PayloadError,
    RefusedItem,
    parse_changes_page,
)
from legal_entities.models import LegalEntity

log = logging.getLogger("emis.sync")

LEASE = dt.timedelta(minutes=5)
PAGE_SIZE = 200
REFUSED_KEPT = 20  # refused records named on the Стыковки page
_ERROR_MAX = SyncState._meta.get_field("last_error").max_length


class _LeaseLost(Exception):
    """Another run took the lease over (ours expired): stop without writing."""


@dataclass
class SyncRun:
    legal_entity_id: int
    skipped: bool = False  # another run holds the lease
    pages: int = 0
    applied: int = 0
    unchanged: int = 0
    unknown: int = 0
    refused: int = 0  # records that broke the contract, skipped
    error: str = ""


def legal_entities_to_sync() -> list[int]:
    if not connection_is_active():  # never decrypts: a lost key can't crash beat
        return []
    return list(
        LegalEntity.objects.active().order_by("pk").values_list("pk", flat=True)
    )


def sync_job_create(*, user) -> EmisJob:
    """A "Синхронизировать сейчас" job: the Стыковки page shows its progress
    (one step per legal entity) until every entity's run has ended."""
    return EmisJob.objects.create(
        kind=EmisJob.Kind.SYNC,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def sync_job_start(*, job_id: int, total: int) -> None:
    EmisJob.objects.filter(pk=job_id, status=EmisJob.Status.QUEUED).update(
        status=EmisJob.Status.RUNNING, progress_total=total, started_at=timezone.now()
    )
    if total == 0:
        _sync_job_finish_if_done(job_id)


def sync_job_step(*, job_id: int, error: str = "") -> None:
    """One legal entity's run has ended (well or not). Counted in the row, so
    runs on several workers add up; the last one finishes the job."""
    values: dict = {"progress_done": F("progress_done") + 1}
    if error:
        values["error_code"] = error.partition(": ")[0][:50]
        values["progress_failed"] = F("progress_failed") + 1
    EmisJob.objects.filter(pk=job_id).update(**values)
    _sync_job_finish_if_done(job_id)


def _sync_job_finish_if_done(job_id: int) -> None:
    """Done when every step is: failed if every legal entity's run failed
    (each one's reason is on its status line), else succeeded."""
    done = EmisJob.objects.filter(
        pk=job_id,
        status=EmisJob.Status.RUNNING,
        progress_done__gte=F("progress_total"),
    )
    now = timezone.now()
    done.filter(progress_total__gt=0, progress_failed__gte=F("progress_total")).update(
        status=EmisJob.Status.FAILED, finished_at=now
    )
    done.update(status=EmisJob.Status.SUCCEEDED, finished_at=now)


def sync_legal_entity(*, legal_entity_id: int) -> SyncRun:
    """Read the feed from the stored cursor to its end (or the first error)."""
    state, _created = SyncState.objects.get_or_create(legal_entity_id=legal_entity_id)
    token = uuid.uuid4().hex
    run = SyncRun(legal_entity_id=legal_entity_id)
    if not _claim(state.pk, token):
        run.skipped = True
        log.info(
            "legal_entity=%s skipped: another sync run holds the lease", legal_entity_id
        )
        return run
    try:
        _run(state.pk, token, run)
    except EmisError as exc:
        run.error = _stored_error(exc)
    except PayloadError as exc:
        # "bad_response: items[1].sex — must be one of F, M; …": the fields
        # named as the delivery log names them, the message added on display.
        prefix = "bad_response: "
        run.error = prefix + exc.describe(limit=_ERROR_MAX - len(prefix))
    except _LeaseLost:
        run.error = "lease_lost: another sync run took over."
    except Exception:
        log.exception("legal_entity=%s sync failed", legal_entity_id)
        run.error = "internal_error: see the server log."
    finally:
        _release(state.pk, token, run.error)
    log.info(
        "legal_entity=%s pages=%s applied=%s unchanged=%s unknown=%s refused=%s "
        "error=%s",
        legal_entity_id,
        run.pages,
        run.applied,
        run.unchanged,
        run.unknown,
        run.refused,
        run.error or "-",
    )
    return run


def _stored_error(exc: EmisError) -> str:
    # Stored in English; the page renders the code's message in its language.
    with translation.override("en"):
        return f"{exc.code}: {exc.message}"


def _run(state_pk: int, token: str, run: SyncRun) -> None:
    client = EmisClient.from_connection()
    cursor = SyncState.objects.values_list("cursor", flat=True).get(pk=state_pk) or None
    policy = _policy(run.legal_entity_id)
    while True:
        raw = client.changes(
            legal_entity_id=run.legal_entity_id, cursor=cursor, limit=PAGE_SIZE
        )
        page = parse_changes_page(raw)
        _apply_page(state_pk, token, run, page, policy)
        if not page.has_more or (page.next_cursor == cursor and not page.items):
            return  # the end (or a feed that would make us spin in place)
        cursor = page.next_cursor


def _policy(legal_entity_id: int):
    # Read once per run instead of once per page.
    return name_policy.policy_for(legal_entity_id)


@transaction.atomic
def _apply_page(
    state_pk: int, token: str, run: SyncRun, page: ChangesPage, policy
) -> None:
    # The cursor moves first, but commits together with the page: the row is
    # locked from here to commit, and only while we still own the lease.
    moved = SyncState.objects.filter(pk=state_pk, lease_owner=token).update(
        cursor=page.next_cursor,
        lease_until=timezone.now() + LEASE,
        pages=F("pages") + 1,
    )
    if moved != 1:
        raise _LeaseLost
    outcome = persons_apply_many(
        legal_entity_id=run.legal_entity_id,
        items=page.items,
        source="sync",
        policy=policy,
    )
    _record_unknown(run.legal_entity_id, outcome.unknown)
    _record_refused(state_pk, run.legal_entity_id, page)
    applied = outcome.count(APPLIED)
    unchanged = len(outcome.results) - applied  # "stale" changed nothing either
    conflicted = sum(1 for _item, result in outcome.results if result.conflicts)
    SyncState.objects.filter(pk=state_pk).update(
        persons_applied=F("persons_applied") + applied,
        persons_unchanged=F("persons_unchanged") + unchanged,
        persons_unknown=F("persons_unknown") + len(outcome.unknown),
        persons_conflicts=F("persons_conflicts") + conflicted,
    )
    log.info(
        "legal_entity=%s page=%s applied=%s unchanged=%s unknown=%s",
        run.legal_entity_id,
        run.pages + 1,
        applied,
        unchanged,
        len(outcome.unknown),
    )
    run.pages += 1
    run.applied += applied
    run.unchanged += unchanged
    run.unknown += len(outcome.unknown)
    run.refused += len(page.refused)


def _record_unknown(legal_entity_id: int, items: list[EmisPerson]) -> None:
    if not items:
        return
    latest = {item.person_id: item.version for item in items}
    SyncUnknownPerson.objects.bulk_create(
        [
            SyncUnknownPerson(
                legal_entity_id=legal_entity_id, emis_person_id=pid, version=version
            )
            for pid, version in latest.items()
        ],
        update_conflicts=True,
        unique_fields=["legal_entity", "emis_person_id"],
        update_fields=["version", "seen_at"],
    )
    log.info(
        "legal_entity=%s unknown person ids: %s",
        legal_entity_id,
        ",".join(f"person_id={pid}" for pid in latest),
    )


def _record_refused(state_pk: int, legal_entity_id: int, page: ChangesPage) -> None:
    """Records that broke the contract are skipped, not applied, and named
    on the Стыковки page (the newest ``REFUSED_KEPT``, by person ID and field
    paths only, and a log line each) until the feed brings the person again
    in good form. Until then a pull shows the same error on the card."""
    rows = [_refused_row(item) for item in page.refused]
    state = SyncState.objects.only("refused").get(pk=state_pk)
    if not rows and not state.refused:
        return
    again = {item.person_id for item in page.items} | {r["person_id"] for r in rows}
    kept = [r for r in state.refused if r["person_id"] not in again] + rows
    SyncState.objects.filter(pk=state_pk).update(
        persons_refused=F("persons_refused") + len(rows), refused=kept[-REFUSED_KEPT:]
    )
    for row in rows:
        log.warning(
            "legal_entity=%s person_id=%s version=%s refused: %s",
            legal_entity_id,
            row["person_id"] or "?",
            row["version"] if row["version"] is not None else "?",
            "; ".join(f"{f['path']} — {f['reason']}" for f in row["fields"]),
        )


def _refused_row(item: RefusedItem) -> dict:
    return {
        "person_id": "" if item.person_id is None else str(item.person_id),
        "version": item.version,
        "fields": [f.as_dict() for f in item.error.fields],
    }


def _claim(state_pk: int, token: str) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = (
        SyncState.objects.filter(pk=state_pk)
        .filter(free)
        .update(
            lease_owner=token,
            lease_until=now + LEASE,
            last_run_at=now,
            # The counts describe the latest run.
            pages=0,
            persons_applied=0,
            persons_unchanged=0,
            persons_unknown=0,
            persons_refused=0,
        )
    )
    return claimed == 1


def _release(state_pk: int, token: str, error: str) -> None:
    values = {"lease_owner": "", "lease_until": None, "last_error": error[:_ERROR_MAX]}
    if not error:
        values["last_success_at"] = timezone.now()
    SyncState.objects.filter(pk=state_pk, lease_owner=token).update(**values)


def sync_status_lines() -> list[dict]:
    """One line per legal entity for the integrations page (two queries)."""
    entities = (
        LegalEntity.objects.filter(Q(is_active=True) | Q(emis_sync__isnull=False))
        .select_related("emis_sync")
        .order_by("name", "pk")
    )
    unknown_totals = dict(
        SyncUnknownPerson.objects.values("legal_entity")
        .annotate(n=Count("pk"))
        .values_list("legal_entity", "n")
    )
    now = timezone.now()
    return [_status_line(e, unknown_totals.get(e.pk, 0), now) for e in entities]


def _status_line(entity: LegalEntity, unknown_total: int, now) -> dict:
    state = getattr(entity, "emis_sync", None) or SyncState(legal_entity=entity)
    return {
        "legal_entity_id": entity.pk,
        "legal_entity": entity.name,
        "is_active": entity.is_active,
        "running": bool(state.lease_until and state.lease_until > now),
        "last_run_at": state.last_run_at,
        "last_success_at": state.last_success_at,
        "cursor": state.cursor,
        "pages": state.pages,
        "applied": state.persons_applied,
        "unchanged": state.persons_unchanged,
        "unknown": state.persons_unknown,
        "refused": state.persons_refused,
        "refused_items": state.refused,
        "conflicts": state.persons_conflicts,
        "unknown_total": unknown_total,
        "last_error": state.last_error,
        **_error_parts(state.last_error),
    }


def _error_parts(last_error: str) -> dict:
    """``last_error`` is stored as "<code>: <text>"; the page shows the code's
    message in the reader's language when the code is a known EMIS kind."""
    code, _sep, text = last_error.partition(": ")
    try:
        message = EmisError(code).message
    except ValueError:
        message = text or last_error
    if code == "bad_response":
        message = bad_response_message(text)  # with the bad fields, if named
    return {
        "last_error_code": code if last_error else "",
        "last_error_message": message,
    }
