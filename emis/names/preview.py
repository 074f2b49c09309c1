"""The admin's preview: sample names under every script × case × standard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from emis.choices import LatinStandard, LetterCase, Script
from emis.names.affected import affected_guests
from emis.names.policy import PARTS, PolicyFields, apply_policy
from personal_data.access_log import Kind, record_accesses

_RUSSIAN_LATIN = {
    "surname": "SHCHUKIN",
    "given_names": "ILIA",
    "patronymic": "BORISOVICH",
}
_RUSSIAN_CYRILLIC = {
    "surname": "Щукин",
    "given_names": "Илья",
    "patronymic": "Борисович",
}
_FOREIGN_LATIN = {"surname": "ERIKSSON", "given_names": "ANNA MARIA"}

# (column title, Latin forms, Cyrillic forms) as a document would give them.
SAMPLES = [
    (_("Russian guest, both scripts"), _RUSSIAN_LATIN, _RUSSIAN_CYRILLIC),
    (_("Russian guest, Cyrillic only"), {}, _RUSSIAN_CYRILLIC),
    (_("Russian guest, Latin only"), _RUSSIAN_LATIN, {}),
    (_("Foreign guest, Latin only"), _FOREIGN_LATIN, {}),
]


# Short column labels; the selects above the table carry the long ones.
_CASE_SHORT = {"title": _("Title case"), "upper": _("Upper case")}


def _short(label) -> str:
    """A choice's label without its parenthesised note, in the reader's
    language: «ГОСТ Р 52535.1-2006 (2010–2014)» → «ГОСТ Р 52535.1-2006». The
    column says what the radio buttons say, from the one vocabulary
    (``emis.choices``), not a copy of it that no translation reached."""
    return str(label).split(" (", 1)[0]


@dataclass(frozen=True)
class PreviewRow:
    policy: PolicyFields
    labels: tuple[str, str, str]
    cells: list[list[tuple[str, bool]]]  # per sample: (part value, derived?)
    current: bool


def preview_rows(current: PolicyFields) -> list[PreviewRow]:
    rows = []
    for script in Script:
        for case in LetterCase:
            for standard in LatinStandard:
                policy = PolicyFields(script.value, case.value, standard.value)
                rows.append(
                    PreviewRow(
                        policy=policy,
                        labels=(
                            script.label,
                            _CASE_SHORT[case.value],
                            _short(standard.label),
                        ),
                        cells=[_cell(policy, lat, cyr) for _t, lat, cyr in SAMPLES],
                        current=policy == current,
                    )
                )
    return rows


def _cell(policy: PolicyFields, latin: dict, cyrillic: dict) -> list[tuple[str, bool]]:
    resolved = apply_policy(policy, latin, cyrillic)
    return [
        (resolved.main[part], part in resolved.transliterated)
        for part in PARTS
        if resolved.main[part]
    ]


def preview_table(record, *, request: HttpRequest) -> str:
    """The table as HTML, the row of ``record``'s settings marked current,
    and a few guests those settings would rename (masked). Their names are
    a read of each, in the personal data access log (one INSERT)."""
    policy = PolicyFields.of(record)
    affected = affected_guests(policy)
    listed = [guest.person_id for guest in affected]
    record_accesses(request, listed, Kind.NAME_POLICY_PREVIEW)
    return render_to_string(
        "emis/name_policy_preview.html",
        {
            "samples": [title for title, _l, _c in SAMPLES],
            "rows": preview_rows(policy),
            "affected": affected,
        },
    )


_CHOICES = {
    "script": Script.values,
    "letter_case": LetterCase.values,
    "latin_standard": LatinStandard.values,
}


def chosen(query: Mapping[str, str], saved: PolicyFields) -> PolicyFields:
    """The settings the admin form's selects hold before saving (the preview
    marks their row); an unknown value keeps the saved one."""
    return PolicyFields(
        **{
            name: query.get(name) if query.get(name) in values else getattr(saved, name)
            for name, values in _CHOICES.items()
        }
    )
