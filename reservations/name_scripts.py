"""Whether a guest's main name is in the script the name policy gives main
names: the readiness check ``name_not_in_policy_script`` (``checks.py``).

Staff may type a name in one script only. After a re-apply of a Latin policy
such a guest keeps "Сидоров" beside "REPIN ILIA" (and under a Cyrillic policy
a name typed only in Latin stays Latin): no spelling in the policy's script
is known, no document gave one. The check says why, as information: the
documents can still be filed, so it does not stop a guest being ready.

The policy belongs to EMIS (``emis/names/policy.py``), which reservations
does not import: ``policy_scripts`` asks for it through the signal
``signals.name_scripts_wanted``, for every legal entity of a page at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .choices import NAME_PARTS
from .signals import name_scripts_wanted

LATIN, CYRILLIC = "latin", "cyrillic"
_OTHER = {LATIN: CYRILLIC, CYRILLIC: LATIN}
_LETTERS = {LATIN: re.compile(r"[A-Za-z]"), CYRILLIC: re.compile(r"[А-ЯЁа-яё]")}
# By the policy's script: the name stayed in the other one.
MESSAGES = {
    LATIN: _(
        "The name stays in Cyrillic: no Latin spelling is known (typed by staff, "
        "no document gave one). Get the documents from EMIS or type the Latin name."
    ),
    CYRILLIC: _(
        "The name stays in Latin: no Cyrillic spelling is known (typed by staff, "
        "no document gave one). Get the documents from EMIS or type the Cyrillic "
        "name."
    ),
}


def policy_scripts(legal_entity_ids: Iterable[int | None]) -> dict[int | None, str]:
    """{legal entity id: its name policy's script} for each of them (the
    receivers' queries, once for all); {} when no app keeps a policy."""
    ids = set(legal_entity_ids)
    scripts: dict[int | None, str] = {}
    if not ids:
        return scripts
    for _receiver, answer in name_scripts_wanted.send(None, legal_entity_ids=ids):
        scripts.update(answer or {})
    return scripts


def policy_script(legal_entity_id: int | None) -> str | None:
    """The script of one legal entity's policy (a page of one guest)."""
    return policy_scripts([legal_entity_id]).get(legal_entity_id)


def name_not_in_script(person, script: str | None) -> bool:
    """Some part of the main name is written in the other script than
    ``script`` and no spelling in ``script`` is stored for it (no query).
    None: the policy is not known, nothing to say."""
    if script not in _OTHER:
        return False
    other = _LETTERS[_OTHER[script]]
    return any(
        other.search(getattr(person, part, "") or "")
        and not getattr(person, f"{part}_{script}", "")
        for part in NAME_PARTS
    )
