"""In a real browser: the clerk keeps the guest card open while EMIS's
webhook for this guest is refused; when the card comes back into view it
says which field was rejected and why, without reloading (the typing stays)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from django.contrib.auth.models import Group

from emis.webhook import signature_for
from pms.roles import Role
from tests.emis.conftest import russian, webhook_body
from tests.factories import (
    make_emis_connection,
    make_guest,
    make_legal_entity,
    make_reservation,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

API_PASSWORD = "api-secret-1"


def send(url: str, body: bytes) -> requests.Response:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Emis-Delivery": str(uuid.uuid4()),
        "X-Emis-Timestamp": ts,
        "X-Emis-Signature": signature_for(API_PASSWORD, ts, body),
    }
    return requests.post(url + "/api/v1/emis/webhook/", data=body, headers=headers, timeout=10)


def test_a_refusal_shows_on_the_open_card_without_a_reload(live_server, page):
    for role in Role:  # transactional tests flush the role groups
        Group.objects.get_or_create(name=role.value)
    make_emis_connection(api=("hotel-api", API_PASSWORD))
    le = make_legal_entity()
    stay = make_guest(make_reservation(le), "Репин")
    make_user(Role.FRONT_DESK, username="desk")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pass-12345")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/reservations/{stay.reservation_id}/guests/{stay.pk}/")
    assert page.locator("[data-emis-rejected]").count() == 0
    page.fill("input[name='person-phone']", "+7 900 000-00-00")

    data = russian(stay.person_id, sex="X")
    data["documents"][0]["number"] = None
    assert send(live_server.url, webhook_body(data, le.pk)).status_code == 400

    # The clerk comes back from EMIS's tab: the card asks what is new.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    notice = page.locator("[data-emis-flash] [data-emis-rejected]")
    notice.wait_for()
    text = notice.inner_text()
    assert "EMIS прислал данные этого гостя, но они отклонены" in text
    # By the card's names of the fields, not their paths in the payload.
    assert "Пол — должно быть одним из: F, M" in text
    assert "документ, удостоверяющий личность № 1: номер — обязательно" in text
    assert page.input_value("input[name='person-phone']") == "+7 900 000-00-00"
