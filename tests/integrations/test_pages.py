"""Разное → Стыковки: the list of connectors, and who may open the pages
under /integrations/ (the EMIS connection page itself: tests/emis/connection/)."""

import pytest
from django.urls import reverse

from emis.models import EmisConnection
from integrations.models import ConnectorCall
from tests.support.emis_connection import connection_form, save_connection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "/integrations/"
EDIT = "/integrations/emis/"
FORM = connection_form()


def test_urls_are_named():
    assert reverse("integrations:list") == LIST
    assert reverse("integrations:emis:edit") == EDIT


@pytest.mark.parametrize("url", [LIST, EDIT])
def test_front_desk_and_support_are_refused(front_desk_client, url):
    assert front_desk_client.get(url).status_code == 403
    assert front_desk_client.post(url, FORM).status_code == 403
    assert not EmisConnection.objects.filter(is_active=True).exists()


def test_support_is_refused(support_client):
    assert support_client.get(LIST).status_code == 403


def test_list_shows_emis_with_its_state(admin_client_):
    page = admin_client_.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "EMIS Service" in html
    assert "Inactive" in html
    assert f'href="{EDIT}"' in html
    assert "Edit" in html


def test_list_shows_last_success_and_last_error_in_plain_words(admin_client_):
    save_connection()
    ConnectorCall.objects.create(connector="emis", operation="ping", ok=True)
    ConnectorCall.objects.create(
        connector="emis",
        operation="changes",
        ok=False,
        error_code="api_auth_failed",
        error_message="stored text",
    )
    html = admin_client_.get(LIST).content.decode()
    assert "Active" in html
    assert "EMIS refused the API credentials" in html  # from the code, translated
    assert 'class="error"' in html  # the failure is newer than the success


def test_list_is_in_russian_by_default(admin_client_, settings):
    settings.LANGUAGE_CODE = "ru"
    html = admin_client_.get(LIST, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Стыковки" in html
    assert "Редактировать" in html


def test_list_query_count_does_not_grow_with_calls(
    admin_client_, django_assert_max_num_queries
):
    save_connection()
    ConnectorCall.objects.bulk_create(
        ConnectorCall(connector="emis", operation="ping", ok=i % 2 == 0)
        for i in range(30)
    )
    with django_assert_max_num_queries(12):
        assert admin_client_.get(LIST).status_code == 200


def test_every_time_on_the_page_is_local_and_alike(admin_client_, settings):
    """Issue 12: the sync time once read in UTC beside local times. Every
    time on Стыковки is the hotel's (Europe/Moscow, UTC+3), one format."""
    import datetime as dt

    from emis.models import SyncState
    from tests.factories import make_emis_connection, make_legal_entity

    settings.TIME_ZONE = "Europe/Moscow"
    make_emis_connection()
    at = dt.datetime(2026, 11, 29, 8, 5, tzinfo=dt.UTC)
    SyncState.objects.create(legal_entity=make_legal_entity(), last_run_at=at)
    for ok in (True, False):
        call = ConnectorCall.objects.create(
            connector="emis",
            operation="ping",
            ok=ok,
            http_status=200 if ok else 500,
            error_code="" if ok else "emis_unavailable",
            error_message="" if ok else "boom",
        )
        ConnectorCall.objects.filter(pk=call.pk).update(created_at=at)

    html = admin_client_.get(LIST).content.decode()

    # The sync, the last success, the error: in the language's short format.
    assert html.count("11/29/2026 11:05") == 3
    assert "08:05" not in html and "UTC" not in html
    settings.LANGUAGE_CODE = "ru"
    russian = admin_client_.get(LIST, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert russian.count("29.11.2026 11:05") == 3
