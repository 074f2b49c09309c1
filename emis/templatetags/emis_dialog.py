"""What the guest card's EMIS button needs that its page view does not pass:
whether the integration is on, and the legal entities to choose from."""

from __future__ import annotations

from django import template

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
