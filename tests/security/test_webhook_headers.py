"""Issue 8, item 1: no header value sent to the EMIS webhook causes a 500.

A Unicode digit in ``X-Emis-Timestamp`` ("²": ``str.isdigit()`` is true but
``int()`` fails) or 5,000 digits used to crash the view *before* the
signature check, and with DEBUG on the error page showed the local variable
holding the API password — the webhook signing key. Every odd value of the
three headers is sent here with DEBUG on, correctly signed where a signature
can be computed: the answer is the contract's 401 (timestamp, signature) or
400 naming ``X-Emis-Delivery``, never a 500, never the password, and nothing
is stored.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import Client

from emis.models import WebhookDelivery
from emis.webhook import signature_for
from reservations.models import PersonChange
from tests.emis.conftest import WEBHOOK_URL, russian, webhook_body
from tests.factories import make_emis_connection

pytestmark = pytest.mark.django_db

API_PASSWORD = "Hdr-Api-Pw-7Rq2-never-shown"
DELIVERY_MAX = WebhookDelivery._meta.get_field("delivery_id").max_length


@pytest.fixture
def body(stay):
    make_emis_connection(
        "http://emis.test",
        api=("hdr-api", API_PASSWORD),
        web=("hdr-web", "Hdr-Web-Pw-never-shown"),
    )
    return webhook_body(russian(stay.person_id), stay.reservation.legal_entity_id)


@pytest.fixture
def debug_client(settings):
    """DEBUG on as under ./scripts/run.sh, and a client that renders the
    technical 500 page instead of re-raising, so a crash shows what it shows."""
    settings.DEBUG = True
    client = Client()
    client.raise_request_exception = False
    return client


def _send(client, body: bytes, *, timestamp, signature=None, delivery=None):
    if signature is None:
        signature = signature_for(API_PASSWORD, timestamp, body)
    return client.generic(
        "POST",
        WEBHOOK_URL,
        body,
        content_type="application/json",
        HTTP_X_EMIS_TIMESTAMP=timestamp,
        HTTP_X_EMIS_SIGNATURE=signature,
        HTTP_X_EMIS_DELIVERY=str(uuid.uuid4()) if delivery is None else delivery,
    )


def _assert_refused(response, status: int, code: str) -> dict:
    text = response.content.decode(errors="replace")
    assert response.status_code != 500, text[:300]
    assert API_PASSWORD not in text
    assert response.status_code == status, text[:300]
    error = response.json()["error"]
    assert error["code"] == code
    assert not WebhookDelivery.objects.exists()
    assert not PersonChange.objects.filter(source="webhook").exists()
    return error


def _now() -> str:
    return str(int(time.time()))


ODD_TIMESTAMPS = [
    pytest.param(lambda: "²", id="superscript-two"),
    pytest.param(lambda: "Â²", id="superscript-two-as-wsgi-latin1"),
    pytest.param(lambda: "١٢٣", id="arabic-indic-digits"),
    pytest.param(
        lambda: _now().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        id="arabic-indic-now",
    ),
    pytest.param(
        lambda: _now().translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        id="fullwidth-now",
    ),
    pytest.param(lambda: "9" * 5000, id="5000-digits"),
    pytest.param(lambda: "9" * 13, id="13-digits"),
    pytest.param(lambda: "0" * 12, id="12-zeros-out-of-window"),
    pytest.param(lambda: "-1", id="minus-one"),
    pytest.param(lambda: "-" + _now(), id="negative-now"),
    pytest.param(lambda: "+" + _now(), id="plus-now"),
    pytest.param(lambda: _now() + ".5", id="fraction"),
    pytest.param(lambda: "1e9", id="exponent"),
    pytest.param(lambda: "0x6a", id="hex"),
    pytest.param(lambda: "1_795_770_000", id="underscores"),
    pytest.param(lambda: "", id="empty"),
    pytest.param(lambda: " ", id="space"),
    pytest.param(lambda: "\t", id="tab"),
    pytest.param(lambda: _now() + " 1", id="two-numbers"),
    pytest.param(lambda: "\x00", id="nul"),
    pytest.param(lambda: _now() + "\x00", id="now-then-nul"),
    pytest.param(lambda: "é", id="non-ascii"),
    pytest.param(lambda: "Ⅻ", id="roman-numeral"),
    pytest.param(lambda: "\u202e" + _now(), id="rtl-override"),
    pytest.param(lambda: "x" * 10_000, id="10000-letters"),
]


@pytest.mark.parametrize("make_timestamp", ODD_TIMESTAMPS)
def test_an_odd_timestamp_is_401_never_500(debug_client, body, make_timestamp):
    response = _send(debug_client, body, timestamp=make_timestamp())
    _assert_refused(response, 401, "bad_signature")


def _good(body: bytes) -> tuple[str, str]:
    ts = _now()
    return ts, signature_for(API_PASSWORD, ts, body)


ODD_SIGNATURES = [
    pytest.param(lambda sig: "", id="empty"),
    pytest.param(lambda sig: "sha256=", id="prefix-only"),
    pytest.param(lambda sig: sig[:-1], id="63-hex"),
    pytest.param(lambda sig: sig + "0", id="65-hex"),
    pytest.param(lambda sig: sig.removeprefix("sha256="), id="no-prefix"),
    pytest.param(lambda sig: sig.upper(), id="upper-case-prefix-and-hex"),
    pytest.param(lambda sig: "sha1=" + sig[7:], id="other-algorithm"),
    pytest.param(lambda sig: sig + "," + sig, id="twice"),
    pytest.param(lambda sig: sig + "\x00", id="trailing-nul"),
    pytest.param(lambda sig: "sha256=" + "é" * 64, id="non-ascii-hex"),
    pytest.param(lambda sig: "sha256=" + "٠" * 64, id="arabic-indic-zeros"),
    pytest.param(lambda sig: "sha256=" + "ｆ" * 64, id="fullwidth-f"),
    pytest.param(lambda sig: "sha256=" + "\ud7ff" * 64, id="high-bmp"),
    pytest.param(lambda sig: "sha256=" + "g" * 64, id="not-hex"),
    pytest.param(lambda sig: "sha256=" + "0" * 64, id="wrong-but-well-formed"),
    pytest.param(lambda sig: "sha256=" + "a" * 100_000, id="100k-chars"),
    pytest.param(lambda sig: "\x00" * 71, id="all-nul"),
]


@pytest.mark.parametrize("make_signature", ODD_SIGNATURES)
def test_an_odd_signature_is_401_never_500(debug_client, body, make_signature):
    ts, good = _good(body)
    response = _send(debug_client, body, timestamp=ts, signature=make_signature(good))
    _assert_refused(response, 401, "bad_signature")


ODD_DELIVERIES = [
    pytest.param("", id="empty"),
    pytest.param(" ", id="space"),
    pytest.param("\t", id="tab"),
    pytest.param("\x00", id="nul"),
    pytest.param("abc\x00def", id="inner-nul"),
    pytest.param("abc\ndef", id="newline"),
    pytest.param("abc\x7fdef", id="delete-char"),
    pytest.param("é", id="non-ascii"),
    pytest.param("Ã©", id="non-ascii-as-wsgi-latin1"),
    pytest.param("\u202eabc", id="rtl-override"),
    pytest.param("١٢٣", id="arabic-indic-digits"),
    pytest.param("x" * (DELIVERY_MAX + 1), id="one-over-max"),
    pytest.param("x" * 100_000, id="100k-chars"),
]


@pytest.mark.parametrize("delivery", ODD_DELIVERIES)
def test_an_odd_delivery_id_is_400_naming_the_header(debug_client, body, delivery):
    ts, sig = _good(body)
    response = _send(debug_client, body, timestamp=ts, signature=sig, delivery=delivery)
    error = _assert_refused(response, 400, "invalid_payload")
    assert "X-Emis-Delivery" in error["fields"]


def test_upper_case_hex_digits_are_the_same_signature(debug_client, body):
    """The contract says ``<hex>``: an EMIS that prints its digest in upper
    case signs the same bytes (the prefix stays ``sha256=``, as above)."""
    ts, sig = _good(body)
    upper = "sha256=" + sig.removeprefix("sha256=").upper()
    assert upper != sig
    response = _send(debug_client, body, timestamp=ts, signature=upper)
    assert response.json() == {"status": "applied"}
    wrong = "sha256=" + ("0" * 64 if upper[7] != "0" else "1" * 64)
    refused = _send(debug_client, body, timestamp=ts, signature=wrong.upper())
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "bad_signature"


def test_the_longest_printable_delivery_id_is_accepted(debug_client, body):
    ts, sig = _good(body)
    delivery = "~" + "a" * (DELIVERY_MAX - 2) + "!"
    response = _send(debug_client, body, timestamp=ts, signature=sig, delivery=delivery)
    assert response.json() == {"status": "applied"}
    assert WebhookDelivery.objects.get().delivery_id == delivery


def test_surrounding_whitespace_is_not_part_of_a_header_value(debug_client, body):
    """RFC 9110 §5.5: optional whitespace around a field value is not part of
    it (gunicorn strips it; the test client does not)."""
    ts, sig = _good(body)
    response = _send(
        debug_client, body, timestamp=f" {ts}\t", signature=f" {sig} ", delivery=" d-1 "
    )
    assert response.json() == {"status": "applied"}
    assert WebhookDelivery.objects.get().delivery_id == "d-1"


def test_a_missing_header_is_401_never_500(debug_client, body):
    ts, sig = _good(body)
    for headers in (
        {"HTTP_X_EMIS_SIGNATURE": sig},
        {"HTTP_X_EMIS_TIMESTAMP": ts},
        {},
    ):
        response = debug_client.generic(
            "POST", WEBHOOK_URL, body, content_type="application/json", **headers
        )
        _assert_refused(response, 401, "bad_signature")


@pytest.mark.parametrize(
    "length", ["²", "١٠", "9" * 5000, "-1", "", "x", str(2**64)], ids=repr
)
def test_an_odd_content_length_is_never_500(debug_client, body, length):
    ts, sig = _good(body)
    response = debug_client.generic(
        "POST",
        WEBHOOK_URL,
        body,
        content_type="application/json",
        CONTENT_LENGTH=length,
        HTTP_X_EMIS_TIMESTAMP=ts,
        HTTP_X_EMIS_SIGNATURE=sig,
        HTTP_X_EMIS_DELIVERY="d-length",
    )
    text = response.content.decode(errors="replace")
    assert response.status_code < 500, text[:300]
    assert API_PASSWORD not in text
