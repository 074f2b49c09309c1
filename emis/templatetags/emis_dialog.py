"""What the guest card's EMIS parts need that the reservations views do not
pass (reservations imports nothing of emis): whether the integration is on,
the legal entities to choose from, and the open scan-vs-profile conflicts."""

from __future__ import annotations

from django import template

from emis.conflicts import open_conflicts, persons_with_open_conflicts
from emis.field_labels import field_label
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
def emis_open_conflicts(person) -> list:
    """The guest card's comparison: the person's open conflicts (one query)."""
    if person is None or person.pk is None:
        return []
    return open_conflicts(person_id=person.pk)


@register.simple_tag
def emis_conflicted_persons(rows) -> set[int]:
    """Of a guests list's rows (each with ``person``), the person IDs with an
    open conflict: one query for the whole list, never one per guest."""
    return persons_with_open_conflicts(person_ids=[row.person.pk for row in rows])


@register.filter
def emis_field_label(path: str) -> str:
    """ "documents[passport_rf 4510 ****56].expiry_date" as staff read it."""
    return field_label(path)
