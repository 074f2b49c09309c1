"""``POST /api/v1/emis/webhook/``: EMIS sends a person's documents after
an operator presses "Сохранить".

The checks run in the contract's order (size → integration active →
signature → payload → delivery claim → lookup → apply) and the answer is
exactly the contract's table. The delivery is claimed by inserting its
``WebhookDelivery`` row in the same transaction as the apply: a crash before
commit leaves no claim, so EMIS's retry is processed; a concurrent duplicate
waits on the unique index and then answers ``duplicate``.

No outbound calls, and the body is never logged (it is personal data).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from emis import bulk_sql
from emis.apply import person_apply_documents
from emis.models import WebhookDelivery
from emis.payload import PayloadError, WebhookEvent, parse_webhook
from integrations.connectors.emis.models import EmisConnection
from integrations.secrets import SecretKeyError
from legal_entities.models import LegalEntity
from reservations.models import Person

log = logging.getLogger("emis.webhook")

MAX_BODY = 1024 * 1024  # 1 MiB
MAX_CLOCK_SKEW = 300  # seconds
_DELIVERY_MAX = WebhookDelivery._meta.get_field("delivery_id").max_length


class _NotFound(Exception):
    """Unknown person or legal entity: rolls the delivery claim back."""


def _error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, **extra}}, status=status
    )


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_is_valid(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now=None
) -> bool:
    if not (secret and timestamp and signature) or not timestamp.isdigit():
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    expected = signature_for(secret, timestamp, body)
    return hmac.compare_digest(
        expected.encode(), signature.strip().encode(errors="replace")
    )


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over 1 MiB (header first, then the bytes:
    a client may lie in Content-Length or send none)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


@csrf_exempt
@login_not_required
@require_POST
def emis_webhook(request: HttpRequest) -> JsonResponse:
    body = _read_body(request)
    if body is None:
        return _error(413, "payload_too_large", "The body is larger than 1 MiB.")
    try:
        connection = EmisConnection.load()
    except SecretKeyError:
        # The key that decrypts api_password is gone: we cannot verify the
        # signature. A 5xx makes EMIS retry the delivery later, so nothing is
        # lost once an administrator restores the key.
        log.error("cannot verify webhooks: the stored API password cannot be decrypted")
        return _error(
            503, "secrets_unreadable", "The PMS cannot read its EMIS credentials."
        )
    if not connection.is_active:
        return _error(
            403, "integration_inactive", "The EMIS integration is not active."
        )
    if not signature_is_valid(
        secret=connection.api_password,
        timestamp=request.headers.get("X-Emis-Timestamp"),
        signature=request.headers.get("X-Emis-Signature"),
        body=body,
    ):
        log.warning("rejected: bad or missing signature/timestamp")
        return _error(401, "bad_signature", "Signature or timestamp missing or wrong.")
    delivery_id = (request.headers.get("X-Emis-Delivery") or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        event = parse_webhook(body)
    except PayloadError as exc:
        errors.update(exc.errors)
    if not delivery_id or len(delivery_id) > _DELIVERY_MAX:
        errors["X-Emis-Delivery"] = [f"required, at most {_DELIVERY_MAX} characters"]
    if errors:
        log.warning("rejected: invalid payload, fields=%s", ",".join(errors))
        return _error(
            400,
            "invalid_payload",
            "The payload breaks the EMIS API v1 contract.",
            fields=errors,
        )
    return _process(delivery_id, event)


def _process(delivery_id: str, event: WebhookEvent) -> JsonResponse:
    person_id = event.person.pms_person_id
    try:
        with transaction.atomic():
            # The claim: None when this delivery ID was processed already.
            delivery = bulk_sql.insert_unless_conflict(
                WebhookDelivery(delivery_id=delivery_id)
            )
            status = "duplicate" if delivery is None else _apply(delivery, event)
    except _NotFound as exc:
        log.info("delivery=%s person_id=%s not found: %s", delivery_id, person_id, exc)
        return _error(404, "not_found", f"Unknown {exc} in this PMS.")
    log.info("delivery=%s person_id=%s status=%s", delivery_id, person_id, status)
    return JsonResponse({"status": status})


def _apply(delivery: WebhookDelivery, event: WebhookEvent) -> str:
    person_id = event.person.pms_person_id
    if not LegalEntity.objects.filter(pk=event.legal_entity_id).exists():
        raise _NotFound("legal_entity_id")
    try:
        result = person_apply_documents(
            person_id=person_id,
            legal_entity_id=event.legal_entity_id,
            data=event.person,
            source="webhook",
        )
    except Person.DoesNotExist:
        raise _NotFound("person_id") from None
    delivery.status = result.status
    delivery.person_id = person_id
    delivery.legal_entity_id = event.legal_entity_id
    bulk_sql.update(
        WebhookDelivery, [delivery], ["status", "person_id", "legal_entity_id"]
    )
    return result.status
