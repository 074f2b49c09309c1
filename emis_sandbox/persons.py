"""The Person shape of the contract: validation and normalisation (pure code).

``normalize_person`` returns the person with exactly the contract's keys in the
contract's order (unknown extra keys are dropped, absent optional keys become
null or empty lists) or raises ``PersonInvalid`` naming every bad field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

DOCUMENT_KINDS = (
    "passport_rf",
    "foreign_passport_rf",
    "national_passport",
    "residence_permit",
    "temporary_residence_permit",
    "birth_certificate",
    "id_card",
    "other",
)
SOURCES = ("rfid", "mrz", "visual", "manual")
ENTRIES = ("single", "double", "multiple")
MAX_TEXT = 200
DIGITS = re.compile(r"^[0-9]{1,20}$")
COUNTRY = re.compile(r"^[A-Z]{3}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Path = tuple[str | int, ...]


class PersonInvalid(ValueError):
    def __init__(self, errors: list[tuple[Path, str]]) -> None:
        super().__init__("; ".join(f"{format_path(p)}: {m}" for p, m in errors))
        self.errors = errors


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def is_digits(value: object) -> bool:
    return isinstance(value, str) and bool(DIGITS.match(value))


def is_iso_date(value: str) -> bool:
    if not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Checker:
    """Collects errors while reading one object; each reader returns the clean value."""

    def __init__(self) -> None:
        self.errors: list[tuple[Path, str]] = []

    def fail(self, path: Path, message: str) -> None:
        self.errors.append((path, message))

    def text(self, obj: dict, key: str, path: Path, *, required: bool = False):
        value = obj.get(key)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if required:
                self.fail(path + (key,), "is required")
            return None
        if not isinstance(value, str):
            self.fail(path + (key,), "must be a string or null")
            return None
        if len(value) > MAX_TEXT:
            self.fail(path + (key,), f"is longer than {MAX_TEXT} characters")
        return value

    def date(self, obj: dict, key: str, path: Path):
        value = self.text(obj, key, path)
        if value is not None and not is_iso_date(value):
            self.fail(path + (key,), "must be a date YYYY-MM-DD")
        return value

    def country(self, obj: dict, key: str, path: Path, *, required: bool = False):
        value = self.text(obj, key, path, required=required)
        if value is not None and not COUNTRY.match(value):
            self.fail(path + (key,), "must be a 3-letter code such as RUS")
        return value

    def choice(self, obj: dict, key: str, path: Path, choices: tuple[str, ...]):
        value = self.text(obj, key, path)
        if value is not None and value not in choices:
            self.fail(path + (key,), "must be one of " + ", ".join(choices))
        return value

    def obj(self, value: object, path: Path) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def items(self, raw: dict, key: str) -> list:
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail((key,), "must be a list")
            return []
        return value


def _name(c: _Checker, raw: dict, key: str, *, required: bool) -> dict | None:
    value = raw.get(key)
    if value is None:
        if required:
            c.fail((key,), "is required")
        return None
    obj = c.obj(value, (key,))
    if obj is None:
        return None
    name = {
        "cyrillic": c.text(obj, "cyrillic", (key,)),
        "latin": c.text(obj, "latin", (key,)),
    }
    if required and name["cyrillic"] is None and name["latin"] is None:
        c.fail((key,), "needs a Cyrillic or a Latin value")
    return name


def _document(c: _Checker, raw: object, path: Path) -> dict | None:
    obj = c.obj(raw, path)
    if obj is None:
        return None
    kind = c.text(obj, "kind", path)
    return {
        # The contract stores an unknown kind as "other".
        "kind": kind if kind in DOCUMENT_KINDS else "other",
        "series": c.text(obj, "series", path),
        "number": c.text(obj, "number", path, required=True),
        "issue_date": c.date(obj, "issue_date", path),
        "expiry_date": c.date(obj, "expiry_date", path),
        "issuer": c.text(obj, "issuer", path),
        "issuer_code": c.text(obj, "issuer_code", path),
        "issuing_country": c.country(obj, "issuing_country", path),
        "source": c.choice(obj, "source", path, SOURCES),
    }


def _visa(c: _Checker, raw: object, path: Path) -> dict | None:
    obj = c.obj(raw, path)
    if obj is None:
        return None
    return {
        "series": c.text(obj, "series", path),
        "number": c.text(obj, "number", path, required=True),
        "category": c.text(obj, "category", path),
        "entries": c.choice(obj, "entries", path, ENTRIES),
        "valid_from": c.date(obj, "valid_from", path),
        "valid_to": c.date(obj, "valid_to", path),
        "issuing_country": c.country(obj, "issuing_country", path),
    }


def _migration_card(c: _Checker, raw: object) -> dict | None:
    if raw is None:
        return None
    path: Path = ("migration_card",)
    obj = c.obj(raw, path)
    if obj is None:
        return None
    return {
        "series": c.text(obj, "series", path),
        "number": c.text(obj, "number", path, required=True),
        "entry_date": c.date(obj, "entry_date", path),
        "valid_to": c.date(obj, "valid_to", path),
        "visit_purpose": c.text(obj, "visit_purpose", path),
    }


def normalize_person(raw: object) -> dict[str, Any]:
    """Validate a Person (without caring about version/updated_at) and clean it."""
    c = _Checker()
    if not isinstance(raw, dict):
        raise PersonInvalid([((), "person must be an object")])
    person_id = raw.get("person_id")
    if not is_digits(person_id):
        c.fail(("person_id",), "must be a string of digits")
    sex = raw.get("sex")
    if sex not in ("M", "F"):
        c.fail(("sex",), 'must be "M" or "F"')
    person = {
        "person_id": person_id,
        "surname": _name(c, raw, "surname", required=True),
        "given_names": _name(c, raw, "given_names", required=False),
        "patronymic": _name(c, raw, "patronymic", required=False),
        "sex": sex,
        "birth_date": c.date(raw, "birth_date", ()),
        "birth_place": c.text(raw, "birth_place", ()),
        "citizenship": c.country(raw, "citizenship", (), required=True),
        "documents": [
            _document(c, d, ("documents", i))
            for i, d in enumerate(c.items(raw, "documents"))
        ],
        "visas": [
            _visa(c, v, ("visas", i)) for i, v in enumerate(c.items(raw, "visas"))
        ],
        "migration_card": _migration_card(c, raw.get("migration_card")),
    }
    if c.errors:
        raise PersonInvalid(c.errors)
    return person


def with_version(person: dict[str, Any], *, version: int, updated_at: str) -> dict:
    """The stored form: contract key order, server-assigned version and time."""
    rest = {
        k: v
        for k, v in person.items()
        if k not in ("person_id", "version", "updated_at")
    }
    return {
        "person_id": person["person_id"],
        "version": version,
        "updated_at": updated_at,
        **rest,
    }
