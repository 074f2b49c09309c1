"""Document numbers never reach a log record in full: a webhook, a pull and
a sync (and their failures) run with DEBUG logging captured."""

from __future__ import annotations

import copy
import logging

import pytest
from django.test import Client

from emis.sync import sync_legal_entity
from reservations.models import IdentityDocument
from tests.emis.conftest import webhook_body
from tests.factories import (
    connect_to_sandbox,
    enqueue_pull,
    make_guest,
    make_reservation,
    work_pull,
)
from tests.support.sandbox import sample_foreigner, sample_person

from .conftest import post_webhook

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

PASSPORT = ("4510", "918273")
FOREIGN = "Z7Q4X9K2L"
VISA = "5647382"
CARD = "8192837"
RESIDENCE = "77 0044 5566"


def _full_forms() -> list[str]:
    series, number = PASSPORT
    return [
        number,
        series + number,
        f"{series} {number}",
        FOREIGN,
        VISA,
        CARD,
        RESIDENCE,
        RESIDENCE.replace(" ", ""),
    ]


def _russian(person_id: int, **overrides) -> dict:
    data = sample_person(person_id, **overrides)
    data["documents"][0]["series"], data["documents"][0]["number"] = PASSPORT
    data["documents"].append(
        {
            **copy.deepcopy(data["documents"][0]),
            "kind": "residence_permit",
            "series": None,
            "number": RESIDENCE,
        }
    )
    return data


def _foreigner(person_id: int, **overrides) -> dict:
    data = sample_foreigner(person_id, **overrides)
    data["documents"][0]["number"] = FOREIGN
    data["visas"][1]["number"] = VISA
    data["migration_card"]["number"] = CARD
    return data


def test_no_full_document_number_in_any_log_record(
    emis_sandbox, caplog, settings, django_capture_on_commit_callbacks
):
    settings.EMIS_MAX_ATTEMPTS = 1
    conn = connect_to_sandbox(emis_sandbox)
    reservation = make_reservation()
    le = reservation.legal_entity_id
    first, second, third = (make_guest(reservation, surname=s) for s in "АБВ")
    caplog.set_level(logging.DEBUG)

    # Webhook: applied, then unchanged, a duplicate, and a refused payload.
    body = webhook_body(_russian(first.person_id), le)
    assert post_webhook(Client(), body, secret=conn.api_password).status_code == 200
    post_webhook(Client(), body, secret=conn.api_password, delivery="same")
    post_webhook(Client(), body, secret=conn.api_password, delivery="same")
    broken = _russian(first.person_id, version=9)
    broken["documents"][0]["issue_date"] = "20.05.2010"
    refused = post_webhook(Client(), webhook_body(broken, le), secret=conn.api_password)
    assert refused.status_code == 400

    # Pull: applied, then failing (a body breaking the contract).
    emis_sandbox.save_person(le, _foreigner(second.person_id))
    with django_capture_on_commit_callbacks(execute=True):
        applied = enqueue_pull(person_id=second.person_id, legal_entity_id=le, user=None)
    work_pull(applied)
    emis_sandbox.save_person(
        le, {**_foreigner(second.person_id), "sex": "?"}, validate=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        broken = enqueue_pull(person_id=second.person_id, legal_entity_id=le, user=None)
    work_pull(broken)

    # Sync: the feed carries all of them, and a person this PMS lacks.
    emis_sandbox.save_person(le, _russian(third.person_id))
    emis_sandbox.save_person(le, _russian(990001))
    emis_sandbox.save_person(le, _foreigner(second.person_id, birth_place="X"))
    assert sync_legal_entity(legal_entity_id=le).error == ""

    numbers = set(IdentityDocument.objects.values_list("number", flat=True))
    assert {PASSPORT[1], FOREIGN, RESIDENCE} <= numbers  # the data went through
    assert len(caplog.records) > 10
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), record.exc_text or ""])
        for number in _full_forms():
            assert number not in text, f"{record.name}: {record.getMessage()[:300]}"
        # Nor a passport's series beside its masked number (outside attack
        # test: "documents[passport_rf 4510 ****73].issuer").
        assert f"passport_rf {PASSPORT[0]}" not in text, record.getMessage()[:300]
    changed = [r.getMessage() for r in caplog.records if "documents[" in r.getMessage()]
    assert any("documents[passport_rf ********73]" in m for m in changed), changed
