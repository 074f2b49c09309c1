"""Name policy: which script and case the main name fields take.

The main fields (``Person.surname`` ...) take the policy's script. A value the
document gives in that script is used as printed (only its case changes);
when the document lacks that script the value is derived from the other one
and the part is reported in ``ResolvedNames.transliterated`` so staff check
it. ``apply_policy`` is pure; ``policy_for`` reads the database once, so a
caller handling many persons loads the policy once and calls
``resolve_names_with`` for each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from emis.models import (
    LatinStandard,
    LetterCase,
    NamePolicy,
    NamePolicyOverride,
    Script,
)
from emis.names.transliteration import cyrillic_reading, to_latin

PARTS = ("surname", "given_names", "patronymic")

NameForms = Mapping[str, str | None]


@dataclass(frozen=True)
class ResolvedNames:
    main: dict[str, str]  # part -> value for Person.surname/given_names/patronymic
    transliterated: list[str] = field(default_factory=list)  # derived parts
    # derived part -> other spellings the name lexicon knows (Наталия)
    alternatives: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyFields:
    """The three settings of a policy, detached from the database."""

    script: str = Script.CYRILLIC
    letter_case: str = LetterCase.TITLE
    latin_standard: str = LatinStandard.ICAO

    @classmethod
    def of(cls, record) -> PolicyFields:
        """From a ``NamePolicy``/``NamePolicyOverride`` row or a mapping."""
        get = record.get if isinstance(record, Mapping) else record.__dict__.get
        return cls(
            script=str(get("script") or Script.CYRILLIC),
            letter_case=str(get("letter_case") or LetterCase.TITLE),
            latin_standard=str(get("latin_standard") or LatinStandard.ICAO),
        )


# --- Database ---------------------------------------------------------------


def policy_for(legal_entity_id: int | None) -> PolicyFields:
    """The policy in force for a legal entity: its override, else the global one."""
    if legal_entity_id is not None:
        override = NamePolicyOverride.objects.filter(legal_entity_id=legal_entity_id)
        row = override.values("script", "letter_case", "latin_standard").first()
        if row is not None:
            return PolicyFields.of(row)
    return PolicyFields.of(NamePolicy.load())


def all_policies() -> tuple[PolicyFields, dict[int, PolicyFields]]:
    """The global policy and every override by legal entity, in two queries."""
    overrides = {
        row["legal_entity_id"]: PolicyFields.of(row)
        for row in NamePolicyOverride.objects.values(
            "legal_entity_id", "script", "letter_case", "latin_standard"
        )
    }
    return PolicyFields.of(NamePolicy.load()), overrides


_LETTERS = {
    Script.LATIN: re.compile(r"[A-Za-z]"),
    Script.CYRILLIC: re.compile(r"[А-ЯЁа-яё]"),
}


def persons_without_policy_spelling(persons, *, policy: PolicyFields) -> set[int]:
    """Of ``persons``, the IDs whose main name is still in the other script
    than the policy's because no spelling in the policy's script is known
    (no such form stored: staff typed the name, no document gave it). A
    re-apply leaves them as they are, so a Гости tab under a Latin policy
    shows "REPIN ILIA" beside "Сидоров": this says why. No query."""
    script = policy.script
    other = Script.CYRILLIC if script == Script.LATIN else Script.LATIN
    found = set()
    for person in persons:
        for part in PARTS:
            main = getattr(person, part, "") or ""
            known = getattr(person, f"{part}_{script}", "")
            if _LETTERS[other].search(main) and not known:
                found.add(person.pk)
                break
    return found


def resolve_names(
    *,
    latin: NameForms,
    cyrillic: NameForms,
    legal_entity_id: int | None = None,
) -> ResolvedNames:
    """Main name fields under the policy in force for ``legal_entity_id``."""
    return apply_policy(policy_for(legal_entity_id), latin, cyrillic)


def resolve_names_with(
    policy: PolicyFields, *, latin: NameForms, cyrillic: NameForms
) -> ResolvedNames:
    return apply_policy(policy, latin, cyrillic)


# --- Pure -------------------------------------------------------------------


def apply_policy(
    policy_fields: PolicyFields | Mapping[str, str],
    latin: NameForms,
    cyrillic: NameForms,
) -> ResolvedNames:
    """Main name fields from the document's Latin and Cyrillic forms."""
    policy = (
        policy_fields
        if isinstance(policy_fields, PolicyFields)
        else PolicyFields.of(policy_fields)
    )
    main: dict[str, str] = {}
    derived: list[str] = []
    alternatives: dict[str, list[str]] = {}
    for part in PARTS:
        value, was_derived, others = _main_value(
            policy, _clean(latin.get(part)), _clean(cyrillic.get(part)), part
        )
        main[part] = apply_case(value, policy.letter_case)
        if was_derived and main[part]:
            derived.append(part)
            if others:
                alternatives[part] = [apply_case(o, policy.letter_case) for o in others]
    return ResolvedNames(main=main, transliterated=derived, alternatives=alternatives)


def _main_value(
    policy: PolicyFields, latin: str, cyrillic: str, part: str
) -> tuple[str, bool, tuple[str, ...]]:
    """The value in the policy's script, whether it had to be derived, and
    the other spellings the lexicon knows; ``part`` is the role the name
    lexicon reads a Latin-only name in (a surname, a given name...)."""
    if policy.script == Script.LATIN:
        if latin or not cyrillic:
            return latin, False, ()
        return to_latin(cyrillic, policy.latin_standard), True, ()
    if cyrillic or not latin:
        return cyrillic, False, ()
    reading = cyrillic_reading(latin, role=part)
    return reading.text, True, reading.alternatives


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


# After "O'" and "D'" a name goes on in capitals (O'Brien, D'Arcy); after an
# MVD soft sign it does not (Il'ya).
_WORD_START = re.compile(r"(^|[\s-])(\w)")
_IRISH = re.compile(r"(?:^|(?<=[\s-]))([OD]')(\w)")


def apply_case(value: str, letter_case: str) -> str:
    """ "upper": КРУПКИН; "title": Крупкин, Anna Maria, Римский-Корсаков."""
    if letter_case == LetterCase.UPPER:
        return value.upper()
    titled = _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), value.lower())
    return _IRISH.sub(lambda m: m.group(1) + m.group(2).upper(), titled)
