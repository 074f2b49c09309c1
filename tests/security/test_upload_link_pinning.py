"""Issue 8, item 6: the upload link sends the operator's browser only to the
configured EMIS address. A ``web-sessions`` answer naming another scheme,
host or port (or an address a browser might read differently) is a plain
``emis_bad_answer``: no redirect, no URL handed out, and the refusal in the
call log that Разное → Стыковки reads, with the foreign host but never the
one-time URL itself."""

import pytest
import responses

from emis.models import UploadLinkClick
from integrations.models import ConnectorCall
from tests.factories import make_emis_connection
from tests.security.conftest import emis_opens_upload

pytestmark = pytest.mark.django_db

TOKEN = "one-time-token-7f3a"

FOREIGN = [
    # (the URL EMIS names, the origin recorded in the call log)
    (f"https://evil.example/s/{TOKEN}", "https://evil.example:443"),
    (f"http://emis.test/s/{TOKEN}", "http://emis.test:80"),  # downgraded
    (f"https://emis.test:8443/s/{TOKEN}", "https://emis.test:8443"),
    (f"https://emis.test.evil.example/s/{TOKEN}", "https://emis.test.evil.example:443"),
    (f"https://emis.test@evil.example/s/{TOKEN}", "a malformed address"),
    # Python reads the host as emis.test, a browser as evil.example:
    (f"https://evil.example\\@emis.test/s/{TOKEN}", "a malformed address"),
    (f"https://evil.example%2F@emis.test/s/{TOKEN}", "a malformed address"),
    (f"https://emis.test:99999/s/{TOKEN}", "a malformed address"),
    (f"https:///s/{TOKEN}", "a malformed address"),
]


def post_upload(client, stay):
    return client.post(
        f"/emis/persons/{stay.person_id}/upload/",
        {
            "legal_entity": stay.reservation.legal_entity_id,
            "reservation": stay.reservation_id,
        },
    )


@responses.activate
@pytest.mark.parametrize(("url", "origin"), FOREIGN)
def test_a_foreign_url_is_refused_on_the_page(
    desk, emis_connection, stay, url, origin
):
    emis_opens_upload(url)

    response = post_upload(desk, stay)

    assert response.status_code == 502
    assert "Location" not in response
    page = response.content.decode()
    assert 'data-emis-error="emis_bad_answer"' in page
    assert "outside the configured EMIS address" in page
    assert TOKEN not in page and "evil.example" not in page
    assert "data-emis-retry" not in page  # an administrator must look at it
    assert UploadLinkClick.objects.get().error_code == "emis_bad_answer"
    refused = ConnectorCall.objects.filter(ok=False).get()
    assert (refused.connector, refused.error_code) == ("emis", "emis_bad_answer")
    assert refused.operation == "web_session_url"
    assert refused.error_message == f"upload URL points to {origin}"
    assert TOKEN not in refused.error_message


@responses.activate
@pytest.mark.parametrize(("url", "origin"), FOREIGN[:4])
def test_a_foreign_url_is_refused_by_the_api(
    desk_api, emis_connection, stay, url, origin
):
    emis_opens_upload(url)

    response = desk_api.post(
        f"/api/v1/persons/{stay.person_id}/emis/upload-link/",
        {"legal_entity": stay.reservation.legal_entity_id},
        format="json",
    )

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "emis_bad_answer"
    assert TOKEN not in response.content.decode()


@responses.activate
def test_the_refusal_is_the_last_error_on_the_integrations_page(
    desk, emis_connection, stay, admin_client_
):
    emis_opens_upload(f"https://evil.example/s/{TOKEN}")
    post_upload(desk, stay)

    admin_client_.cookies["django_language"] = "en"
    page = admin_client_.get("/integrations/").content.decode()
    assert "EMIS named an upload page outside the configured EMIS address" in page
    assert TOKEN not in page


@responses.activate
@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://emis.test", f"https://emis.test/s/{TOKEN}"),
        ("https://emis.test", f"https://EMIS.Test:443/s/{TOKEN}"),
        ("https://emis.test:443/", f"https://emis.test/s/{TOKEN}?a=1#x"),
        ("http://emis.test", f"http://emis.test:80/s/{TOKEN}"),
        ("http://emis.test:8080/emis", f"http://emis.test:8080/s/{TOKEN}"),
        ("http://127.0.0.1:8765", f"http://127.0.0.1:8765/s/{TOKEN}"),
    ],
)
def test_the_configured_address_is_followed(desk, stay, base, url):
    make_emis_connection(base)
    emis_opens_upload(url, base=base.rstrip("/"))

    response = post_upload(desk, stay)

    assert response.status_code == 302
    assert response["Location"] == url
    assert not ConnectorCall.objects.filter(ok=False).exists()
