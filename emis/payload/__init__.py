"""The EMIS Person contract (``/work/shared/emis-api-v1.md``), parsed strictly.

Everything EMIS sends (webhook, ``GET /persons/{id}``, the changes feed)
passes through here before it can touch a profile: pydantic models in
strict mode (``"4"`` is no version, ``160848`` no person ID), built in
``models`` from the field types of ``rules``. Parsing never stops at the
first problem: every bad field is collected under its path
(``person.documents[0].number``) so that a 400 names them all and EMIS
support can fix their side in one go. Unknown keys are ignored (forward
compatibility); an unknown document kind becomes ``other``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from emis.payload.models import (
    ChangesPage,
    EmisDocument,
    EmisMigrationCard,
    EmisPerson,
    NameForms,
    WebhookEvent,
    content_hash,
)
from emis.payload.rules import NAME_PARTS, message_of

__all__ = [
    "NAME_PARTS",
    "ChangesPage",
    "EmisDocument",
    "EmisMigrationCard",
    "EmisPerson",
    "NameForms",
    "PayloadError",
    "WebhookEvent",
    "content_hash",
    "parse_changes_page",
    "parse_person",
    "parse_webhook",
]


class PayloadError(ValueError):
    """The payload breaks the contract; ``errors`` maps field path → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))

    @property
    def paths(self) -> list[str]:
        return list(self.errors)


def _path(loc: tuple, root: str, prefix: str) -> str:
    """pydantic's ``("documents", 0, "number")`` as ``person.documents[0].number``."""
    if not loc:
        return root
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _validate(model, data: Any, *, root: str, prefix: str = ""):
    """``data`` as ``model``; the whole value is called ``root`` in errors."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors(include_url=False):
            path = _path(error["loc"], root, prefix)
            errors.setdefault(path, []).append(message_of(error))
        raise PayloadError(errors) from None


def parse_person(data: Any, *, path: str = "person") -> EmisPerson:
    """One Person object (already decoded from JSON)."""
    return _validate(EmisPerson, data, root=path, prefix=path)


def parse_webhook(body: bytes) -> WebhookEvent:
    """The raw webhook body: UTF-8 JSON ``{"event", "legal_entity_id", "person"}``."""
    # The standard library's decoder, not pydantic's: pydantic's refuses the
    # whole body for a "\ud800" (refused here under its field's path) and
    # for nesting past 200 levels (here: past the recursion limit).
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PayloadError({"body": ["not valid UTF-8 JSON"]}) from None
    except RecursionError:  # "[[[[…" nested deeper than the parser goes
        raise PayloadError({"body": ["nested too deeply"]}) from None
    return _validate(WebhookEvent, data, root="body")


def parse_changes_page(data: Any) -> ChangesPage:
    """One page of ``GET /api/v1/changes``."""
    return _validate(ChangesPage, data, root="page")
