"""EMIS versions of merged person IDs, for ``emis.apply``.

EMIS numbers the versions of each of its persons apart. After a merge, data
EMIS sends for the merged ID (now an alias, ``reservations.aliases``) lands
on the survivor, but is ordered by the alias's own version and content hash:
compared with the survivor's, an older EMIS person's fresh save would be
refused as stale, or a newer one would make the survivor's next saves look
stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from emis import bulk_sql
from emis.payload import EmisPerson
from reservations.models import Person, PersonAlias

EMIS_STATE = ["emis_version", "emis_content_hash", "emis_updated_at"]


class AliasVersions:
    def __init__(self) -> None:
        self._rows: dict[int, PersonAlias] = {}
        self._changed: dict[int, PersonAlias] = {}

    def load(self, ids: Iterable[int]) -> None:
        """Lock and read the alias rows of ``ids`` (after the persons' rows,
        as the merge locks them: no deadlock)."""
        ids = list(ids)
        if ids:
            rows = PersonAlias.objects.select_for_update().filter(pk__in=ids)
            self._rows.update((alias.pk, alias) for alias in rows.order_by("pk"))

    def state(self, person: Person, data: EmisPerson) -> Person | PersonAlias:
        """Where the version and hash of ``data``'s person ID are kept."""
        return self._rows.get(data.pms_person_id, person)

    def remember(self, state: Person | PersonAlias) -> bool:
        """Whether ``state`` is an alias (then saved by ``save``)."""
        if isinstance(state, PersonAlias):
            self._changed[state.pk] = state
            return True
        return False

    def save(self) -> None:
        bulk_sql.update(PersonAlias, list(self._changed.values()), EMIS_STATE)
