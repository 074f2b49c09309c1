"""Issue 12: F5 on the EMIS tab. The browser that opened the one-time link
gets the page again; anyone else is refused, and the refusal leads back to
the PMS page that asks EMIS for a fresh link."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from emis_sandbox import sessions
from emis_sandbox.db import SCHEMA, connect
from emis_sandbox.pms_link import pms_root, way_back
from tests.emis_sandbox.helpers import WebhookReceiver, form_values
from tests.emis_sandbox.test_upload_page import browser, open_page, submit
from tests.support.sandbox import sample_person

pytestmark = pytest.mark.sandbox

# The sandbox's start-up webhook URL in the tests (docs/sandbox.md).
PMS = "http://127.0.0.1:8000/"


def back_link(html: str) -> str | None:
    found = re.search(r'<a id="back-to-pms" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def test_a_reload_in_the_same_browser_shows_the_page_again(emis_sandbox):
    tab, url, _ = open_page(
        emis_sandbox, reservation_id="5708", hint={"surname": "Репин"}
    )

    reloaded = tab.get(url, timeout=10)  # F5

    assert reloaded.status_code == 200
    assert 'id="reservation-id">5708<' in reloaded.text
    assert form_values(reloaded.text)["surname_cyrillic"] == "Репин"
    # ... and the reloaded page still saves (its cookie is unchanged).
    saved = submit(tab, url, reloaded.text, "save", sex="M", citizenship="RUS")
    assert saved.status_code == 200, saved.text
    assert "Сохранена версия 1." in saved.text


def test_a_reload_after_a_save_shows_the_saved_values(emis_sandbox):
    tab, url, page = open_page(emis_sandbox, hint={"surname": "Репин"})
    submit(tab, url, page.text, "save", sex="M", citizenship="RUS", birth_place="Х")

    reloaded = tab.get(url, timeout=10)

    assert reloaded.status_code == 200
    assert "сохранённая версия 1" in reloaded.text
    assert form_values(reloaded.text)["birth_place"] == "Х"


def test_another_browser_is_refused_after_the_first_opened_it(emis_sandbox):
    """Security: the link stays single-use for anyone without the cookie."""
    tab, url, _ = open_page(emis_sandbox)
    tab.get(url, timeout=10)  # the owner's reload does not free the link

    stranger = browser().get(url, timeout=10)
    forged = browser()
    forged.cookies.set("emis_sandbox_page", "not-the-page-session")
    guessed = forged.get(url, timeout=10)

    for refused in (stranger, guessed):
        assert refused.status_code == 410
        assert "ссылка уже использована или устарела" in refused.text
        assert "<form" not in refused.text and "person-id" not in refused.text


def test_the_cookie_of_one_page_does_not_open_another_link(emis_sandbox):
    tab, first, _ = open_page(emis_sandbox, person_id="160848")
    other = emis_sandbox.open_web_session("160849")
    tab.get(other, timeout=10)  # opens it: the browser now holds both cookies
    stranger = browser()
    sid = tab.cookies.get("emis_sandbox_page", path=urlsplit(other).path)
    stranger.cookies.set("emis_sandbox_page", sid)

    assert stranger.get(first, timeout=10).status_code == 410


def test_the_refusal_leads_to_the_guests_upload_page_in_the_pms(emis_sandbox):
    url = emis_sandbox.open_web_session(
        "160848", legal_entity_id="17", reservation_id="5708"
    )
    browser().get(url, timeout=10)

    refused = browser().get(url, timeout=10)

    assert refused.status_code == 410
    assert back_link(refused.text) == (
        PMS + "emis/persons/160848/upload/?legal_entity=17&reservation=5708"
    )
    assert "Загрузить новые документы" in refused.text
    assert "<h1>Ссылка больше не действует</h1>" in refused.text
    assert ">Вернуться в PMS: получить новую ссылку для этого гостя</a>" in (
        refused.text
    )


def test_the_refusal_follows_the_webhook_url_set_at_run_time(emis_sandbox):
    emis_sandbox.configure(
        webhook_url="https://pms.example:8443/hotel/api/v1/emis/webhook/",
        webhook_enabled=False,
    )
    emis_sandbox.configure(session_ttl=0)
    url = emis_sandbox.open_web_session("160848")  # expired at once

    refused = browser().get(url, timeout=10)

    assert refused.status_code == 410
    assert back_link(refused.text) == (
        "https://pms.example:8443/hotel/emis/persons/160848/upload/?legal_entity=17"
    )


def test_an_unknown_token_leads_to_the_pms_root(emis_sandbox):
    resp = browser().get(f"{emis_sandbox.base_url}/s/not-a-real-token", timeout=10)
    assert resp.status_code == 404
    assert back_link(resp.text) == PMS
    assert "<h1>Ссылка не найдена</h1>" in resp.text
    assert ">Вернуться в PMS</a>" in resp.text


def test_a_post_without_the_cookie_also_leads_back(emis_sandbox):
    _, url, _ = open_page(emis_sandbox, person_id="160850")
    stranger = browser().post(url, data={"action": "save"}, timeout=10)
    assert stranger.status_code == 403
    assert back_link(stranger.text).startswith(PMS + "emis/persons/160850/upload/")
    assert "<h1>Сеанс страницы не найден</h1>" in stranger.text
    assert "откройте EMIS заново из PMS" in stranger.text


@pytest.mark.parametrize(
    ("webhook_url", "root"),
    [
        ("http://127.0.0.1:8000/api/v1/emis/webhook/", "http://127.0.0.1:8000/"),
        (
            "https://pms.example/hotel/api/v1/emis/webhook/",
            "https://pms.example/hotel/",
        ),
        ("http://pms.example/hooks/emis", "http://pms.example/"),
        ("javascript:alert(1)//api/v1/emis/webhook/", None),
        ("not a url", None),
    ],
)
def test_pms_root_of_the_webhook_url(webhook_url, root):
    assert pms_root(webhook_url) == root


def test_the_way_back_without_a_reservation_names_none():
    session = sessions.WebSession("17", "160848", None, None)
    assert way_back("http://pms/api/v1/emis/webhook/", session) == (
        "http://pms/emis/persons/160848/upload/?legal_entity=17"
    )


def test_the_page_session_ends_after_its_lifetime(tmp_path):
    conn = connect(str(tmp_path / "sandbox.sqlite3"))
    conn.executescript(SCHEMA)
    session = sessions.WebSession("17", "160848", None, None)
    token, _ = sessions.open_session(conn, session=session, now=1000.0, ttl=600)
    _, _, sid = sessions.consume(conn, token=token, now=1001.0)
    end = 1001.0 + sessions.PAGE_LIFETIME

    assert sessions.page_session(conn, token=token, sid=sid, now=end) == session
    assert sessions.page_session(conn, token=token, sid=sid, now=end + 1) is None
    assert sessions.page_session(conn, token=token, sid=None, now=1002.0) is None


# --- The outside review's "patronymic blanked by sandbox save" ---------------


def test_a_stored_patronymic_goes_out_with_the_webhook(emis_sandbox):
    """The form keeps what EMIS holds: open, reload, save, and the webhook
    carries the patronymic in both scripts."""
    emis_sandbox.save_person("17", sample_person("160848"))
    with WebhookReceiver() as pms:
        emis_sandbox.configure(webhook_url=pms.url)
        tab, url, _ = open_page(emis_sandbox, hint={"surname": "Крупкин"})
        reloaded = tab.get(url, timeout=10)
        assert form_values(reloaded.text)["patronymic_cyrillic"] == "Борисович"
        submit(tab, url, reloaded.text, "save", birth_place="ГОР. КАЗАНЬ")
        emis_sandbox.wait_for_deliveries(1)

    sent = pms.received[0].json()["person"]
    assert sent["patronymic"] == {"cyrillic": "Борисович", "latin": None}
    assert sent["version"] == 2


def test_with_nothing_stored_the_form_has_only_the_hints_names(emis_sandbox):
    """What the review met: EMIS holds nothing yet and the contract's hint
    has surname and given names only (a patronymic key is not the
    contract's, and ignored), so the page shows no patronymic and a save
    without typing one sends none. Not the form dropping a value: it was
    never given one (docs/sandbox.md)."""
    hint = {"surname": "Крупкин", "given_names": "Илья", "patronymic": "Борисович"}
    tab, url, page = open_page(emis_sandbox, hint=hint)
    values = form_values(page.text)
    assert (values["surname_cyrillic"], values["given_names_cyrillic"]) == (
        "Крупкин",
        "Илья",
    )
    assert values["patronymic_cyrillic"] == values["patronymic_latin"] == ""

    # Typed by the operator, as a real EMIS operator would: it goes out.
    with WebhookReceiver() as pms:
        emis_sandbox.configure(webhook_url=pms.url)
        submit(
            tab,
            url,
            page.text,
            "save",
            sex="M",
            citizenship="RUS",
            patronymic_cyrillic="Борисович",
        )
        emis_sandbox.wait_for_deliveries(1)
    assert pms.received[0].json()["person"]["patronymic"] == {
        "cyrillic": "Борисович",
        "latin": None,
    }
