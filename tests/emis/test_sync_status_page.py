"""The background sync's state on the Стыковки page, and "Sync now"."""

import pytest
import responses

from emis.models import SyncState
from tests.factories import make_legal_entity, make_person

from .conftest import BASE_URL, russian

pytestmark = pytest.mark.django_db


def test_sync_state_is_on_the_integrations_page(admin_client_, connection):
    entity = make_legal_entity(name="ООО Северная")
    SyncState.objects.create(
        legal_entity=entity,
        cursor="c-000042",
        persons_applied=7,
        persons_unknown=2,
        last_error="timeout: read timed out",
    )
    page = admin_client_.get("/integrations/").content.decode()
    assert "ООО Северная" in page
    assert "7" in page
    assert "EMIS не ответил вовремя" in page  # the error in plain words


def test_sync_now_runs_the_sync(admin_client_, connection, django_capture_on_commit_callbacks):
    entity = make_legal_entity()
    person = make_person("Репин")
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE_URL}/api/v1/changes",
            json={"items": [russian(person.pk)], "next_cursor": "c-1", "has_more": False},
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client_.post("/emis/sync/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.surname_cyrillic == "Крупкин"
    assert SyncState.objects.get(legal_entity=entity).cursor == "c-1"


def test_front_desk_cannot_start_a_sync(front_desk_client, connection):
    assert front_desk_client.post("/emis/sync/").status_code == 403


def test_sync_now_is_a_job_the_page_follows(
    admin_client_, connection, django_capture_on_commit_callbacks
):
    """With htmx the button shows the job's fragment, which asks for itself
    until every legal entity's run has ended, then reloads the page."""
    from emis.models import EmisJob

    first, second = make_legal_entity(), make_legal_entity()
    page = admin_client_.get("/integrations/").content.decode()
    assert 'hx-post="/emis/sync/"' in page and 'id="connector-emis-job"' in page
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE_URL}/api/v1/changes",
            json={"items": [], "next_cursor": "c-1", "has_more": False},
        )
        rsps.get(f"{BASE_URL}/api/v1/changes", status=503, json={})  # the second
        with django_capture_on_commit_callbacks(execute=True):
            started = admin_client_.post("/emis/sync/", HTTP_HX_REQUEST="true")
            job = EmisJob.objects.get(kind="sync")
            # Queued until the transaction commits: the fragment asks again.
            assert started.status_code == 202
            assert f'hx-get="/emis/sync/{job.pk}/"' in started.content.decode()
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 2, 2)
    assert job.error_code  # one legal entity's run failed; its line says why
    ended = admin_client_.get(
        f"/emis/sync/{job.pk}/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/integrations/",
    )
    assert 'data-job-status="succeeded"' in ended.content.decode()
    assert ended["HX-Redirect"] == "/integrations/"
    assert {s.legal_entity_id for s in SyncState.objects.all()} == {first.pk, second.pk}


def test_a_sync_where_every_run_failed_says_so(
    admin_client_, connection, django_capture_on_commit_callbacks, settings
):
    from django.contrib.messages import get_messages

    from emis.models import EmisJob

    settings.EMIS_RETRY_BACKOFF = (0, 0)
    make_legal_entity()
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE_URL}/api/v1/changes", status=503, json={})
        with django_capture_on_commit_callbacks(execute=True):
            admin_client_.post("/emis/sync/", HTTP_HX_REQUEST="true")
    job = EmisJob.objects.get(kind="sync")
    assert (job.status, job.progress_failed) == ("failed", job.progress_total)
    ended = admin_client_.get(f"/emis/sync/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "job-error" in ended.content.decode()
    [message] = list(get_messages(ended.wsgi_request))
    assert message.level_tag == "warning"


def test_sync_times_are_local(admin_client_, connection, settings):
    import datetime as dt

    from django.utils import timezone

    settings.TIME_ZONE = "Europe/Moscow"
    entity = make_legal_entity(name="ООО Северная")
    SyncState.objects.create(
        legal_entity=entity, last_run_at=dt.datetime(2026, 11, 29, 9, 51, tzinfo=dt.UTC)
    )
    with timezone.override("Europe/Moscow"):
        page = admin_client_.get("/integrations/").content.decode()
    assert "29.11.2026 12:51" in page and "29.11.2026 09:51" not in page
