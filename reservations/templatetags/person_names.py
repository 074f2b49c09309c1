"""The guest card's "Кириллица" line."""

from __future__ import annotations

import re

from django import template

from reservations.choices import NAME_PARTS

register = template.Library()

_CYRILLIC = re.compile(r"[А-ЯЁа-яё]")
_LATIN = re.compile(r"[A-Za-z]")


@register.simple_tag
def cyrillic_name(person) -> str:
    """The stored Cyrillic form (``surname_cyrillic`` ...) when there is one,
    else the main name when it is itself Cyrillic (staff typed it; "—"
    beside a Cyrillic name misled), else "". The Latin line keeps only the
    stored form: it claims to be as in the document."""
    parts = (getattr(person, f"{part}_cyrillic", "") for part in NAME_PARTS)
    stored = " ".join(p for p in parts if p)
    if stored:
        return stored
    main = person.full_name
    return main if _CYRILLIC.search(main) and not _LATIN.search(main) else ""
