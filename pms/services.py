"""Write helpers the apps' services share (apps import pms, never the other
way round)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_create(model: type[M], **values: Any) -> M:
    """A new row, validated before it is saved: ``full_clean`` runs the field
    validators and the model's ``clean``, the rules every write path shares."""
    instance = model(**values)
    instance.full_clean()
    instance.save()
    return instance
