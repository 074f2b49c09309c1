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

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from emis.models import (
    LatinStandard,
    LetterCase,
    NamePolicy,
    NamePolicyOverride,
    Script,
)
from emis.names.transliteration import cyrillic_reading, to_latin
from legal_entities.models import LegalEntity

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


def policy_scripts(*, legal_entity_ids, **_signal) -> dict[int | None, str]:
    """The script of the policy in force for each legal entity (None: the
    global policy's), in one query: the reservations' readiness check
    ``name_not_in_policy_script`` asks for it (``reservations.signals
    .name_scripts_wanted``, connected in ``EmisConfig.ready``)."""
    global_script = NamePolicy.objects.filter(pk=1).values("script")[:1]
    default = Coalesce(Subquery(global_script), Value(Script.CYRILLIC))
    rows = LegalEntity.objects.filter(pk__in=legal_entity_ids).annotate(
        policy_script=Coalesce("name_policy_override__script", default)
    )
    scripts = dict(rows.values_list("pk", "policy_script"))
    if None in legal_entity_ids:
        scripts[None] = PolicyFields.of(NamePolicy.load()).script
    return scripts


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


def stored_forms(person) -> tuple[NameForms, NameForms]:
    """A profile's own Latin and Cyrillic forms (``surname_latin``, …): an
    EMIS apply and a re-apply both resolve the main names from these."""
    latin, cyrillic = (
        {part: getattr(person, f"{part}_{script}") for part in PARTS}
        for script in ("latin", "cyrillic")
    )
    return latin, cyrillic


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
