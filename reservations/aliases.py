"""Person IDs that outlive a merge.

A merged person's ID becomes an alias of the survivor (``PersonAlias``,
written by ``services/merge.py``). EMIS keys on person IDs and keeps using
the old one, so everything that looks a person up by an ID from outside —
the webhook, the pull, the sync, the API and the pages — asks
``person_ids_resolve``: the one place an alias turns into its survivor.

Chains never form: merging a survivor moves its aliases along, so one
lookup always reaches a person. IDs come from the primary key sequence and
are never reused, so an ID is a person or an alias, never both.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models


class PersonAlias(models.Model):
    """A merged person's ID naming the survivor (imported by ``models``).

    EMIS numbers the versions of each of its persons apart, so the alias
    keeps the version and content hash of the data EMIS last sent for it
    (``emis/alias_versions.py``)."""

    id = models.BigIntegerField(primary_key=True)  # the merged person's ID
    person = models.ForeignKey(
        "reservations.Person", on_delete=models.CASCADE, related_name="aliases"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    emis_version = models.PositiveBigIntegerField(null=True, blank=True)
    emis_content_hash = models.CharField(max_length=64, blank=True)
    emis_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "reservations"

    def __str__(self) -> str:
        return f"{self.pk} → {self.person_id}"


def person_ids_resolve(ids: Iterable[int]) -> dict[int, int]:
    """Each ID → the ID of the person it names now: the survivor for an
    alias, the ID itself otherwise (a person, or an ID nobody has). One
    query, on the alias table's primary key."""
    wanted = set(ids)
    if not wanted:
        return {}
    survivors = dict(
        PersonAlias.objects.filter(pk__in=wanted).values_list("pk", "person_id")
    )
    return {pid: survivors.get(pid, pid) for pid in wanted}


def person_id_resolve(person_id: int) -> int:
    return person_ids_resolve([person_id])[person_id]


def person_alias_ids(person_id: int) -> list[int]:
    """The IDs merged into ``person_id``, oldest merge first."""
    aliases = PersonAlias.objects.filter(person_id=person_id).order_by("merged_at", "pk")
    return list(aliases.values_list("pk", flat=True))
