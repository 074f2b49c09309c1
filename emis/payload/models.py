"""The objects of the EMIS contract, as frozen pydantic models, and the
content hash that tells a changed Person from a re-sent one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WrapValidator

from emis.payload.rules import (
    MAX_DOCUMENTS,
    MAX_VISAS,
    NAME_PARTS,
    Country,
    Cursor,
    Date,
    Digits,
    DigitsId,
    Entries,
    Event,
    Flag,
    Kind,
    RequiredCountry,
    RequiredText,
    Rows,
    Sex,
    Source,
    Text,
    Timestamp,
    Version,
    at_most,
    contract_error,
    message_of,
    text_problem,
)

NO_SURNAME = "needs a Cyrillic or a Latin value"


class _Contract(BaseModel):
    # Unknown keys are ignored: EMIS may add fields (forward compatibility).
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class NameForms(_Contract):
    cyrillic: Text | None = None
    latin: Text | None = None


def _usable(value: Any) -> bool:
    return isinstance(value, str) and not text_problem(value) and bool(value.strip())


def _surname(value: Any, handler) -> NameForms:
    """A surname needs a Cyrillic or a Latin value. A part that breaks a rule
    counts as missing, so the surname is named beside that part then."""
    try:
        forms = handler(value)
    except ValidationError as exc:
        if isinstance(value, dict) and not (
            _usable(value.get("cyrillic")) or _usable(value.get("latin"))
        ):
            raise _and(exc, NO_SURNAME, value) from None
        raise
    if not ((forms.cyrillic or "").strip() or (forms.latin or "").strip()):
        raise contract_error(NO_SURNAME)
    return forms


def _and(exc: ValidationError, message: str, value: Any) -> ValidationError:
    """``exc``'s errors and one more about the value itself."""
    details = [
        {"type": contract_error(message_of(e)), "loc": e["loc"], "input": e["input"]}
        for e in exc.errors(include_url=False)
    ]
    details.append({"type": contract_error(message), "loc": (), "input": value})
    return ValidationError.from_exception_data(exc.title, details)


class EmisDocument(_Contract):
    kind: Kind = "other"
    series: Text | None = None
    number: RequiredText
    issue_date: Date = None
    expiry_date: Date = None
    issuer: Text | None = None
    issuer_code: Text | None = None
    issuing_country: Country | None = None
    source: Source | None = None


class EmisVisa(_Contract):
    series: Text | None = None
    number: RequiredText
    category: Text | None = None
    entries: Entries | None = None
    valid_from: Date = None
    valid_to: Date = None
    issuing_country: Country | None = None


class EmisMigrationCard(_Contract):
    series: Text | None = None
    number: RequiredText
    entry_date: Date = None
    valid_to: Date = None
    visit_purpose: Text | None = None


class EmisPerson(_Contract):
    person_id: Digits
    version: Version
    updated_at: Timestamp
    surname: Annotated[NameForms, WrapValidator(_surname)]
    given_names: NameForms | None = None
    patronymic: NameForms | None = None
    sex: Sex
    birth_date: Date = None
    birth_place: Text | None = None
    citizenship: RequiredCountry
    documents: Annotated[Rows[EmisDocument], at_most(MAX_DOCUMENTS)]
    visas: Annotated[Rows[EmisVisa], at_most(MAX_VISAS)]
    migration_card: EmisMigrationCard | None = None

    @property
    def pms_person_id(self) -> int:
        return int(self.person_id)

    def names(self, script: str) -> dict[str, str | None]:
        """``{"surname": ..., ...}`` in one script ("latin" or "cyrillic")."""
        parts = (self.surname, self.given_names, self.patronymic)
        return {
            part: (getattr(forms, script) if forms else None)
            for part, forms in zip(NAME_PARTS, parts, strict=True)
        }

    @property
    def content_hash(self) -> str:
        return content_hash(self)


class WebhookEvent(_Contract):
    event: Event
    legal_entity_id: DigitsId
    person: EmisPerson


Item = TypeVar("Item")


class ChangesEnvelope(_Contract, Generic[Item]):
    """A page of the changes feed. ``ChangesEnvelope[EmisPerson]`` reads a
    page whose every record is sound in one call (the common case);
    ``ChangesEnvelope[Any]`` leaves the records unread, for
    ``parse_changes_page`` to set a broken one apart instead of stopping the
    feed for everyone."""

    items: Rows[Item]
    # Checked when absent too, with their own message rather than "required".
    next_cursor: Cursor = Field(None, validate_default=True)
    has_more: Flag = Field(None, validate_default=True)


# --- canonical hash ----------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _canonical(value: Any) -> str:
    return json.dumps(
        value,
        default=_json_default,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def content_hash(person: EmisPerson) -> str:
    """sha256 of the content minus ``version``/``updated_at``.

    Lists are sorted so that EMIS re-ordering documents is not a change.
    Stored hashes are compared with it: the value must not change.
    """
    content = person.model_dump(exclude={"version", "updated_at"})
    for key in ("documents", "visas"):
        content[key] = sorted(_canonical(item) for item in content[key])
    return hashlib.sha256(_canonical(content).encode()).hexdigest()
