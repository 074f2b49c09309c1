"""What the guest card's EMIS button needs that its page view does not pass:
whether the integration is on, the legal entities to choose from, and a
rejected delivery for this guest."""

from __future__ import annotations

from django import template

from emis.deliveries.selectors import person_deliveries
from emis.deliveries.texts import guest_notice
from emis.upload import integration_active
from legal_entities.models import LegalEntity

register = template.Library()


@register.simple_tag
def emis_dialog_state(reservation=None) -> dict:
    entities = list(LegalEntity.objects.active().only("id", "name"))
    wanted = getattr(reservation, "legal_entity_id", None)
    # Preselect the reservation's entity only while it is still active.
    selected = wanted if any(e.pk == wanted for e in entities) else None
    return {
        "active": integration_active(),
        "legal_entities": entities,
        "selected_id": selected,
    }


@register.simple_tag
def emis_deliveries(person) -> dict:
    """The guest's newest delivery log row (its id tells the card's "anything
    new?" request what the card has shown) and the notice of a refused one.
    One query, on the card only."""
    found = person_deliveries(person=person)
    return {"last_id": found.last_id, "rejected": guest_notice(found.rejected)}
