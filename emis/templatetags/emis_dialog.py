"""What the guest card's EMIS parts need that the reservations views do not
pass (reservations imports nothing of emis): whether the integration is on,
the legal entities to choose from, and the open scan-vs-profile conflicts."""

from __future__ import annotations

from django import template

from emis.conflicts import open_conflicts, persons_with_open_conflicts, shown_conflict
from emis.upload import integration_active
from legal_entities.models import LegalEntity

register = template.Library()


@register.simple_tag
def emis_dialog_state(reservation=None, person=None) -> dict:
    """Whether EMIS is on, and the legal entities to choose from: the active
    ones the guest stays with (EMIS may write only there, emis/scope.py),
    the reservation's preselected."""
    entities = LegalEntity.objects.active().only("id", "name")
    if person is not None and person.pk is not None:
        entities = entities.filter(reservations__stays__person=person).distinct()
    entities = list(entities)
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
    """The guest card's comparison: the person's open conflicts, each with
    its field as staff read it and both values shown as the card shows them."""
    if person is None or person.pk is None:
        return []
    return [shown_conflict(c) for c in open_conflicts(person_id=person.pk)]


@register.simple_tag
def emis_conflicted_persons(rows) -> set[int]:
    """Of a guests list's rows (each with ``person``), the person IDs with an
    open conflict: one query for the whole list, never one per guest."""
    return persons_with_open_conflicts(person_ids=[row.person.pk for row in rows])
