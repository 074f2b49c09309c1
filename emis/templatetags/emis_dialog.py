"""What the guest card's EMIS parts need that the reservations views do not
pass (reservations imports nothing of emis): whether the integration is on,
the legal entities to choose from, the open scan-vs-profile conflicts, and a
rejected delivery for this guest."""

from __future__ import annotations

from functools import cached_property

from django import template

from emis.conflicts import open_conflicts, persons_with_open_conflicts, shown_conflict
from emis.deliveries.selectors import person_deliveries
from emis.deliveries.texts import guest_notice
from emis.pull import open_pull_ids
from emis.upload import integration_active
from legal_entities.models import LegalEntity

register = template.Library()


class DialogState:
    """Whether EMIS is on, and the legal entities to choose from: the active
    ones the guest stays with (EMIS may write only there, emis/scope.py),
    the reservation's preselected. The entities are read when first asked
    for: the card's EMIS button needs only ``active``."""

    def __init__(self, active: bool, reservation=None, person=None) -> None:
        self.active = active
        self._reservation, self._person = reservation, person

    @cached_property
    def legal_entities(self) -> list[LegalEntity]:
        entities = LegalEntity.objects.active().only("id", "name")
        person = self._person
        if person is not None and person.pk is not None:
            entities = entities.filter(reservations__stays__person=person).distinct()
            # In the same query: a pull still open under each (a reload
            # mid-pull shows it again instead of an empty status).
            entities = entities.annotate(open_pull=open_pull_ids(person.pk))
        return list(entities)

    @property
    def open_pull(self) -> int | None:
        """The open pull job under the preselected legal entity, if any."""
        chosen = self.selected_id
        return next(
            (getattr(e, "open_pull", None) for e in self.legal_entities if e.pk == chosen),
            None,
        )

    @cached_property
    def selected_id(self) -> int | None:
        wanted = getattr(self._reservation, "legal_entity_id", None)
        # Preselect the reservation's entity only while it is still active.
        return wanted if any(e.pk == wanted for e in self.legal_entities) else None


@register.simple_tag(takes_context=True)
def emis_dialog_state(context, reservation=None, person=None) -> DialogState:
    return DialogState(_integration_active(context), reservation, person)


def _integration_active(context) -> bool:
    """Read once per request: the guest card's button and its dialog both
    ask."""
    request = context.get("request")
    if request is None:
        return integration_active()
    if not hasattr(request, "_emis_integration_active"):
        request._emis_integration_active = integration_active()
    return request._emis_integration_active


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


@register.simple_tag
def emis_deliveries(person) -> dict:
    """The guest's newest delivery log row (its id tells the card's "anything
    new?" request what the card has shown) and the notice of a refused one.
    One query, on the card only."""
    found = person_deliveries(person=person)
    return {"last_id": found.last_id, "rejected": guest_notice(found.rejected)}
