"""Property tests: whatever correctly signed body EMIS (or anyone holding
the key) sends, the webhook answers 2xx or 4xx, never 500, and a refused
payload stores nothing (no person change, no delivery claim, no history)."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emis.models import WebhookDelivery
from reservations.models import IdentityDocument, MigrationCard, Visa
from tests.emis.conftest import foreigner, russian
from tests.factories import make_guest, make_reservation

from .conftest import post_webhook, stored_state

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    # One database for all examples on purpose: accepted payloads pile up,
    # and each example checks what it changed against the state before it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke (or could break) the database layer rather than the
# parser: lone surrogates, NUL, over-long text, numbers past a column's range.
DANGEROUS_TEXT = ["\ud800", "a\udfffb", "\x00", "a\x00b", "Я" * 201]
NASTY_TEXT = st.sampled_from(
    [
        *DANGEROUS_TEXT,
        "",
        " ",
        "\u202eRTL",
        "\ufeff",
        "Я" * 200,
        "<script>alert(1)</script>",
        "-1",
        "9" * 18,
        "9" * 19,
        "٣",  # a digit, but not an ASCII one
        "2026-02-30",
        "0000-01-01",
        "9999-12-31",
        "2026-11-27T09:12:45+03:00",
        "2026-11-27T24:00:00Z",
        "rus",
        "XXA",
        "passport_rf",
    ]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
DANGEROUS_NUMBERS = [2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, -1]
NUMBERS = st.one_of(
    st.sampled_from(DANGEROUS_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70),
)
SCALARS = st.none() | st.booleans() | NUMBERS | st.floats() | TEXT
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw, value, depth: int = 0):
    """``value`` (a valid contract object) with random parts replaced,
    dropped, retyped, stretched, or kept."""
    roll = draw(st.integers(0, 99))
    if roll < 8:
        return draw(ANY_JSON)
    if roll < 16:
        return draw(SCALARS)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if draw(st.integers(0, 99)) < 10:
                continue  # a missing key
            out[key] = draw(mutated(item, depth + 1))
        if draw(st.integers(0, 99)) < 10:
            out[draw(TEXT)] = draw(ANY_JSON)  # an unknown extra key
        return out
    if isinstance(value, list):
        items = [draw(mutated(item, depth + 1)) for item in value]
        if draw(st.booleans()):
            items += draw(st.lists(ANY_JSON, max_size=2))
        if items and draw(st.integers(0, 9)) == 0:
            items = items * draw(st.integers(2, 30))  # the same row many times
        return items
    if isinstance(value, str) and roll < 40:
        return draw(TEXT)
    if isinstance(value, int) and roll < 40:
        return draw(NUMBERS)
    return value


def _paths(value, prefix=()):
    for key, item in (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    ):
        yield (*prefix, key)
        yield from _paths(item, (*prefix, key))


def _same_kind(draw, old):
    """A replacement of the same JSON type, at its extremes more often."""
    if isinstance(old, bool):
        return draw(SCALARS)
    if isinstance(old, int):
        return draw(NUMBERS)
    if isinstance(old, str):
        return draw(TEXT)
    if isinstance(old, list):
        return old * draw(st.integers(0, 30))  # none, or the same row many times
    return draw(ANY_JSON)


@st.composite
def few_changes(draw, template):
    """The valid ``template`` with one to three parts dropped or replaced:
    mostly near-valid payloads, which reach the apply and the database."""
    value = copy.deepcopy(template)
    paths = list(_paths(value))
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2)):
        try:
            parent = value
            for key in path[:-1]:
                parent = parent[key]
            old = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced this part already
        kind = draw(st.integers(0, 4))
        if kind == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif kind == 1:
            parent[path[-1]] = draw(ANY_JSON)
        else:
            parent[path[-1]] = _same_kind(draw, old)
    return value


@pytest.fixture
def target(connection):
    reservation = make_reservation()
    stay = make_guest(reservation, surname="Репин")
    return stay.person_id, reservation.legal_entity_id


def _related_counts(person_id: int) -> tuple:
    return tuple(
        model.objects.filter(person_id=person_id).count()
        for model in (IdentityDocument, Visa, MigrationCard)
    )


def _send(body: bytes, person_id: int):
    before = (stored_state(person_id), _related_counts(person_id))
    response = post_webhook(Client(), body, delivery=str(uuid.uuid4()))
    assert response.status_code < 500, response.content[:300]
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500
    if response.status_code >= 400:
        assert (stored_state(person_id), _related_counts(person_id)) == before
        assert response.json()["error"]["code"]
    else:
        assert response.json()["status"] in ("applied", "unchanged", "stale")
    return response


def _dumps(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@PROPERTY
@given(data=st.data())
def test_person_like_payloads_never_crash_and_a_refusal_stores_nothing(target, data):
    person_id, le = target
    template = data.draw(st.sampled_from([russian, foreigner]))(person_id)
    person = data.draw(
        st.one_of(few_changes(template), few_changes(template), mutated(template))
    )
    envelope = {
        "event": "person.documents_saved",
        "legal_entity_id": str(le),
        "person": None,
    }
    if data.draw(st.integers(0, 9)) == 0:  # now and then a broken envelope too
        envelope = data.draw(mutated(envelope))
    if isinstance(envelope, dict) and "person" in envelope:
        envelope["person"] = person
    # EMIS's own JSON is ASCII-escaped ("\\ud800" survives only that way)
    # more often than not.
    _send(_dumps(envelope, data.draw(st.sampled_from([True, True, False]))), person_id)


def _leaf_swaps(template: dict):
    """Every part of the template replaced in turn by values of its own type
    at their extremes, and by the wrong types."""
    for path in _paths(template):
        parent = template
        for key in path[:-1]:
            parent = parent[key]
        old = parent[path[-1]]
        if isinstance(old, bool) or old is None:
            values = ["\ud800", "a\x00b", 1, []]
        elif isinstance(old, int):
            values = [2**31, 2**63, 2**64, -1, 1.5, "1", True, None]
        elif isinstance(old, str):
            values = ["\ud800", "a\x00b", "Я" * 201, 2**63, None, {}]
        else:
            values = ["x", None, [None]]
        for value in values:
            changed = copy.deepcopy(template)
            target = changed
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            yield path, value, changed


@pytest.mark.parametrize("template", [russian, foreigner])
def test_every_field_at_its_extremes_never_crashes(target, template):
    """The systematic companion of the property test: each field of a valid
    Person swapped, one at a time, for values that reach the database."""
    person_id, le = target
    for _path, _value, person in _leaf_swaps(template(person_id)):
        envelope = {
            "event": "person.documents_saved",
            "legal_entity_id": str(le),
            "person": person,
        }
        _send(_dumps(envelope, True), person_id)


@PROPERTY
@given(value=ANY_JSON, ascii_only=st.booleans())
def test_arbitrary_json_never_crashes_and_stores_nothing(target, value, ascii_only):
    person_id, _le = target
    before = WebhookDelivery.objects.count()
    response = _send(_dumps(value, ascii_only), person_id)
    assert response.status_code == 400
    assert WebhookDelivery.objects.count() == before


@settings(PROPERTY, max_examples=100)
@given(body=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_and_store_nothing(target, body):
    person_id, _le = target
    assert _send(body, person_id).status_code == 400


def test_the_strategies_reach_the_apply_path(target):
    """Guard against a property test that only ever exercises the parser:
    the unmutated template is accepted."""
    person_id, le = target
    body = _dumps(
        {
            "event": "person.documents_saved",
            "legal_entity_id": str(le),
            "person": russian(person_id),
        },
        False,
    )
    assert _send(body, person_id).json() == {"status": "applied"}
