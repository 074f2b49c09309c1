"""Fixtures for the fault suite: the PMS wired to the real sandbox process,
and snapshots that prove a failure applied nothing."""

from __future__ import annotations

import socket

import pytest
from django.forms.models import model_to_dict

from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Visa,
)
from tests.factories import connect_to_sandbox


@pytest.fixture
def sleeps(monkeypatch):
    """Every back-off the client asks for, without waiting: the schedule is
    asserted, not lived through. (A pull job's own waits are not slept
    anywhere: ``tests.factories.work_pull`` returns them.)"""
    import emis.client

    asked: list[float] = []

    def record(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(emis.client.time, "sleep", record)
    return asked


@pytest.fixture
def wired(db, emis_sandbox, settings):
    settings.EMIS_RETRY_BACKOFF = (0.05, 0.1)
    connect_to_sandbox(emis_sandbox)
    return emis_sandbox


def free_port() -> int:
    """A port on which nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snapshot(person_id: int) -> dict:
    """Everything an EMIS apply may touch on one person."""
    person = Person.objects.get(pk=person_id)
    data = model_to_dict(person)
    data.pop("updated_at", None)
    return {
        "person": data,
        "emis": (person.emis_version, person.emis_content_hash, person.emis_updated_at),
        "documents": list(
            IdentityDocument.objects.filter(person=person)
            .order_by("pk")
            .values("kind", "series", "number", "issue_date", "expiry_date", "issuer")
        ),
        "visas": list(
            Visa.objects.filter(person=person)
            .order_by("pk")
            .values("series", "number", "valid_from", "valid_to")
        ),
        "card": MigrationCard.objects.filter(person=person)
        .values("series", "number", "entry_date", "valid_to", "visit_purpose")
        .first(),
        "history": list(
            PersonChange.objects.filter(person=person)
            .order_by("pk")
            .values_list("field", "old_value", "new_value", "source")
        ),
    }
