"""The guest card's "Латиница" and "Кириллица" lines."""

from __future__ import annotations

import re

from django import template

from reservations.choices import NAME_PARTS

register = template.Library()

_CYRILLIC = re.compile(r"[А-ЯЁа-яё]")
_LATIN = re.compile(r"[A-Za-z]")


@register.simple_tag
def cyrillic_name(person) -> str:
    """Part by part: the stored Cyrillic form (``surname_cyrillic`` ...) when
    there is one, else the main part when it is itself Cyrillic (staff typed
    it: EMIS sending a name without a patronymic must not drop the one the
    clerk typed, and "—" beside a Cyrillic name misled), else nothing."""
    parts = (_cyrillic_part(person, part) for part in NAME_PARTS)
    return " ".join(p for p in parts if p)


@register.simple_tag
def latin_name(person) -> str:
    """The stored Latin parts only, with no fallback to the main name: the
    line claims to be as in the document, and a name staff typed is not."""
    parts = (getattr(person, f"{part}_latin", "") for part in NAME_PARTS)
    return " ".join(p for p in parts if p)


def _cyrillic_part(person, part: str) -> str:
    stored = getattr(person, f"{part}_cyrillic", "")
    if stored:
        return stored
    main = getattr(person, part, "")
    return main if _CYRILLIC.search(main) and not _LATIN.search(main) else ""
