"""Issue 8, item 9: opening EMIS creates a web session and a click record,
so it must not happen on a GET a link on another site could trigger. The
upload link is a CSRF-checked POST from the guest card's form (target
_blank); a GET (the tab's address reloaded: F5) asks EMIS nothing and
answers with a page whose button posts for a fresh link (issue 12)."""

import re

import pytest
import responses
from django.test import Client

from emis.models import UploadLinkClick
from tests.factories import EMIS_BASE
from tests.security.conftest import emis_opens_upload

# Every test here has a guest (``stay``) and an active EMIS connection.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("emis_connection")]

ONE_TIME = EMIS_BASE + "/s/one-time-token-abc"


def fields(stay):
    return {
        "legal_entity": stay.reservation.legal_entity_id,
        "reservation": stay.reservation_id,
    }


def upload_url(stay):
    return f"/emis/persons/{stay.person_id}/upload/"


def test_a_get_asks_emis_nothing_and_offers_a_fresh_link(stay, front_desk):
    client = Client()
    client.force_login(front_desk)
    with responses.RequestsMock() as emis:  # any call to EMIS fails the test
        response = client.get(upload_url(stay), fields(stay))
        assert len(emis.calls) == 0
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not UploadLinkClick.objects.exists()
    html = response.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form and form.group(1) == upload_url(stay)
    assert "csrfmiddlewaretoken" in form.group(2)
    entity = stay.reservation.legal_entity_id
    assert re.search(rf'<option value="{entity}" selected>', form.group(2))
    assert f'name="reservation" value="{stay.reservation_id}"' in form.group(2)
    assert "data-emis-fresh-link" in form.group(2)


@responses.activate
def test_the_fresh_link_button_opens_emis_again(stay, front_desk):
    """F5 on the tab, then the button: a new one-time link, a new click."""
    emis_opens_upload(ONE_TIME)
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    page = client.get(upload_url(stay), fields(stay)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(upload_url(stay), {**fields(stay), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == ONE_TIME
    assert UploadLinkClick.objects.get().ok is True


def test_support_gets_no_fresh_link_page(stay, support_user):
    client = Client()
    client.force_login(support_user)
    assert client.get(upload_url(stay), fields(stay)).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(stay, front_desk):
    """What a form on another site would send with the clerk's cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    with responses.RequestsMock() as emis:
        response = client.post(upload_url(stay), fields(stay))
        assert len(emis.calls) == 0
    assert response.status_code == 403
    assert not UploadLinkClick.objects.exists()


@responses.activate
def test_the_guest_cards_form_posts_with_its_token_and_goes_to_emis(stay, front_desk):
    emis_opens_upload(ONE_TIME)
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    card = client.get(stay.get_absolute_url()).content.decode()

    form = re.search(r"<form [^>]*data-emis-upload-form[^>]*>(.*?)</form>", card, re.S)
    assert form, "the dialog has its own upload form"
    tag = form.group(0)[: form.group(0).index(">") + 1]
    assert 'method="post"' in tag and 'target="_blank"' in tag
    assert f'action="{upload_url(stay)}"' in tag
    inner = form.group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', inner).group(1)
    assert 'name="legal_entity"' in inner
    assert f'name="reservation" value="{stay.reservation_id}"' in inner
    # Not nested in the guest form (a browser would drop a nested form).
    guest_form = card[card.index('<form method="post" id="guest-form"') :]
    guest_form = guest_form[: guest_form.index("</form>")]
    assert "data-emis-upload-form" not in guest_form

    response = client.post(
        upload_url(stay), {**fields(stay), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert response["Location"] == ONE_TIME
    assert UploadLinkClick.objects.get().ok is True


def test_the_card_has_no_inline_script_or_handler(stay, front_desk):
    """script-src 'self': the dialog's behaviour comes from static files
    (htmx and pms.js), never from inline code or htmx's evaluated hx-on."""
    client = Client()
    client.force_login(front_desk)
    card = client.get(stay.get_absolute_url()).content.decode()
    start = card.index('<dialog id="emis-dialog"')
    dialog = card[start : card.index("</dialog>", start)]
    assert not re.search(r"\son[a-z]+\s*=", dialog)
    assert "javascript:" not in dialog
    assert "hx-on" not in card
    scripts = re.findall(r"<script\b[^>]*>", card)
    assert scripts and all("src=" in s for s in scripts)


@responses.activate
def test_the_error_pages_retry_is_a_post_with_csrf(stay, front_desk, settings):
    settings.EMIS_RETRY_BACKOFF = (0, 0)
    responses.post(EMIS_BASE + "/api/v1/web-sessions", status=503, json={})
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    card = client.get(stay.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)

    page = client.post(upload_url(stay), {**fields(stay), "csrfmiddlewaretoken": token})

    assert page.status_code == 503
    html = page.content.decode()
    retry = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert retry and retry.group(1) == upload_url(stay)
    assert "csrfmiddlewaretoken" in retry.group(2)
    assert f'name="legal_entity" value="{stay.reservation.legal_entity_id}"' in html
    assert f'name="reservation" value="{stay.reservation_id}"' in html
    assert re.search(r'<button type="submit"[^>]*data-emis-retry', html)
    assert f'href="{upload_url(stay)}' not in html  # no GET link any more
