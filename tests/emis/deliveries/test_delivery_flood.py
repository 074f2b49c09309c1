"""A flood of unsigned webhook requests can neither hide EMIS's own
refusals nor fill the delivery log (issue 10, the delivery log's review).

- Стыковки lists refusals by kind: the last refusals of *signed* deliveries
  (EMIS's data, refused for a field, a guest or a legal entity) apart from a
  count of requests refused without a valid signature. 30 forged requests
  used to push the one signed 400 off the list of five.
- Refusals of unsigned requests (401, 413, 403 while the integration is off)
  are counted per client address in the database, per minute; past
  ``EMIS_WEBHOOK_REFUSALS_PER_MINUTE`` they are answered 429 with
  Retry-After in the webhook's error shape, and only the first 429 of a
  minute is logged. A signed delivery is never rate-limited: EMIS does not
  retry a 429, so that would lose its data.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from emis.models import EmisDelivery
from tests.emis.conftest import post_webhook, russian, webhook_body

pytestmark = pytest.mark.django_db


def _forged(client, le, stay, **extra):
    body = webhook_body(russian(stay.person_id), le.pk)
    return post_webhook(client, body, secret="guessed", **extra)


def _signed_400(client, le, stay, delivery="r-1"):
    body = webhook_body(russian(stay.person_id, sex="X"), le.pk)
    return post_webhook(client, body, delivery=delivery)


def test_a_flood_of_forged_requests_does_not_hide_a_signed_refusal(
    anon, target, admin_client_, english, settings
):
    settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE = 1000  # the list alone
    le, stay = target
    assert _signed_400(anon, le, stay).status_code == 400
    for _n in range(30):
        assert _forged(anon, le, stay).status_code == 401
    page = admin_client_.get(reverse("integrations:list")).content.decode()
    assert "Rejected EMIS delivery r-1" in page
    assert "person.sex — must be one of F, M" in page
    assert (
        "Requests refused without a valid signature in the last 24 hours: 30"
    ) in page
    assert "HTTP 401: signature or timestamp missing or wrong" in page


def test_forged_requests_past_the_limit_get_429_and_are_not_all_logged(
    anon, target, settings
):
    settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE = 3
    le, stay = target
    answers = [_forged(anon, le, stay) for _n in range(6)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429]
    limited = answers[3]
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.json()["error"]["message"]
    assert 1 <= int(limited["Retry-After"]) <= 60
    logged = list(
        EmisDelivery.objects.order_by("id").values_list("http_status", flat=True)
    )
    assert logged == [401, 401, 401, 429]  # the first 429 of the minute only
    # A too large unsigned body counts the same.
    huge = b'{"x": "' + b"x" * (1024 * 1024 + 1) + b'"}'
    assert post_webhook(anon, huge, secret="guessed").status_code == 429


def test_signed_deliveries_are_never_rate_limited(anon, target, settings):
    settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE = 2
    le, stay = target
    for _n in range(4):
        _forged(anon, le, stay)
    assert _signed_400(anon, le, stay, delivery="r-2").status_code == 400
    good = post_webhook(anon, webhook_body(russian(stay.person_id), le.pk))
    assert good.json() == {"status": "applied"}


def test_the_limit_is_per_client_address(anon, target, settings):
    settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE = 2
    le, stay = target
    for _n in range(3):
        _forged(anon, le, stay, REMOTE_ADDR="203.0.113.7")
    assert _forged(anon, le, stay, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert _forged(anon, le, stay, REMOTE_ADDR="198.51.100.2").status_code == 401


def test_the_log_says_which_refusals_were_signed(anon, target, api_admin):
    le, stay = target
    _signed_400(anon, le, stay)
    _forged(anon, le, stay)
    rows = api_admin.get("/api/v1/emis/deliveries/").json()["results"]
    assert [(r["http_status"], r["signed"]) for r in rows] == [
        (401, False),
        (400, True),
    ]
    only_signed = api_admin.get("/api/v1/emis/deliveries/", {"signed": "true"}).json()
    assert [r["http_status"] for r in only_signed["results"]] == [400]
