"""Whether a guest's main name is in the script the name policy gives main
names: the readiness check ``name_not_in_policy_script`` (``checks.py``).

Staff may type a name in either script, and a re-apply never replaces a
name staff typed. After a re-apply of a Latin policy such a guest keeps
"Сидоров" beside "REPIN ILIA" (and under a Cyrillic policy a name typed in
Latin stays Latin). The check says why, in one of two texts: no spelling in
the policy's script is known (no document gave one: get the documents or
type it), or one is known ("Ван Ли" typed, WANG LI from the passport: the
policy left the typed name alone, staff may correct it). Information only:
the documents can still be filed, so it does not stop a guest being ready.

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
# By the policy's script: the name stayed in the other one, and no spelling
# in the policy's script is known ...
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
# ... or one is known (``%(name)s``), and the typed name was kept.
KNOWN_MESSAGES = {
    LATIN: _(
        "The name was typed by staff in Cyrillic; the Latin spelling on file: "
        "%(name)s. The name policy does not replace a name typed by staff: "
        "correct the name on the card if needed."
    ),
    CYRILLIC: _(
        "The name was typed by staff in Latin; the Cyrillic spelling on file: "
        "%(name)s. The name policy does not replace a name typed by staff: "
        "correct the name on the card if needed."
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


def name_script_message(person, script: str | None) -> str | None:
    """The warning's text when the main name is not in ``script``: that no
    spelling in ``script`` is known, or the one that is; None when the name
    is in ``script`` or no policy is known (no query)."""
    parts = _other_script_parts(person, script)
    if not parts:
        return None
    spelt = {part: getattr(person, f"{part}_{script}", "") or "" for part in parts}
    if not all(spelt.values()):
        return str(MESSAGES[script])
    name = " ".join(
        spelt.get(part) or getattr(person, part, "") or "" for part in NAME_PARTS
    )
    return str(KNOWN_MESSAGES[script]) % {"name": " ".join(name.split())}


def _other_script_parts(person, script: str | None) -> list[str]:
    if script not in _OTHER:
        return []
    other = _LETTERS[_OTHER[script]]
    return [p for p in NAME_PARTS if other.search(getattr(person, p, "") or "")]
