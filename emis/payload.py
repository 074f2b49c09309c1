"""The EMIS Person contract (``/work/shared/emis-api-v1.md``), parsed strictly.

Everything EMIS sends (webhook, ``GET /persons/{id}``, the changes feed)
passes through here before it can touch a profile. Parsing never stops at
the first problem: every bad field is collected under its path
(``person.documents[0].number``) so that a 400 names them all and EMIS
support can fix their side in one go. Unknown keys are ignored (forward
compatibility); an unknown document kind becomes ``other``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from reservations.countries import ALPHA3

MAX_TEXT = 200
# Person.emis_version is a PositiveIntegerField: a 32-bit column on
# PostgreSQL. A larger version would fail at the database, not here.
MAX_VERSION = 2**31 - 1
NAME_PARTS = ("surname", "given_names", "patronymic")
# The ICAO MRZ codes the contract allows beside ISO 3166-1 alpha-3.
ICAO_SPECIAL = frozenset({"XXA", "XXB", "XXX"})
DOCUMENT_KINDS = frozenset(
    {
        "passport_rf",
        "foreign_passport_rf",
        "national_passport",
        "residence_permit",
        "temporary_residence_permit",
        "birth_certificate",
        "id_card",
        "other",
    }
)
DOCUMENT_SOURCES = frozenset({"rfid", "mrz", "visual", "manual"})
VISA_ENTRIES = frozenset({"single", "double", "multiple"})
WEBHOOK_EVENTS = frozenset({"person.documents_saved"})

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID_RE = re.compile(r"[0-9]{1,18}")
_TIMESTAMP_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)
_COUNTRY_RE = re.compile(r"[A-Z]{3}")


def _storable(value: str) -> bool:
    """Text a database column can hold: PostgreSQL refuses NUL, and a lone
    surrogate (legal in JSON as "\\ud800") cannot be encoded as UTF-8."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class PayloadError(ValueError):
    """The payload breaks the contract; ``errors`` maps field path → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))

    @property
    def paths(self) -> list[str]:
        return list(self.errors)


@dataclass(frozen=True)
class NameForms:
    cyrillic: str | None
    latin: str | None


@dataclass(frozen=True)
class EmisDocument:
    kind: str
    series: str | None
    number: str
    issue_date: dt.date | None
    expiry_date: dt.date | None
    issuer: str | None
    issuer_code: str | None
    issuing_country: str | None
    source: str | None


@dataclass(frozen=True)
class EmisVisa:
    series: str | None
    number: str
    category: str | None
    entries: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    issuing_country: str | None


@dataclass(frozen=True)
class EmisMigrationCard:
    series: str | None
    number: str
    entry_date: dt.date | None
    valid_to: dt.date | None
    visit_purpose: str | None


@dataclass(frozen=True)
class EmisPerson:
    person_id: str
    version: int
    updated_at: dt.datetime
    surname: NameForms
    given_names: NameForms | None
    patronymic: NameForms | None
    sex: str
    birth_date: dt.date | None
    birth_place: str | None
    citizenship: str
    documents: tuple[EmisDocument, ...]
    visas: tuple[EmisVisa, ...]
    migration_card: EmisMigrationCard | None

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


@dataclass(frozen=True)
class WebhookEvent:
    event: str
    legal_entity_id: int
    person: EmisPerson


@dataclass(frozen=True)
class ChangesPage:
    items: tuple[EmisPerson, ...]
    next_cursor: str
    has_more: bool


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


def _plain(value: Any) -> Any:
    # dataclasses.asdict deep-copies every leaf: too slow for a sync page.
    if hasattr(value, "__dataclass_fields__"):
        return {key: _plain(item) for key, item in vars(value).items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def content_hash(person: EmisPerson) -> str:
    """sha256 of the content minus ``version``/``updated_at``.

    Lists are sorted so that EMIS re-ordering documents is not a change.
    """
    content = _plain(person)
    del content["version"], content["updated_at"]
    for key in ("documents", "visas"):
        content[key] = sorted(_canonical(item) for item in content[key])
    return hashlib.sha256(_canonical(content).encode()).hexdigest()


# --- the parser -----------------------------------------------------------------


_MISSING = object()


class _Reader:
    """Collects errors by path while reading one JSON value."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise PayloadError(self.errors)

    # Each ``get_*`` returns the value or None after recording an error.

    def obj(self, data: Any, path: str) -> dict | None:
        if not isinstance(data, dict):
            self.fail(path, "must be an object")
            return None
        return data

    def _value(self, obj: dict, key: str, path: str, nullable: bool) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or (value is None and not nullable):
            # An absent nullable key reads as null; an absent required one fails.
            if not nullable:
                self.fail(path, "required")
            return None
        return value

    def text(
        self, obj: dict, key: str, path: str, *, nullable: bool = True
    ) -> str | None:
        value = self._value(obj, key, path, nullable)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return None
        if not _storable(value):
            self.fail(path, "must not contain NUL characters or lone surrogates")
            return None
        if len(value) > MAX_TEXT:
            self.fail(path, f"at most {MAX_TEXT} characters")
            return None
        if not nullable and not value.strip():
            self.fail(path, "required")
            return None
        return value

    def choice(
        self, obj: dict, key: str, path: str, choices: frozenset[str], *, nullable: bool
    ) -> str | None:
        value = self.text(obj, key, path, nullable=nullable)
        if value is not None and value not in choices:
            self.fail(path, "must be one of " + ", ".join(sorted(choices)))
            return None
        return value

    def date(self, obj: dict, key: str, path: str) -> dt.date | None:
        value = self._value(obj, key, path, nullable=True)
        if value is None:
            return None
        if isinstance(value, str) and _DATE_RE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, "must be a date YYYY-MM-DD")
        return None

    def timestamp(self, obj: dict, key: str, path: str) -> dt.datetime | None:
        value = self._value(obj, key, path, nullable=False)
        if value is None:
            return None
        parsed = None
        if isinstance(value, str) and _TIMESTAMP_RE.fullmatch(value):
            try:
                parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
            except ValueError:
                parsed = None
        if parsed is None or parsed.utcoffset() != dt.timedelta(0):
            self.fail(path, "must be an RFC 3339 timestamp in UTC")
            return None
        return parsed.astimezone(dt.UTC)

    def country(
        self, obj: dict, key: str, path: str, *, nullable: bool = True
    ) -> str | None:
        value = self.text(obj, key, path, nullable=nullable)
        if value is None:
            return None
        if not _COUNTRY_RE.fullmatch(value) or (
            value not in ALPHA3 and value not in ICAO_SPECIAL
        ):
            self.fail(path, "must be an ISO 3166-1 alpha-3 code or XXA, XXB, XXX")
            return None
        return value

    def digits_id(self, obj: dict, key: str, path: str) -> str | None:
        value = self._value(obj, key, path, nullable=False)
        if value is None:
            return None
        if not isinstance(value, str) or not _ID_RE.fullmatch(value):
            self.fail(path, "must be a string of digits")
            return None
        return value

    def version(self, obj: dict, key: str, path: str) -> int | None:
        value = self._value(obj, key, path, nullable=False)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_VERSION
        ):
            self.fail(path, f"must be an integer from 0 to {MAX_VERSION}")
            return None
        return value

    def items(self, obj: dict, key: str, path: str) -> list:
        value = self._value(obj, key, path, nullable=False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        return value


def _name_forms(r: _Reader, person: dict, part: str, path: str) -> NameForms | None:
    p = f"{path}.{part}"
    raw = person.get(part)
    if raw is None:
        if part == "surname":
            r.fail(p, "required")
        return None
    obj = r.obj(raw, p)
    if obj is None:
        return None
    forms = NameForms(
        cyrillic=r.text(obj, "cyrillic", f"{p}.cyrillic"),
        latin=r.text(obj, "latin", f"{p}.latin"),
    )
    if part == "surname" and not (
        (forms.cyrillic or "").strip() or (forms.latin or "").strip()
    ):
        r.fail(p, "needs a Cyrillic or a Latin value")
    return forms


def _document(r: _Reader, raw: Any, p: str) -> EmisDocument | None:
    obj = r.obj(raw, p)
    if obj is None:
        return None
    kind = r.text(obj, "kind", f"{p}.kind")
    return EmisDocument(
        # The contract stores a kind it does not know (or none) as "other".
        kind=kind if kind in DOCUMENT_KINDS else "other",
        series=r.text(obj, "series", f"{p}.series"),
        number=r.text(obj, "number", f"{p}.number", nullable=False) or "",
        issue_date=r.date(obj, "issue_date", f"{p}.issue_date"),
        expiry_date=r.date(obj, "expiry_date", f"{p}.expiry_date"),
        issuer=r.text(obj, "issuer", f"{p}.issuer"),
        issuer_code=r.text(obj, "issuer_code", f"{p}.issuer_code"),
        issuing_country=r.country(obj, "issuing_country", f"{p}.issuing_country"),
        source=r.choice(obj, "source", f"{p}.source", DOCUMENT_SOURCES, nullable=True),
    )


def _visa(r: _Reader, raw: Any, p: str) -> EmisVisa | None:
    obj = r.obj(raw, p)
    if obj is None:
        return None
    return EmisVisa(
        series=r.text(obj, "series", f"{p}.series"),
        number=r.text(obj, "number", f"{p}.number", nullable=False) or "",
        category=r.text(obj, "category", f"{p}.category"),
        entries=r.choice(obj, "entries", f"{p}.entries", VISA_ENTRIES, nullable=True),
        valid_from=r.date(obj, "valid_from", f"{p}.valid_from"),
        valid_to=r.date(obj, "valid_to", f"{p}.valid_to"),
        issuing_country=r.country(obj, "issuing_country", f"{p}.issuing_country"),
    )


def _migration_card(r: _Reader, raw: Any, p: str) -> EmisMigrationCard | None:
    if raw is None:
        return None
    obj = r.obj(raw, p)
    if obj is None:
        return None
    return EmisMigrationCard(
        series=r.text(obj, "series", f"{p}.series"),
        number=r.text(obj, "number", f"{p}.number", nullable=False) or "",
        entry_date=r.date(obj, "entry_date", f"{p}.entry_date"),
        valid_to=r.date(obj, "valid_to", f"{p}.valid_to"),
        visit_purpose=r.text(obj, "visit_purpose", f"{p}.visit_purpose"),
    )


def _read_person(r: _Reader, raw: Any, path: str) -> EmisPerson | None:
    obj = r.obj(raw, path)
    if obj is None:
        return None
    before = len(r.errors)
    person = EmisPerson(
        person_id=r.digits_id(obj, "person_id", f"{path}.person_id") or "",
        version=r.version(obj, "version", f"{path}.version") or 0,
        updated_at=r.timestamp(obj, "updated_at", f"{path}.updated_at"),
        surname=_name_forms(r, obj, "surname", path),
        given_names=_name_forms(r, obj, "given_names", path),
        patronymic=_name_forms(r, obj, "patronymic", path),
        sex=r.choice(obj, "sex", f"{path}.sex", frozenset({"M", "F"}), nullable=False),
        birth_date=r.date(obj, "birth_date", f"{path}.birth_date"),
        birth_place=r.text(obj, "birth_place", f"{path}.birth_place"),
        citizenship=r.country(
            obj, "citizenship", f"{path}.citizenship", nullable=False
        ),
        documents=tuple(
            _document(r, d, f"{path}.documents[{i}]")
            for i, d in enumerate(r.items(obj, "documents", f"{path}.documents"))
        ),
        visas=tuple(
            _visa(r, v, f"{path}.visas[{i}]")
            for i, v in enumerate(r.items(obj, "visas", f"{path}.visas"))
        ),
        migration_card=_migration_card(
            r, obj.get("migration_card"), f"{path}.migration_card"
        ),
    )
    return person if len(r.errors) == before else None


def parse_person(data: Any, *, path: str = "person") -> EmisPerson:
    """One Person object (already decoded from JSON)."""
    r = _Reader()
    person = _read_person(r, data, path)
    r.raise_if_any()
    assert person is not None
    return person


def parse_webhook(body: bytes) -> WebhookEvent:
    """The raw webhook body: UTF-8 JSON ``{"event", "legal_entity_id", "person"}``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PayloadError({"body": ["not valid UTF-8 JSON"]}) from None
    except RecursionError:  # "[[[[…" nested deeper than the parser goes
        raise PayloadError({"body": ["nested too deeply"]}) from None
    r = _Reader()
    obj = r.obj(data, "body")
    if obj is None:
        r.raise_if_any()
    event = r.choice(obj, "event", "event", WEBHOOK_EVENTS, nullable=False)
    legal_entity_id = r.digits_id(obj, "legal_entity_id", "legal_entity_id")
    if "person" not in obj or obj["person"] is None:
        r.fail("person", "required")
        person = None
    else:
        person = _read_person(r, obj["person"], "person")
    r.raise_if_any()
    return WebhookEvent(
        event=event, legal_entity_id=int(legal_entity_id), person=person
    )


def parse_changes_page(data: Any) -> ChangesPage:
    """One page of ``GET /api/v1/changes``."""
    r = _Reader()
    obj = r.obj(data, "page")
    if obj is None:
        r.raise_if_any()
    items = [
        _read_person(r, raw, f"items[{i}]")
        for i, raw in enumerate(r.items(obj, "items", "items"))
    ]
    next_cursor = obj.get("next_cursor")
    if not isinstance(next_cursor, str) or not next_cursor:
        r.fail("next_cursor", "must be a non-empty string")
    elif len(next_cursor) > 500:  # SyncState.cursor's width
        r.fail("next_cursor", "at most 500 characters")
    elif not _storable(next_cursor):
        r.fail("next_cursor", "must not contain NUL characters or lone surrogates")
    has_more = obj.get("has_more")
    if not isinstance(has_more, bool):
        r.fail("has_more", "must be true or false")
    r.raise_if_any()
    return ChangesPage(items=tuple(items), next_cursor=next_cursor, has_more=has_more)
