"""The background sync against the real sandbox process, with a fault on
page 2 of 3: page 1 stays applied and the cursor stays after it, nothing of
page 2 lands, and the next run finishes the work exactly once."""

from __future__ import annotations

import pytest
from django.db.models import Count

from emis import sync
from emis.client import EmisClient
from emis.models import SyncState
from reservations.models import PersonChange
from tests.factories import connect_to_sandbox, make_legal_entity, make_person
from tests.support.sandbox import sample_person

from .conftest import free_port, snapshot

pytestmark = pytest.mark.sandbox

CHANGES = "/api/v1/changes"
FAULTS = {
    "500": ({"status": 500}, "server_error"),
    "503": ({"status": 503}, "unavailable"),
    "429": ({"status": 429, "retry_after": 30}, "rate_limited"),
    "slow": ({"latency_ms": 3000}, "timeout"),
    "malformed_json": ({"malformed_json": True}, "bad_response"),
    "truncate_body": ({"truncate_body": True}, "unreachable"),
    "drop_connection": ({"drop_connection": True}, "unreachable"),
    "401": ({"status": 401}, "api_auth_failed"),
}


@pytest.fixture
def feed(wired, settings, sleeps, monkeypatch):
    """Six known persons in EMIS's feed: three pages of two."""
    settings.EMIS_MAX_ATTEMPTS = 2
    settings.EMIS_READ_TIMEOUT = 0.6
    monkeypatch.setattr(sync, "PAGE_SIZE", 2)
    le = make_legal_entity()
    people = [make_person(f"P{i}") for i in range(6)]
    wired.save_persons_bulk(le.pk, [sample_person(p.pk) for p in people])
    return le, people


@pytest.fixture
def cursors(monkeypatch):
    """The cursor each ``changes`` call starts from, and a hook run before
    the n-th call (to break page 2 only)."""
    seen = _Calls()
    before = seen.before
    original = EmisClient.changes

    def changes(self, *, legal_entity_id, cursor, limit=200):
        seen.append(cursor)
        hook = before.pop(len(seen), None)
        if hook is not None:
            hook()
        return original(
            self, legal_entity_id=legal_entity_id, cursor=cursor, limit=limit
        )

    monkeypatch.setattr(EmisClient, "changes", changes)
    return seen


class _Calls(list):
    def __init__(self):
        super().__init__()
        self.before: dict[int, object] = {}


def applied_ids(people) -> list[int]:
    return [p.pk for p in people if snapshot(p.pk)["emis"][0] is not None]


def assert_each_applied_once(people) -> None:
    rows = PersonChange.objects.filter(person__in=people)
    doubled = (
        rows.values("person", "entity", "entity_label", "field")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(doubled) == []
    fields = [
        set(rows.filter(person=p).values_list("entity", "field")) for p in people
    ]
    assert fields[0] and all(f == fields[0] for f in fields)
    assert all(snapshot(p.pk)["emis"][0] == 1 for p in people)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_on_page_two_keeps_page_one_and_the_next_run_finishes(
    feed, wired, cursors, fault
):
    le, people = feed
    spec, code = FAULTS[fault]
    untouched = {p.pk: snapshot(p.pk) for p in people[2:]}
    cursors.before[2] = lambda: wired.set_faults(**spec, paths=[CHANGES])

    run = sync.sync_legal_entity(legal_entity_id=le.pk)

    state = SyncState.objects.get(legal_entity=le)
    assert run.pages == 1 and run.applied == 2
    assert run.error.startswith(f"{code}: ") and state.last_error == run.error
    assert "Traceback" not in run.error and "HTTPConnectionPool" not in run.error
    page_one_cursor = cursors[1]
    assert page_one_cursor and state.cursor == page_one_cursor
    assert state.last_success_at is None and state.lease_owner == ""
    assert applied_ids(people) == [people[0].pk, people[1].pk]
    assert {pk: snapshot(pk) for pk in untouched} == untouched

    wired.clear_faults()
    again = sync.sync_legal_entity(legal_entity_id=le.pk)
    assert again.error == "" and again.applied == 4
    assert cursors[len(cursors) - again.pages] == page_one_cursor  # resumed there
    assert applied_ids(people) == [p.pk for p in people]
    assert_each_applied_once(people)


@pytest.mark.parametrize("fault", ["500", "truncate_body", "drop_connection", "slow"])
def test_a_one_off_fault_on_page_two_is_retried_within_the_run(
    feed, wired, cursors, fault
):
    le, people = feed
    spec, _code = FAULTS[fault]
    cursors.before[2] = lambda: wired.set_faults(**spec, times=1, paths=[CHANGES])
    run = sync.sync_legal_entity(legal_entity_id=le.pk)
    assert (run.error, run.applied) == ("", 6)
    assert SyncState.objects.get(legal_entity=le).last_success_at is not None
    assert_each_applied_once(people)


def test_emis_down_fails_the_run_and_the_next_one_does_the_work(feed, wired):
    le, people = feed
    connect_to_sandbox(wired, base_url=f"http://127.0.0.1:{free_port()}")
    run = sync.sync_legal_entity(legal_entity_id=le.pk)
    assert run.error.startswith("unreachable: ") and run.pages == 0
    state = SyncState.objects.get(legal_entity=le)
    assert (state.cursor, state.lease_owner, state.last_success_at) == ("", "", None)
    assert applied_ids(people) == []
    connect_to_sandbox(wired)
    assert sync.sync_legal_entity(legal_entity_id=le.pk).error == ""
    assert_each_applied_once(people)
