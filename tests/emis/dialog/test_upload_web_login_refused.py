"""Issue 8, item 15 (the clerk's half): when EMIS refuses the web login, the
clerk gets a plain "ask your administrator" instead of a retry that cannot
help, and the administrator finds it on Разное → Стыковки as the last error."""

import responses

from emis.models import UploadLinkClick
from integrations.models import ConnectorCall
from tests.factories import EMIS_BASE

SESSIONS = EMIS_BASE + "/api/v1/web-sessions"
CLERK_RU = (
    "EMIS не принимает веб-логин; попросите администратора проверить "
    "Разное → Стыковки"
)


def refuse_web_login():
    responses.post(
        SESSIONS,
        status=403,
        json={"error": {"code": "web_auth_failed", "message": "bad web login"}},
    )


def post_upload(client, stay, entity):
    return client.post(
        f"/emis/persons/{stay.person.pk}/upload/",
        {"legal_entity": entity.pk, "reservation": stay.reservation.pk},
    )


@responses.activate
def test_the_clerk_is_sent_to_an_administrator_not_to_retry(
    front_desk_client, emis_connection, stay, entity
):
    refuse_web_login()

    response = post_upload(front_desk_client, stay, entity)

    assert response.status_code == 502
    html = response.content.decode()
    assert 'data-emis-error="web_auth_failed"' in html
    assert CLERK_RU in html
    assert "data-emis-retry" not in html
    assert "Повторить" not in html
    assert UploadLinkClick.objects.get().error_code == "web_auth_failed"


@responses.activate
def test_in_english_too(front_desk_client, emis_connection, stay, entity):
    refuse_web_login()
    front_desk_client.cookies["django_language"] = "en"
    html = post_upload(front_desk_client, stay, entity).content.decode()
    assert (
        "EMIS does not accept the web login; ask your administrator to check "
        "Misc → Integrations"
    ) in html


@responses.activate
def test_it_is_the_last_error_on_the_integrations_page(
    front_desk_client, admin_user, emis_connection, stay, entity
):
    from django.test import Client

    refuse_web_login()
    post_upload(front_desk_client, stay, entity)

    last = ConnectorCall.objects.filter(connector="emis", ok=False).latest("id")
    assert (last.operation, last.error_code) == ("web_session", "web_auth_failed")
    admin = Client()
    admin.force_login(admin_user)
    admin.cookies["django_language"] = "en"
    page = admin.get("/integrations/").content.decode()
    assert "EMIS refused the web credentials (web login or password)." in page
    assert "web-secret-1" not in page


@responses.activate
def test_a_transient_failure_still_offers_the_retry(
    front_desk_client, emis_connection, stay, entity, settings
):
    settings.EMIS_RETRY_BACKOFF = (0, 0)
    responses.post(SESSIONS, status=503, json={})
    html = post_upload(front_desk_client, stay, entity).content.decode()
    assert "data-emis-retry" in html
    assert CLERK_RU not in html
