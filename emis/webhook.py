"""``POST /api/v1/emis/webhook/``: EMIS sends a person's documents after
an operator presses "Сохранить".

The checks run in the contract's order (size → integration active →
signature → payload → delivery claim → lookup → apply) and the answer is
exactly the contract's table. The delivery is claimed by inserting its
``WebhookDelivery`` row in the same transaction as the apply: a crash before
commit leaves no claim, so EMIS's retry is processed; a concurrent duplicate
waits on the unique index and then answers ``duplicate``.

The lookup is scoped like the pull and the upload link: the legal entity must
be active (403 otherwise) and the person must have a stay with it. A merged
person's ID (an alias) names the survivor, as everywhere
(``reservations.aliases``). An unknown
legal entity, an unknown person and a person staying only with another legal
entity get the very same 404, so the answer tells nothing about which.

Headers are parsed strictly (ASCII only, bounded length) before anything
uses them: whatever a header holds, the answer is a 401 or a 400, never a 500
(a crash used to show the signing key on the DEBUG error page). Functions
holding the key are marked for ``pms.error_reporting`` all the same.

Every request is recorded in the delivery log (``EmisDelivery``, see
``emis.deliveries``) with its outcome: an accepted one in the apply's own
transaction, a refused one after that transaction rolled back, so the
refusal stays on record while the claim does not. Person and legal entity
IDs are recorded only from a body whose signature was verified.

No outbound calls, and the body is never logged (it is personal data).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from emis import bulk_sql
from emis.apply import person_apply_documents
from emis.deliveries.services import delivery_record, delivery_record_refusal
from emis.deliveries.throttle import refusal_count
from emis.models import EmisConnection, EmisDelivery, WebhookDelivery
from emis.payload import PayloadError, WebhookEvent, field_errors, parse_webhook
from emis.scope import ERASED, INACTIVE, ScopeError, person_scope_check
from integrations.secrets import SecretKeyError
from legal_entities.models import LegalEntity
from pms.lockout import client_ip
from pms.request_body import body_read_bounded
from reservations.aliases import person_id_resolve
from reservations.models import Person

log = logging.getLogger("emis.webhook")

MAX_BODY = 1024 * 1024  # 1 MiB
MAX_CLOCK_SKEW = 300  # seconds
_DELIVERY_MAX = WebhookDelivery._meta.get_field("delivery_id").max_length
# ASCII only, bounded: "²" and "١٢٣" are digits to str.isdigit() and int(),
# and int() of 5,000 digits raises. 12 digits reach the year 33658.
_TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
# Hex digits in either case: the contract says "<hex>", and an upper-case
# digest is the same digest.
_SIGNATURE_RE = re.compile(r"sha256=[0-9a-fA-F]{64}")
_DELIVERY_RE = re.compile(rf"[\x20-\x7e]{{1,{_DELIVERY_MAX}}}")
# Optional whitespace around a field value is not part of it (RFC 9110 5.5).
_OWS = " \t"
NOT_FOUND_MESSAGE = (
    "Unknown person_id or legal_entity_id in this PMS, or the person has no "
    "stay with that legal entity."
)


class _Refused(Exception):
    """Not applied (404 or 403): rolls the delivery claim back, so EMIS's
    retry is processed once the cause is fixed."""

    def __init__(self, status: int, code: str, message: str, reason: str):
        super().__init__(reason)  # the reason is for the log only
        self.code = code
        self.response = _error(status, code, message)


def _not_found(reason: str) -> _Refused:
    return _Refused(404, "not_found", NOT_FOUND_MESSAGE, reason)


def _error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, **extra}}, status=status
    )


def _refuse(
    delivery_id: str,
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    subject: dict | None = None,
) -> JsonResponse:
    """The error answer, recorded in the delivery log. ``subject`` (only
    from a body whose signature was verified: the row is then ``signed``)
    names the person, legal entity and version where they could be read."""
    delivery_record_refusal(
        delivery_id=delivery_id,
        status=EmisDelivery.Status.FAILED
        if status >= 500
        else EmisDelivery.Status.REJECTED,
        http_status=status,
        error_code=code,
        fields=field_errors(fields or {}),
        signed=subject is not None,
        **(subject or {}),
    )
    extra = {"fields": fields} if fields else {}
    return _error(status, code, message, **extra)


def _refuse_unsigned(
    request: HttpRequest, delivery_id: str, status: int, code: str, message: str
) -> JsonResponse:
    """A refusal before any signature was verified, counted per client
    address (``emis.deliveries.throttle``): past the limit a 429 with
    Retry-After, of which only the minute's first is logged."""
    refusal = refusal_count(client=client_ip(request) or "unknown")
    if not refusal.limited:
        return _refuse(delivery_id, status, code, message)
    text = "Too many refused requests from this address; retry after Retry-After seconds."
    if refusal.first_limited:
        response = _refuse(delivery_id, 429, "rate_limited", text)
    else:
        response = _error(429, "rate_limited", text)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@sensitive_variables("secret", "mac")
