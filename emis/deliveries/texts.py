"""A refused delivery in plain words, for Стыковки and the guest card."""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emis.field_labels import payload_field_label
from emis.models import EmisDelivery
from emis.payload.fields import JOINER, SEPARATOR, fields_text, from_dicts, reason_text
from emis.payload.rules import NOT_A_COUNTRY

# The webhook's error codes (emis/webhook.py), said for a reader.
_CODES = {
    "bad_signature": gettext_lazy("signature or timestamp missing or wrong"),
    "integration_inactive": gettext_lazy(
        "the EMIS integration or the legal entity is not active"
    ),
    "not_found": gettext_lazy(
        "unknown person or legal entity, or the person has no stay with it"
    ),
    "payload_too_large": gettext_lazy("the body is larger than 1 MiB"),
    "rate_limited": gettext_lazy(
        "too many refused requests from one address: the rest of the minute answered 429"
    ),
    "person_data_erased": gettext_lazy(
        "the guest's personal data was erased and they have no stay since"
    ),
    "secrets_unreadable": gettext_lazy("the PMS cannot read its EMIS credentials"),
    "internal_error": gettext_lazy("unexpected error in the PMS"),
}


# The contract's reasons a clerk reads better in other words (the card's
# notice; Стыковки keeps the contract's, for EMIS support).
_GUEST_REASONS = {
    NOT_A_COUNTRY: gettext_lazy("unknown country code"),
}


def refusal_reason(row: EmisDelivery, *, for_guest: bool = False) -> str:
    """Why a delivery was refused: each bad field (``path — reason``) for a
    400, else what its code means; ``for_guest`` words it for that guest's
    card: the fields by the card's names ("гражданство — неизвестный код
    страны"), not by their paths in the payload."""
    if row.bad_fields and for_guest:
        return _guest_fields_text(row.bad_fields)
    if row.bad_fields:
        return fields_text(from_dicts(row.bad_fields), translate=True)
    entity = row.legal_entity_id
    if for_guest and row.error_code == "not_found" and entity:
        return _("the guest has no stay with legal entity %(id)s") % {"id": entity}
    if for_guest and row.error_code == "integration_inactive" and entity:
        return _("legal entity %(id)s is not active") % {"id": entity}
    return str(_CODES.get(row.error_code, row.error_code))


def _guest_fields_text(bad_fields: list[dict]) -> str:
    parts = []
    for field in from_dicts(bad_fields):
        label = payload_field_label(field.path) or field.path
        reason = _GUEST_REASONS.get(field.reason) or reason_text(field.reason)
        part = f"{label}{SEPARATOR}{reason}"
        if part not in parts:
            parts.append(part)
    return capfirst(JOINER.join(parts))


def refusal_line(row: EmisDelivery) -> str:
    """One Стыковки line: when, which delivery, about whom, and why."""
    about = []
    if row.person_id is not None:
        about.append(_("person %(id)s") % {"id": row.person_id})
    if row.legal_entity_id is not None:
        about.append(_("legal entity %(id)s") % {"id": row.legal_entity_id})
    return _(
        "Rejected EMIS delivery %(delivery)s, %(when)s, HTTP %(status)s%(about)s: %(reason)s"
    ) % {
        "delivery": row.delivery_id or "—",
        "when": date_filter(timezone.localtime(row.received_at), "SHORT_DATETIME_FORMAT"),
        "status": row.http_status,
        "about": "".join(f", {part}" for part in about),
        "reason": refusal_reason(row),
    }


def unsigned_line(unsigned, not_logged: int) -> str:
    """Стыковки's one line for the requests refused without a valid
    signature (``selectors.UnsignedRefusals``) in the last 24 hours."""
    last = unsigned.last
    text = _(
        "Requests refused without a valid signature in the last 24 hours: "
        "%(count)s, the last at %(when)s (HTTP %(status)s: %(reason)s)."
    ) % {
        "count": unsigned.count,
        "when": date_filter(timezone.localtime(last.received_at), "SHORT_DATETIME_FORMAT"),
        "status": last.http_status,
        "reason": refusal_reason(last),
    }
    if not_logged:
        more = _("%(count)s more were answered 429 and not logged.")
        text += " " + more % {"count": not_logged}
    return text


def guest_notice(row: EmisDelivery | None) -> dict | None:
    """What the guest card's notice (``emis/_guest_card_emis_rejected.html``)
    shows for a refused delivery, or None."""
    if row is None:
        return None
    if row.bad_fields:
        advice = _(
            "The profile keeps its data. Tell EMIS support, or type the data in by hand."
        )
    else:
        advice = _(
            "Check that the guest is in a reservation of an active legal entity, "
            "then save in EMIS again."
        )
    return {
        "reason": refusal_reason(row, for_guest=True),
        "advice": advice,
        "received_at": row.received_at,
    }
