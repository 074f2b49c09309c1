"""The name policy admin's "Предпросмотр": a few guests a policy would
rename, for support, who may not open guest cards (pms/roles.py).

Read-only and masked: each guest shows the person ID, the main name now and
under the policy, and their identity document's number masked
(pms/masking.py), enough to tell two namesakes apart and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from emis.names.policy import PARTS, PolicyFields, all_policies
from emis.names.reapply import batches, planned_values
from pms.masking import mask_number
from reservations.models import IdentityDocument

SHOWN = 10


@dataclass(frozen=True)
class AffectedGuest:
    person_id: int
    name_now: str
    name_then: str
    document: str  # masked number, or ""


def _name(values: dict) -> str:
    return " ".join(v for v in (values.get(p) for p in PARTS) if v)


def affected_guests(policy: PolicyFields, *, limit: int = SHOWN) -> list[AffectedGuest]:
    """Up to ``limit`` persons ``policy`` (as the global policy; a legal
    entity's override still wins for its guests) would rename, by person ID.
    Reads candidates in batches and stops once enough are found; one more
    query for their documents."""
    _saved, overrides = all_policies()
    found: list[tuple[int, str, str]] = []
    for batch in batches():
        for person in batch:
            planned = planned_values(person, overrides.get(person.policy_entity_id, policy))
            now = {p: getattr(person, p) for p in PARTS}
            then = {**now, **{p: v for p, v in planned.items() if p in PARTS}}
            if then != now:
                found.append((person.pk, _name(now), _name(then)))
            if len(found) == limit:
                break
        if len(found) == limit:
            break
    numbers = _first_document_numbers([pk for pk, _n, _t in found])
    return [
        AffectedGuest(pk, now, then, mask_number(numbers.get(pk)))
        for pk, now, then in found
    ]


def _first_document_numbers(person_ids: list[int]) -> dict[int, str]:
    rows = (
        IdentityDocument.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "id")
        .values_list("person_id", "number")
    )
    first: dict[int, str] = {}
    for person_id, number in rows:
        first.setdefault(person_id, number)
    return first