def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@sensitive_variables("secret", "expected")
def signature_is_valid(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now=None
) -> bool:
    """Whether ``signature`` is ``sha256=`` + the 64 hex digits (either case) of
    the body's HMAC and ``timestamp`` (ASCII digits) is within 300 s of now.
    Anything malformed is simply not valid."""
    if not secret or timestamp is None or signature is None:
        return False
    if not (_TIMESTAMP_RE.fullmatch(timestamp) and _SIGNATURE_RE.fullmatch(signature)):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    expected = signature_for(secret, timestamp, body)
    given = signature.lower().encode("ascii")
    return hmac.compare_digest(expected.encode("ascii"), given)


def _header(request: HttpRequest, name: str) -> str | None:
    value = request.headers.get(name)
    return None if value is None else value.strip(_OWS)


def _delivery_id(request: HttpRequest) -> str:
    """``X-Emis-Delivery`` when well-formed, else "" (then a 400 names it)."""
    value = _header(request, "X-Emis-Delivery") or ""
    return value if _DELIVERY_RE.fullmatch(value) else ""


@sensitive_variables("connection")
@csrf_exempt
@login_not_required
@require_POST
def emis_webhook(request: HttpRequest) -> JsonResponse:
    # Unverified until the signature is: recorded, but never trusted.
    delivery_id = _delivery_id(request)
    body = body_read_bounded(request, MAX_BODY)  # whatever the framing
    if body is None:
        return _refuse_unsigned(
            request, delivery_id, 413, "payload_too_large", "The body is larger than 1 MiB."
        )
    try:
        connection = EmisConnection.load()
    except SecretKeyError:
        # The key that decrypts api_password is gone: we cannot verify the
        # signature. A 5xx makes EMIS retry the delivery later, so nothing is
        # lost once an administrator restores the key.
        log.error("cannot verify webhooks: the stored API password cannot be decrypted")
        return _refuse(
            delivery_id,
            503,
            "secrets_unreadable",
            "The PMS cannot read its EMIS credentials.",
        )
    if not connection.is_active:
        return _refuse_unsigned(
            request,
            delivery_id,
            403,
            "integration_inactive",
            "The EMIS integration is not active.",
        )
    if not signature_is_valid(
        secret=connection.api_password,
        timestamp=_header(request, "X-Emis-Timestamp"),
        signature=_header(request, "X-Emis-Signature"),
        body=body,
    ):
        log.warning("rejected: bad or missing signature/timestamp")
        return _refuse_unsigned(
            request,
            delivery_id,
            401,
            "bad_signature",
            "Signature or timestamp missing or wrong.",
        )
    errors: dict[str, list[str]] = {}
    try:
        event = parse_webhook(body)
        subject = _subject(
            event.person.pms_person_id, event.legal_entity_id, event.person.version
        )
    except PayloadError as exc:
        errors.update(exc.errors)
        subject = _subject(exc.person_id, exc.legal_entity_id, exc.version)
    if not delivery_id:
        errors["X-Emis-Delivery"] = [
            f"required, 1 to {_DELIVERY_MAX} printable ASCII characters"
        ]
    if errors:
        log.warning("rejected: invalid payload, fields=%s", ",".join(errors))
        return _refuse(
            delivery_id,
            400,
            "invalid_payload",
            "The payload breaks the EMIS API v1 contract.",
            fields=errors,
            subject=subject,
        )
    return _process(delivery_id, event, subject)


