"""The Django admin filters a changelist by any field named in its query
string (``?birth_date=1971-02-13`` answers one row or none): a way to read a
value the list never shows. Admins that list persons or their data take
only the filters they declare."""

from __future__ import annotations

from django.contrib.admin import SimpleListFilter
from django.db.models.constants import LOOKUP_SEP

# What the admin's own filters put in the query string after a declared
# field (``status__exact``, ``legal_entity__id__exact``, ``at__year``…).
_FILTER_SUFFIXES = ("", "exact", "isnull", "in", "id__exact", "pk__exact", "gte", "lt")
_DATE_PARTS = ("year", "month", "day")


class DeclaredLookupsOnly:
    """``lookup_allowed`` refuses every lookup but those of ``list_filter``
    and ``date_hierarchy``: Django then answers the changelist with an
    error instead of a filtered list."""

    def lookup_allowed(self, lookup: str, value, request=None) -> bool:
        return lookup in self.declared_lookups(request)

    def declared_lookups(self, request) -> set[str]:
        allowed: set[str] = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            name = item[0] if isinstance(item, (list, tuple)) else item
            allowed.update(_joined(name, suffix) for suffix in _FILTER_SUFFIXES)
        if self.date_hierarchy:
            allowed.update(_joined(self.date_hierarchy, p) for p in _DATE_PARTS)
        return allowed


def _joined(name: str, suffix: str) -> str:
    return LOOKUP_SEP.join(filter(None, (name, suffix)))
