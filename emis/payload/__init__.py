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
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from emis.payload.fields import FieldError, field_errors, fields_text
from emis.payload.models import (
    ChangesEnvelope,
    EmisDocument,
    EmisMigrationCard,
    EmisPerson,
    NameForms,
    WebhookEvent,
    content_hash,
)
from emis.payload.rules import NAME_PARTS, message_of, readable_id, readable_version

__all__ = [
    "NAME_PARTS",
    "ChangesPage",
    "RefusedItem",
    "EmisDocument",
    "EmisMigrationCard",
    "EmisPerson",
    "FieldError",
    "NameForms",
    "PayloadError",
    "WebhookEvent",
    "content_hash",
    "parse_changes_page",
    "parse_person",
    "parse_webhook",
]


class PayloadError(ValueError):
    """The payload breaks the contract; ``errors`` maps field path → reasons
    (short, plain words, never a value from the payload).

    A refused webhook also says whom it was about when the payload names that
    validly (``person_id``, ``legal_entity_id``, ``version``; else None), so
    the delivery log can tell the guest's card."""

    person_id: int | None = None
    legal_entity_id: int | None = None
    version: int | None = None

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(self.describe())

    @property
    def paths(self) -> list[str]:
        return list(self.errors)

    @property
    def fields(self) -> list[FieldError]:
        """One (path, reason) per problem, in the order found."""
        return field_errors(self.errors)

    def describe(self, *, limit: int | None = None) -> str:
        """``person.sex — must be one of F, M; person.documents[0].number —
        required``: how pulls, syncs and the delivery log name the fields."""
        return fields_text(self.fields, limit=limit)


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
    try:
        return _validate(WebhookEvent, data, root="body")
    except PayloadError as exc:
        _note_subject(exc, data)
        raise


def _note_subject(exc: PayloadError, data: Any) -> None:
    """The IDs and version a broken webhook names, each only if valid."""
    if not isinstance(data, dict):
        return
    person = data.get("person")
    person = person if isinstance(person, dict) else {}
    exc.legal_entity_id = readable_id(data.get("legal_entity_id"))
    exc.person_id = readable_id(person.get("person_id"))
    exc.version = readable_version(person.get("version"))


@dataclass(frozen=True)
class RefusedItem:
    """A record of the changes feed that breaks the contract: whom it names
    (each only if readable) and what is wrong, under ``items[i]`` paths."""

    index: int
    person_id: int | None
    version: int | None
    error: PayloadError


@dataclass(frozen=True)
class ChangesPage:
    items: tuple[EmisPerson, ...]
    next_cursor: str
    has_more: bool
    refused: tuple[RefusedItem, ...] = ()


def parse_changes_page(data: Any) -> ChangesPage:
    """One page of ``GET /api/v1/changes``. A broken envelope (no items
    array, no cursor) refuses the page; a broken item only itself: "a value
    of the wrong form is an error" of that record, and the next cursor moves
    past it (EMIS sends the person again when it changes)."""
    try:
        whole = ChangesEnvelope[EmisPerson].model_validate(data)
        return ChangesPage(whole.items, whole.next_cursor, whole.has_more)
    except ValidationError:
        pass  # something is wrong: read the envelope, then each record
    envelope = _validate(ChangesEnvelope[Any], data, root="page")
    items: list[EmisPerson] = []
    refused: list[RefusedItem] = []
    for index, raw in enumerate(envelope.items):
        path = f"items[{index}]"
        try:
            items.append(_validate(EmisPerson, raw, root=path, prefix=path))
        except PayloadError as exc:
            subject = raw if isinstance(raw, dict) else {}
            person_id = readable_id(subject.get("person_id"))
            version = readable_version(subject.get("version"))
            refused.append(RefusedItem(index, person_id, version, exc))
    return ChangesPage(
        tuple(items), envelope.next_cursor, envelope.has_more, tuple(refused)
    )
