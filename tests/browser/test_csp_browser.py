"""The Content-Security-Policy in a real browser: every main page works and
Chromium reports no violation.

The pages are opened as the people who use them (front desk, admin, support
in the Django admin) and their scripts are exercised: the EMIS dialog, the
htmx "test connection" button, the language switcher, Swagger UI, the admin's
widgets. A violation shows up either as Chromium's console error ("...violates
the following Content Security Policy directive...") or as a
``securitypolicyviolation`` event, which an init script turns into a console
line; both fail the test.

Then form-action: a form posted from a logged-in page to our own address that
redirects to the configured EMIS origin must arrive there (Chrome checks
form-action on redirects), and one redirecting anywhere else must be blocked.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group

from emis.models import EmisConnection, NamePolicy
from pms.roles import Role
from tests.factories import (
    make_emis_connection,
    make_guest,
    make_legal_entity,
    make_reservation,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("securitypolicyviolation " + e.violatedDirective + " " + e.blockedURI);
});
"""


def _dead_origin() -> str:
    """An origin where nothing listens: "test connection" fails at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class Browser:
    """Pages on the session's chromium that report every CSP violation."""

    def __init__(self, new_context, base_url):
        self.base_url = base_url
        self.new_context = new_context
        self.violations: list[str] = []

    def new_page(self):
        context = self.new_context()
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("page", self._watch)
        page = context.new_page()
        page.set_default_timeout(20000)
        return page

    def _watch(self, page):
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "securitypolicyviolation" in text:
            self.violations.append(f"{message.page.url if message.page else ''}: {text}")

    def login(self, page, username, path="/accounts/login/"):
        page.goto(self.base_url + path)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "pass-12345")
        # The login form's button, not the top bar's language buttons.
        page.click("form:not(.lang-switch) [type=submit]")
        page.wait_for_load_state("networkidle")

    def visit(self, page, path):
        response = page.goto(self.base_url + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("networkidle")
        return response


@pytest.fixture
def browser(live_server, new_context):
    return Browser(new_context, live_server.url)


@pytest.fixture
def world():
    for role in Role:  # transactional tests flush the migration's groups
        Group.objects.get_or_create(name=role.value)
    make_emis_connection(_dead_origin())
    entity = make_legal_entity(name="ООО Ромашка")
    stay = make_guest(make_reservation(entity), surname="Репин", given_names="Илья")
    make_user(Role.FRONT_DESK, username="desk")
    make_user(Role.ADMIN, username="boss")
    make_user(Role.SUPPORT, username="root", is_superuser=True)
    return {"stay": stay, "entity": entity}


def test_main_pages_raise_no_csp_violation(browser, world):
    from playwright.sync_api import expect

    stay, entity = world["stay"], world["entity"]
    card = f"/reservations/{stay.reservation_id}/"
    guest = f"{card}guests/{stay.pk}/"

    page = browser.new_page()
    browser.visit(page, "/accounts/login/")
    browser.login(page, "boss")
    # Front desk pages (the admin role sees them too, plus its own).
    browser.visit(page, "/reservations/")
    browser.visit(page, card)
    page.click("a[data-tab=guests]")
    browser.visit(page, guest)
    page.click("[data-dialog=emis-dialog]")
    expect(page.locator("#emis-dialog")).to_be_visible()
    # htmx asks for the buttons of the chosen legal entity.
    page.select_option("select[name=legal_entity]", "")
    expect(page.locator("[data-emis-pull]")).to_be_disabled()
    page.select_option("select[name=legal_entity]", str(entity.pk))
    expect(page.locator("[data-emis-pull]")).to_be_enabled()
    page.click("[data-emis-cancel]")
    expect(page.locator("#emis-dialog")).to_be_hidden()
    browser.visit(page, f"/reservations/{stay.reservation_id}/guests/new/")
    browser.visit(page, "/reservations/new/")
    browser.visit(page, f"/persons/{stay.person_id}/history/")
    browser.visit(page, "/legal-entities/")
    browser.visit(page, f"/legal-entities/{entity.pk}/")
    browser.visit(page, "/integrations/")
    browser.visit(page, "/integrations/emis/")
    page.fill("input[name=api_password]", "api-secret-1")
    page.fill("input[name=web_password]", "web-secret-1")
    page.click("button[value=test]")  # htmx swaps the answer in place
    expect(page.locator("#emis-test-result [data-ok]")).to_be_visible()
    browser.visit(page, "/api/schema/swagger/")
    page.wait_for_selector("text=/api/v1/persons/{person_id}/")
    # The API answers JSON only (docs/api.md): a browser shows it as text.
    browser.visit(page, "/api/v1/reservations/")
    browser.visit(page, f"/api/v1/persons/{stay.person_id}/")
    expect(page.get_by_text(f'"id":{stay.person_id}')).to_be_attached()
    # The language switcher: a plain form with a button per language.
    browser.visit(page, "/reservations/")
    with page.expect_navigation():
        page.click("form.lang-switch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    admin = browser.new_page()
    browser.visit(admin, "/admin/login/")
    browser.login(admin, "root", path="/admin/login/")
    expect(admin.locator("#site-name")).to_be_visible()
    for path in [
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{_user_pk('boss')}/change/",
        "/admin/emis/namepolicy/",
        f"/admin/emis/namepolicy/{NamePolicy.load().pk}/change/",
        "/admin/emis/namepolicyoverride/add/",
        "/admin/django_celery_beat/periodictask/add/",
    ]:
        browser.visit(admin, path)
    # The name policy's preview follows the selects (htmx in the admin).
    browser.visit(admin, f"/admin/emis/namepolicy/{NamePolicy.load().pk}/change/")
    admin.select_option("select[name=script]", "latin")
    expect(admin.locator(".name-policy-preview tr.current")).to_have_attribute(
        "data-script", "latin"
    )
    # Exercise admin scripts: the changelist's select-all and action bar.
    browser.visit(admin, "/admin/auth/user/")
    admin.check("#action-toggle")
    expect(admin.locator(".action-counter")).to_contain_text("3")

    assert browser.violations == []


def test_an_htmx_swap_never_sets_a_style_attribute(browser, world):
    """Outside walkthrough: a burst of "Applying inline style violates …
    style-src" after a card redraw. htmx settles an element that keeps its
    id by copying attributes with setAttribute; a style attribute the page
    left as "" (an element whose style was set and cleared through the
    CSSOM, which the CSP allows) was copied too, and the CSP refuses that."""
    from playwright.sync_api import expect

    stay, entity = world["stay"], world["entity"]
    page = browser.new_page()
    browser.visit(page, "/accounts/login/")
    browser.login(page, "desk")
    browser.visit(page, f"/reservations/{stay.reservation_id}/guests/{stay.pk}/")
    page.click("[data-dialog=emis-dialog]")
    expect(page.locator("#emis-dialog")).to_be_visible()
    page.evaluate(
        """() => {
          const status = document.querySelector("#emis-status");
          status.style.color = "red";
          status.style.removeProperty("color");
          window.settled = new Promise((done) =>
            document.body.addEventListener("htmx:afterSettle", done, {once: true}));
        }"""
    )
    assert page.get_attribute("#emis-status", "style") == ""
    # The answer swaps #emis-status out of band, keeping its id.
    with page.expect_response(lambda r: "/dialog/" in r.url):
        page.select_option("select[name=legal_entity]", str(entity.pk))
    expect(page.locator("[data-emis-pull]")).to_be_enabled()
    page.evaluate("() => window.settled")  # htmx's settle tasks have run
    assert browser.violations == []


def _user_pk(username):
    from django.contrib.auth.models import User

    return User.objects.get(username=username).pk


def _probe_redirect(page, base_url, target):
    """Our own address (as Playwright answers it) that 302s to ``target``."""

    def reply(route):
        route.fulfill(status=302, headers={"Location": target})

    page.context.route(f"{base_url}/csp-probe/", reply)


def _submit_form(page, action, target="_blank"):
    page.evaluate(
        """([action, target]) => {
          const form = document.createElement("form");
          form.method = "post";
          form.action = action;
          form.target = target;
          document.body.appendChild(form);
          form.submit();
        }""",
        [action, target],
    )


@pytest.fixture
def emis_page_server():
    """A stand-in for EMIS's web page on a second origin: a real server,
    because Playwright does not answer for a popup's redirect target."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = b"<h1>EMIS upload</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_form_action_allows_the_emis_origin_only(browser, world, emis_page_server):
    emis = emis_page_server
    EmisConnection.objects.filter(pk=1).update(base_url=emis + "/")
    stay = world["stay"]
    page = browser.new_page()
    browser.login(page, "desk")
    browser.visit(page, f"/reservations/{stay.reservation_id}/guests/{stay.pk}/")

    # To the configured EMIS origin, in a new tab, as the upload form does.
    _probe_redirect(page, browser.base_url, f"{emis}/upload/session-1")
    with page.context.expect_page() as opened:
        _submit_form(page, "/csp-probe/")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{emis}/upload/session-1"
    assert tab.locator("h1").text_content() == "EMIS upload"
    assert browser.violations == []

    # Anywhere else: blocked by form-action, reported as a violation.
    page.context.unroute(f"{browser.base_url}/csp-probe/")
    _probe_redirect(page, browser.base_url, f"{_dead_origin()}/steal")
    # Chromium reports the blocked redirect (its own console error, then the
    # securitypolicyviolation event) once it has refused to follow it.
    with page.expect_console_message(lambda message: "form-action" in message.text):
        _submit_form(page, "/csp-probe/", target="_self")
    assert page.url.startswith(browser.base_url + "/reservations/")
    assert any("form-action" in v for v in browser.violations), browser.violations