def _subject(
    person_id: int | None, legal_entity_id: int | None, version: int | None
) -> dict:
    """Whom a delivery is about, as the delivery log records it."""
    return {
        "person_id": person_id,
        "legal_entity_id": legal_entity_id,
        "version": version,
    }


def _process(delivery_id: str, event: WebhookEvent, subject: dict) -> JsonResponse:
    person_id = event.person.pms_person_id
    entry = {"delivery_id": delivery_id, "signed": True, **subject}
    try:
        with transaction.atomic():
            # The claim: None when this delivery ID was processed already.
            delivery = bulk_sql.insert_unless_conflict(
                WebhookDelivery(delivery_id=delivery_id)
            )
            if delivery is None:
                answer = {"status": "duplicate"}
            else:
                answer = _apply(delivery, event)
            # Commits with the apply: an applied delivery is always logged.
            delivery_record(status=answer["status"], http_status=200, **entry)
    except _Refused as exc:
        log.info("delivery=%s person_id=%s refused: %s", delivery_id, person_id, exc)
        delivery_record_refusal(
            status=EmisDelivery.Status.REJECTED,
            http_status=exc.response.status_code,
            error_code=exc.code,
            **entry,
        )
        return exc.response
    except Exception:
        delivery_record_refusal(
            status=EmisDelivery.Status.FAILED,
            http_status=500,
            error_code="internal_error",
            **entry,
        )
        raise
    log.info(
        "delivery=%s person_id=%s status=%s", delivery_id, person_id, answer["status"]
    )
    return JsonResponse(answer)


def _apply(delivery: WebhookDelivery, event: WebhookEvent) -> dict:
    named = event.person.pms_person_id
    # A merged person's ID is an alias: its data lands on the survivor.
    person_id = person_id_resolve(named)
    if person_id != named:
        log.info("person_id=%s is merged into person_id=%s", named, person_id)
    _check_scope(person_id=person_id, legal_entity_id=event.legal_entity_id)
    try:
        result = person_apply_documents(
            person_id=person_id,
            legal_entity_id=event.legal_entity_id,
            data=event.person,
            source="webhook",
        )
    except Person.DoesNotExist:  # a stay protects its person: only in a race
        raise _not_found("unknown person_id") from None
    delivery.status = result.status
    delivery.person_id = named
    delivery.legal_entity_id = event.legal_entity_id
    bulk_sql.update(
        WebhookDelivery, [delivery], ["status", "person_id", "legal_entity_id"]
    )
    # The contract's status, and (beyond it, for EMIS support) the fields
    # where the profile kept a value staff changed: emis/conflicts.py.
    answer = {"status": result.status}
    if result.conflicts:
        answer["conflicts"] = result.conflicts
    return answer


def _check_scope(*, person_id: int, legal_entity_id: int) -> None:
    """The same rule as the pull and the upload link (``emis.scope``), with
    the webhook's answers: 403 for an inactive legal entity, and one 404 for
    an unknown legal entity or a person without a stay with it."""
    legal_entity = LegalEntity.objects.filter(pk=legal_entity_id).first()
    if legal_entity is None:
        raise _not_found("unknown legal_entity_id")
    try:
        person_scope_check(person_id=person_id, legal_entity=legal_entity)
    except ScopeError as exc:
        if exc.code == INACTIVE:
            raise _Refused(
                403,
                "integration_inactive",
                "The EMIS integration is not active for this legal entity.",
                "legal entity inactive",
            ) from None
        if exc.code == ERASED:
            # Not retried by EMIS (a 4xx); the guest's next stay lifts it.
            raise _Refused(
                409,
                ERASED,
                "The person's personal data was erased in this PMS and they "
                "have no stay since; data for them is not taken.",
                "personal data erased",
            ) from None
        raise _not_found("unknown person_id or no stay with legal_entity_id") from None
