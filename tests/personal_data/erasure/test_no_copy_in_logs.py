"""No log record holds a guest's name, birth data or contacts: a webhook,
a conflicting webhook, a pull, staff edits, a merge, the export, an
erasure, a refused webhook after it and a retention purge run with every
logger at DEBUG. (Document numbers: tests/security/test_masked_logs.py.)"""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command

from personal_data.erasure import person_erase
from tests.factories import make_legal_entity

from .conftest import (
    ADDRESS,
    BIRTH_DATE,
    BIRTH_PLACE,
    BIRTH_PLACE_LATER,
    BIRTH_PLACE_TYPED,
    EMAIL,
    GIVEN,
    NOTE,
    PATRONYMIC,
    PHONE,
    SURNAME,
    emis_person,
    rich_guest,
    send,
)

pytestmark = pytest.mark.django_db

NEVER_LOGGED = (
    *SURNAME,
    *GIVEN,
    *PATRONYMIC,
    BIRTH_DATE,
    BIRTH_DATE.replace("-", "."),
    "17.02.1983",
    BIRTH_PLACE,
    BIRTH_PLACE_TYPED,
    BIRTH_PLACE_LATER,
    PHONE,
    PHONE.lstrip("+"),
    EMAIL,
    ADDRESS,
    NOTE,
)


def test_no_name_birth_data_or_contact_in_any_log_record(
    emis, http, caplog, admin_user, api_admin, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    entity = make_legal_entity(personal_data_retention_days=30)
    guest = rich_guest(entity, http, capture=django_capture_on_commit_callbacks)
    other = rich_guest(
        entity, http, days_ago=500, capture=django_capture_on_commit_callbacks
    )
    assert (
        api_admin.get(f"/api/v1/persons/{guest.person.pk}/export/").status_code == 200
    )
    person_erase(person_id=guest.person.pk, user=admin_user, reason="Заявление")
    pid = guest.person.pk
    assert send(pid, entity.pk, emis_person(pid, 20)).status_code == 409
    call_command("purge_personal_data", "--dry-run")
    call_command("purge_personal_data")
    assert other.person.erasures.exists()

    assert len(caplog.records) > 10
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), record.exc_text or ""])
        for value in NEVER_LOGGED:
            assert value not in text, f"{record.name}: {record.getMessage()[:300]}"
