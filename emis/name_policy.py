"""Name policy: which script and case the main name fields take.

(Interface; the full implementation lands with the name-policy work.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARTS = ("surname", "given_names", "patronymic")


@dataclass(frozen=True)
class ResolvedNames:
    main: dict[str, str]  # part -> value for Person.surname/given_names/patronymic
    transliterated: list[str] = field(default_factory=list)  # derived parts


def resolve_names(
    *,
    latin: dict[str, str | None],
    cyrillic: dict[str, str | None],
    legal_entity_id: int | None = None,
) -> ResolvedNames:
    """Main name fields under the policy in force for ``legal_entity_id``."""
    main = {p: (cyrillic.get(p) or latin.get(p) or "").title() for p in PARTS}
    return ResolvedNames(main=main, transliterated=[])
