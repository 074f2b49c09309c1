"""Writes to legal entities (validated by the model's own validators)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from pms.services import model_create, model_update

from .models import LegalEntity


def legal_entity_create(*, values: Mapping[str, Any]) -> LegalEntity:
    return model_create(LegalEntity, **values)


@transaction.atomic
def legal_entity_update(
    *, legal_entity_id: int, values: Mapping[str, Any]
) -> LegalEntity:
    """Write only the given fields, so two admins editing different fields of
    the same entity do not undo each other."""
    entity = LegalEntity.objects.select_for_update().get(pk=legal_entity_id)
    model_update(instance=entity, values=values)
    return entity
