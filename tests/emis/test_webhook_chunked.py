"""A webhook body sent chunked (``Transfer-Encoding: chunked``, no
``Content-Length``) is read like any other, bounded: over 1 MiB it is a 413,
within it the signature is checked as usual. It used to read as empty
(Django reads no more than ``Content-Length``, and runserver gave the app
nothing at all), so a 2 MiB chunked body answered 401 and a good one could
never be verified.

Two servers: one that decodes the chunks itself and says so with
``wsgi.input_terminated`` (gunicorn), called in-process; and the product's
own ``manage.py runserver`` (README's run command), as a process.
"""

from __future__ import annotations

import http.client
import io
import time
import uuid

import pytest
from django.test import RequestFactory

from emis.models import EmisDelivery
from emis.webhook import MAX_BODY, emis_webhook, signature_for

from .conftest import API_PASSWORD, russian, webhook_body
from .test_concurrency_embedded import SECRET, embedded  # noqa: F401 (fixture)


def _signed(body: bytes, secret: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "X-Emis-Delivery": str(uuid.uuid4()),
        "X-Emis-Timestamp": stamp,
        "X-Emis-Signature": signature_for(secret, stamp, body),
    }


def _oversize(body: bytes) -> bytes:
    return body[:-1] + b', "padding": "' + b"x" * (MAX_BODY + 10) + b'"}'


# --- a server that decodes chunks (gunicorn) --------------------------------------


def _decoded_chunked_request(body: bytes, headers: dict[str, str]):
    request = RequestFactory().post(
        "/api/v1/emis/webhook/",
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
        HTTP_TRANSFER_ENCODING="chunked",
    )
    # What gunicorn hands over for a chunked request: the decoded body as a
    # stream that ends, and no CONTENT_LENGTH.
    request.META.pop("CONTENT_LENGTH", None)
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["wsgi.input_terminated"] = True
    request.__init__(request.environ)  # as Django builds it from that environ
    return request


@pytest.mark.django_db
def test_a_decoded_chunked_body_is_verified_and_applied(anon, target):
    le, stay = target
    body = webhook_body(russian(stay.person_id), le.pk)
    answer = emis_webhook(_decoded_chunked_request(body, _signed(body, API_PASSWORD)))
    assert (answer.status_code, answer.content) == (200, b'{"status": "applied"}')


@pytest.mark.django_db
@pytest.mark.parametrize("signed", [True, False])
def test_a_decoded_chunked_body_over_1_mib_is_a_413(anon, target, signed):
    le, stay = target
    huge = _oversize(webhook_body(russian(stay.person_id), le.pk))
    headers = _signed(huge, API_PASSWORD) if signed else {}
    answer = emis_webhook(_decoded_chunked_request(huge, headers))
    assert answer.status_code == 413
    assert EmisDelivery.objects.get().error_code == "payload_too_large"


# --- manage.py runserver ----------------------------------------------------------


def _chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _post_chunked(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        # An iterable body without Content-Length goes chunked.
        conn.request(
            "POST",
            "/api/v1/emis/webhook/",
            body=_chunks(body),
            headers={"Content-Type": "application/json", **headers},
            encode_chunked=True,
        )
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_runserver_reads_chunked_webhooks_bounded(embedded):  # noqa: F811
    url, entity, persons = embedded["url"], embedded["entity"], embedded["persons"]
    body = webhook_body(russian(persons[0], version=5), entity)
    assert _post_chunked(url, body, _signed(body, SECRET)) == (
        200,
        b'{"status": "applied"}',
    )
    huge = _oversize(webhook_body(russian(persons[1]), entity))
    status, answer = _post_chunked(url, huge, _signed(huge, SECRET))
    assert status == 413 and b"payload_too_large" in answer
    status, answer = _post_chunked(url, huge, {})  # unsigned: the same
    assert status == 413 and b"payload_too_large" in answer
