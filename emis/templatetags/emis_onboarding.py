"""The "Данные для EMIS" box (emis/connection/onboarding.py) for pages of
other apps: the legal entity page loads it without importing emis."""

from __future__ import annotations

from django import template

from emis.connection.onboarding import emis_details
from legal_entities.models import LegalEntity

register = template.Library()


@register.inclusion_tag("emis/connection/_emis_details.html")
def emis_details_box(entity: LegalEntity | None = None) -> dict:
    """For one legal entity, or (none given) for every active one."""
    entities = [entity] if entity is not None else list(LegalEntity.objects.active())
    return {"details": emis_details(entities), "single": entity is not None}
