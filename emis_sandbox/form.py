"""The upload form: flat ``name -> value`` dicts to and from a Person."""

from __future__ import annotations

import re
from typing import Any

from emis_sandbox.mrz_scan import MrzData
from emis_sandbox.persons import Path

NAME_PARTS = ("surname", "given_names", "patronymic")
SCRIPTS = ("cyrillic", "latin")
PERSON_FIELDS = ("sex", "birth_date", "birth_place", "citizenship")
DOC_FIELDS = (
    "kind",
    "series",
    "number",
    "issue_date",
    "expiry_date",
    "issuer",
    "issuer_code",
    "issuing_country",
    "source",
)
VISA_FIELDS = (
    "series",
    "number",
    "category",
    "entries",
    "valid_from",
    "valid_to",
    "issuing_country",
)
MC_FIELDS = ("series", "number", "entry_date", "valid_to", "visit_purpose")
# Select boxes always carry a value, so they do not make a row "filled".
SELECTS = ("kind", "source", "entries")
UPPER = ("citizenship", "issuing_country")
MIN_ROWS = 2

Values = dict[str, str]


def _get(values: Values, name: str) -> str | None:
    value = (values.get(name) or "").strip()
    return value or None


def _row_indices(values: Values, prefix: str, fields: tuple[str, ...]) -> list[int]:
    pattern = re.compile(rf"^{prefix}-(\d+)-(\w+)$")
    found = set()
    for name, value in values.items():
        match = pattern.match(name)
        key = match.group(2) if match else None
        if key in fields and key not in SELECTS and value.strip():
            found.add(int(match.group(1)))
    return sorted(found)


def row_count(values: Values, prefix: str, fields: tuple[str, ...]) -> int:
    """Rows to render: every filled row plus one spare, at least two."""
    filled = _row_indices(values, prefix, fields)
    return max(MIN_ROWS, (filled[-1] + 2) if filled else 0)


def person_to_values(person: dict[str, Any]) -> Values:
    values: Values = {}
    for part in NAME_PARTS:
        name = person.get(part) or {}
        for script in SCRIPTS:
            values[f"{part}_{script}"] = name.get(script) or ""
    for key in PERSON_FIELDS:
        values[key] = person.get(key) or ""
    for i, doc in enumerate(person.get("documents") or []):
        for key in DOC_FIELDS:
            values[f"doc-{i}-{key}"] = doc.get(key) or ""
    for i, visa in enumerate(person.get("visas") or []):
        for key in VISA_FIELDS:
            values[f"visa-{i}-{key}"] = visa.get(key) or ""
    for key in MC_FIELDS:
        values[f"mc-{key}"] = (person.get("migration_card") or {}).get(key) or ""
    return values


def hint_to_values(hint: dict[str, Any] | None) -> Values:
    """Prefill the names the PMS passed as a hint, in the script they are written in."""
    values: Values = {}
    for part in ("surname", "given_names"):
        text = (hint or {}).get(part)
        if isinstance(text, str) and text.strip():
            script = "cyrillic" if re.search("[А-Яа-яЁё]", text) else "latin"
            values[f"{part}_{script}"] = text.strip()
    return values


def _name(values: Values, part: str) -> dict[str, str | None] | None:
    latin = _get(values, f"{part}_latin")
    name = {
        "cyrillic": _get(values, f"{part}_cyrillic"),
        "latin": latin.upper() if latin else None,
    }
    if part != "surname" and not any(name.values()):
        return None
    return name


def _row(values: Values, prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
    row = {key: _get(values, f"{prefix}-{key}") for key in fields}
    for key in UPPER:
        if row.get(key):
            row[key] = row[key].upper()
    return row


def values_to_person(
    values: Values, person_id: str
) -> tuple[dict[str, Any], list[int], list[int], list[tuple[str, str]]]:
    """A raw Person, the form rows behind its documents/visas, and form-only errors."""
    errors: list[tuple[str, str]] = []
    doc_rows = _row_indices(values, "doc", DOC_FIELDS)
    visa_rows = _row_indices(values, "visa", VISA_FIELDS)
    documents = []
    for i in doc_rows:
        doc = _row(values, f"doc-{i}", DOC_FIELDS)
        if doc["kind"] is None:
            errors.append((f"doc-{i}-kind", "выберите вид документа"))
        doc["source"] = doc["source"] or "manual"
        documents.append(doc)
    card = _row(values, "mc", MC_FIELDS)
    citizenship = _get(values, "citizenship")
    person = {
        "person_id": person_id,
        **{part: _name(values, part) for part in NAME_PARTS},
        "sex": _get(values, "sex"),
        "birth_date": _get(values, "birth_date"),
        "birth_place": _get(values, "birth_place"),
        "citizenship": citizenship.upper() if citizenship else None,
        "documents": documents,
        "visas": [_row(values, f"visa-{i}", VISA_FIELDS) for i in visa_rows],
        "migration_card": card if any(card.values()) else None,
    }
    return person, doc_rows, visa_rows, errors


def field_for(path: Path, doc_rows: list[int], visa_rows: list[int]) -> str:
    """The form field a validation error path points at."""
    head = path[0] if path else ""
    if head in NAME_PARTS:
        return f"{head}_{path[1] if len(path) > 1 else 'cyrillic'}"
    if head == "documents" and len(path) == 3:
        return f"doc-{doc_rows[int(path[1])]}-{path[2]}"
    if head == "visas" and len(path) == 3:
        return f"visa-{visa_rows[int(path[1])]}-{path[2]}"
    if head == "migration_card" and len(path) == 2:
        return f"mc-{path[1]}"
    return str(head)


def apply_mrz(values: Values, data: MrzData) -> Values:
    """Fill what the MRZ gives; the document goes to its own row or a free one."""
    out = dict(values)
    out.update(
        {
            "surname_latin": data.surname,
            "given_names_latin": data.given_names,
            "citizenship": data.nationality,
        }
    )
    if data.sex:
        out["sex"] = data.sex
    if data.birth_date:
        out["birth_date"] = data.birth_date
    filled = _row_indices(values, "doc", DOC_FIELDS)
    same = [
        i for i in filled if _get(values, f"doc-{i}-number") == data.document_number
    ]
    free = [i for i in range(row_count(values, "doc", DOC_FIELDS)) if i not in filled]
    row = same[0] if same else free[0]
    out.update(
        {
            f"doc-{row}-kind": data.document_kind,
            f"doc-{row}-number": data.document_number,
            f"doc-{row}-expiry_date": data.expiry_date or "",
            f"doc-{row}-issuing_country": data.issuing_country,
            f"doc-{row}-source": "mrz",
        }
    )
    return out
