"""The connector registry, its state and the status-provider hook."""

import pytest
from django.utils import translation

from integrations import registry
from integrations.models import ConnectorCall
from integrations.registry import StatusLine
from integrations.services import connector_call_record
from tests.support.emis_connection import save_connection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def emis():
    connector = registry.get("emis")
    saved = list(connector.status_providers)
    yield connector
    connector.status_providers[:] = saved


def test_emis_is_registered_with_its_edit_url(emis):
    assert [c.slug for c in registry.connectors()][0] == "emis"
    assert emis.edit_url == "/integrations/emis/"
    assert str(emis.name) == "EMIS Service"


def test_state_without_any_call(emis):
    state = emis.state()
    assert not state.active
    assert state.last_success_at is None and state.last_error == ""
    assert not state.error_is_current


def test_state_from_calls(emis):
    save_connection()
    connector_call_record(
        connector="emis", operation="ping", ok=False, error_code="timeout"
    )
    connector_call_record(connector="emis", operation="ping", ok=True)
    connector_call_record(connector="other", operation="x", ok=False, error_code="zzz")
    state = emis.state()
    assert state.active
    assert state.last_success_at is not None
    assert state.last_error == "EMIS did not answer in time."
    ConnectorCall.objects.filter(ok=True).update(created_at=state.last_error_at)
    ConnectorCall.objects.filter(ok=False).update(
        created_at=state.last_success_at.replace(year=2100)
    )
    assert emis.state().error_is_current


def test_unknown_error_code_falls_back_to_the_stored_text(emis):
    connector_call_record(
        connector="emis",
        operation="ping",
        ok=False,
        error_code="gone",
        error_message="Old",
    )
    assert emis.state().last_error == "Old"


def test_status_providers_add_lines_and_a_broken_one_does_not_break_the_page(
    emis, admin_client_
):
    def sync_status():
        return [
            StatusLine("Sync: 3 legal entities up to date", "ok"),
            "Next run in 5 min",
        ]

    def broken():
        raise RuntimeError("boom")

    registry.add_status_provider("emis", sync_status)
    registry.add_status_provider("emis", sync_status)  # idempotent
    registry.add_status_provider("emis", broken)
    lines = emis.state().lines
    assert [line.text for line in lines] == [
        "Sync: 3 legal entities up to date",
        "Next run in 5 min",
        "Status unavailable",
    ]
    html = admin_client_.get("/integrations/").content.decode()
    assert "Sync: 3 legal entities up to date" in html


def test_record_caps_message_length():
    row = connector_call_record(
        connector="emis", operation="ping", ok=False, error_message="x" * 900
    )
    assert len(row.error_message) == 500
