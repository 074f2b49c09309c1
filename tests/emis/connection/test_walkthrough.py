""" "Done when": an admin connects the PMS to the (sandbox) EMIS, tests the
connection, breaks the API password, and no secret can be read back."""

import json
import logging

import pytest

from emis.models import EmisConnection
from integrations.models import ConnectorCall
from tests.support.emis_connection import raw_row

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

EDIT = "/integrations/emis/"
API = "/api/v1/integrations/emis/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_admin_connects_tests_breaks_and_nothing_secret_leaks(
    admin_client_, emis_sandbox, caplog, settings
):
    caplog.set_level(logging.DEBUG)
    settings.PMS_PUBLIC_URL = "https://apart.ecvi.ru"
    seen = []  # every page and API body the admin got back

    def post(data, **extra):
        response = admin_client_.post(EDIT, data, **extra)
        seen.append(response.content.decode())
        return response

    form = {
        "base_url": emis_sandbox.base_url,
        "web_login": emis_sandbox.web_login,
        "web_password": emis_sandbox.web_password,
        "api_login": emis_sandbox.api_login,
        "api_password": emis_sandbox.api_password,
        "is_active": "on",
    }
    page = admin_client_.get(EDIT)
    seen.append(page.content.decode())
    assert "https://apart.ecvi.ru/api/v1/emis/webhook/" in seen[-1]

    # Test before saving: OK.
    result = post({**form, "action": "test"}, HTTP_HX_REQUEST="true")
    assert 'data-ok="true"' in result.content.decode()
    assert "Connection OK" in result.content.decode()
    assert not EmisConnection.objects.exists()

    # Save, then test the stored values (empty password fields keep them).
    assert post({**form, "action": "save"}).status_code == 302
    seen.append(admin_client_.get(EDIT).content.decode())
    kept = {**form, "web_password": "", "api_password": "", "action": "test"}
    assert "Connection OK" in post(kept).content.decode()
    assert admin_client_.post(API + "test/", content_type="application/json").json() == {
        "ok": True
    }

    # A wrong API password is not activated: EMIS is asked on save.
    broken = {**kept, "api_password": "not-the-password", "action": "save"}
    refused = post(broken)
    assert refused.status_code == 200
    assert "api_password" in refused.context["form"].errors
    assert EmisConnection.load().api_password == emis_sandbox.api_password
    # Saved inactive it is kept; the test then names the credentials plainly.
    assert post({**broken, "is_active": ""}).status_code == 302
    result = post({**kept}, HTTP_HX_REQUEST="true")
    assert 'data-code="api_auth_failed"' in result.content.decode()
    assert "EMIS refused the API credentials" in result.content.decode()
    api_answer = admin_client_.post(API + "test/", content_type="application/json")
    assert api_answer.json()["error"]["code"] == "api_auth_failed"
    seen.append(api_answer.content.decode())
    seen.append(admin_client_.get(API).content.decode())
    listing = admin_client_.get("/integrations/").content.decode()
    assert "EMIS refused the API credentials" in listing
    seen.append(listing)

    # Nothing secret anywhere it could be read back.
    calls = json.dumps(list(ConnectorCall.objects.values()), default=str)
    places = {
        "pages and API": "\n".join(seen),
        "logs": caplog.text,
        "database": " ".join(map(str, raw_row())),
        "call log": calls,
    }
    for secret in (
        emis_sandbox.api_password,
        emis_sandbox.web_password,
        "not-the-password",
    ):
        for where, text in places.items():
            assert secret not in text, f"{secret!r} found in {where}"
    conn = EmisConnection.load()
    assert conn.api_password == "not-the-password"
    assert conn.web_password == emis_sandbox.web_password
