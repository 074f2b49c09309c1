"""Applying EMIS data to guest profiles: THE one write path for webhook, pull
and background sync.

Everything happens under the person's row lock, so a staff edit arriving at
the same moment is serialised with it and both survive (each side writes
only the fields it changed). Documents, visas and the migration card are
matched and updated in place, never duplicated; ones the profile has that
EMIS did not send are kept, because staff may have typed them.

The work is split into a planning pass over in-memory objects and one write
pass of bulk statements, so that a page of 200 persons from the changes feed
costs about as many queries as a single webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from emis import bulk_sql, conflicts
from emis.alias_versions import EMIS_STATE, AliasVersions
from emis.apply_records import RecordPlanning
from emis.names import policy as name_policy
from emis.payload import NAME_PARTS, EmisPerson
from personal_data.selectors import persons_erased
from reservations.aliases import person_ids_resolve
from reservations.history import Change, as_text, masked_key, person_change
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonAlias,
    PersonChange,
    Visa,
)
from reservations.services import person_lock

log = logging.getLogger("emis.apply")

APPLIED, UNCHANGED, STALE = "applied", "unchanged", "stale"
_MAX_FIELD = 200  # Person.surname and friends

Resolver = Callable[[dict, dict], Any]


@dataclass(frozen=True)
class ApplyResult:
    status: str  # applied | unchanged | stale
    changed_fields: list[str] = field(default_factory=list)
    # Fields that kept the profile's value against EMIS's (emis/conflicts.py).
    conflicts: list[str] = field(default_factory=list)


def person_apply_documents(
    *,
    person_id: int,
    legal_entity_id: int,
    data: EmisPerson,
    source: str,
    user=None,
    policy=None,
) -> ApplyResult:
    """Apply one EMIS Person to profile ``person_id`` (Person.DoesNotExist if
    there is none), which ``data`` names or one of its aliases names (the
    caller resolved it). ``source`` is "webhook", "pull" or "sync".

    Inside a caller's transaction no savepoint is made (two round trips per
    webhook): an error here then spoils the caller's whole transaction, which
    is what the webhook wants anyway."""
    with transaction.atomic(savepoint=False):
        person = person_lock(person_id=person_id)
        batch = _Batch(
            source=source, user=user, resolve=_resolver(legal_entity_id, policy)
        )
        if data.pms_person_id != person.pk:
            batch.aliases.load([data.pms_person_id])
        state = batch.aliases.state(person, data)
        if not _is_stale(state, data) and data.content_hash != state.emis_content_hash:
            batch.load([person], [data])  # else no document can change
        result = batch.apply(person, data)
        batch.save()
    return result


@dataclass
class ManyResult:
    results: list[tuple[EmisPerson, ApplyResult]]
    unknown: list[EmisPerson]  # person IDs this PMS does not have
    # Persons whose data was erased and who have not come again: not filled
    # again (emis/scope.py).
    erased: list[EmisPerson] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for _item, result in self.results if result.status == status)


def persons_apply_many(
    *,
    legal_entity_id: int,
    items: Sequence[EmisPerson],
    source: str,
    user=None,
    policy=None,
) -> ManyResult:
    """Apply a page of Persons in one transaction with a bounded number of
    queries: all rows locked (in id order, so two writers cannot deadlock)
    and their documents loaded in one go, then bulk writes. An item naming a
    merged person's ID lands on the survivor."""
    owners = person_ids_resolve(item.pms_person_id for item in items)
    erased = persons_erased(owners.values())
    ids = sorted(set(owners.values()) - erased)
    with transaction.atomic():
        persons = Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        by_id = {p.pk: p for p in persons}
        # One line per person would flood the log during a full sync: the
        # caller logs a summary per page, the details are in the history.
        batch = _Batch(
            source=source,
            user=user,
            resolve=_resolver(legal_entity_id, policy),
            log_level=logging.DEBUG,
        )
        batch.load(list(by_id.values()), items)
        batch.aliases.load(pid for pid, owner in owners.items() if pid != owner)
        outcome = ManyResult(results=[], unknown=[])
        for item in items:
            person = by_id.get(owners[item.pms_person_id])
            if owners[item.pms_person_id] in erased:
                outcome.erased.append(item)
            elif person is None:
                outcome.unknown.append(item)
            else:
                outcome.results.append((item, batch.apply(person, item)))
        batch.save()
    return outcome


def _is_stale(state: Person | PersonAlias, data: EmisPerson) -> bool:
    return state.emis_version is not None and data.version < state.emis_version


def _resolver(legal_entity_id: int, policy) -> Resolver:
    """The name policy, read from the database once per batch."""
    if policy is None:
        policy = name_policy.policy_for(legal_entity_id)
    return lambda latin, cyrillic: name_policy.resolve_names_with(
        policy, latin=latin, cyrillic=cyrillic
    )


class _Batch(RecordPlanning):
    def __init__(self, *, source: str, user, resolve: Resolver, log_level=logging.INFO):
        self.source = source
        self.log_level = log_level
        self.user = user if user is not None and user.is_authenticated else None
        self.resolve = resolve
        self.persons = bulk_sql.Pending(Person)
        self.documents = bulk_sql.Pending(IdentityDocument)
        self.visas = bulk_sql.Pending(Visa)
        self.cards = bulk_sql.Pending(MigrationCard)
        self.history: list[tuple] = []  # (person_id, field, old, new, sensitive)
        self.conflicts: list[conflicts.Found] = []
        # Fields staff decided to keep against a given EMIS value.
        self._kept: dict[tuple, str] = {}
        # In-memory related rows by person id, so a person twice in one page
        # sees the documents created for it earlier in the same batch.
        self._docs: dict[int, list[IdentityDocument]] = {}
        self._visas: dict[int, list[Visa]] = {}
        self._cards: dict[int, MigrationCard] = {}
        self.aliases = AliasVersions()  # data sent for a merged person's ID

    def load(self, persons: Sequence[Person], items: Sequence[EmisPerson]) -> None:
        """The documents, visas and migration cards of ``persons`` that
        ``items`` may match: one query per kind the items carry at all (a
        Russian citizen's data has no visa and no migration card).

        Grouped here instead of by ``prefetch_related_objects``, which builds
        a related manager and queryset per person and relation: for a sync
        page that cost more than the queries themselves.
        """
        ids = [p.pk for p in persons]
        self._kept.update(conflicts.kept_against(person_ids=ids))
        self._docs.update({pk: [] for pk in ids})
        self._visas.update({pk: [] for pk in ids})
        if any(item.documents for item in items):
            for doc in bulk_sql.select_in(IdentityDocument, "person", ids):
                self._docs[doc.person_id].append(doc)
        if any(item.visas for item in items):
            for visa in bulk_sql.select_in(Visa, "person", ids):
                self._visas[visa.person_id].append(visa)
        if any(item.migration_card is not None for item in items):
            self._cards.update(
                (card.person_id, card)
                for card in bulk_sql.select_in(MigrationCard, "person", ids)
            )

    # --- planning ------------------------------------------------------------

    def apply(self, person: Person, data: EmisPerson) -> ApplyResult:
        state = self.aliases.state(person, data)
        if _is_stale(state, data):
            result = ApplyResult(STALE)
        else:
            digest = data.content_hash
            changes: list[Change] = []
            if digest != state.emis_content_hash:
                changes = [
                    *self._person_fields(person, data),
                    *self._documents(person, data),
                    *self._visa_list(person, data),
                    *self._card(person, data),
                ]
            elif self.source == "pull":
                # Same data, but the operator asked for it explicitly: the main
                # names follow the policy in force now, so a policy switched
                # since the last delivery shows on the next "Получить данные".
                changes = self._main_names(person)
            met = [f for f in self.conflicts if f.person_id == person.pk]
            self._bookkeeping(state, data, digest)
            self._record(person, changes)
            result = ApplyResult(
                APPLIED if changes or met else UNCHANGED,
                [c.key for c in changes],
                [f.change.key for f in met],
            )
        log.log(
            self.log_level,
            "person_id=%s status=%s source=%s changed=%s",
            person.pk,
            result.status,
            self.source,
            ",".join(map(masked_key, result.changed_fields)) or "-",
        )
        return result

    def _bookkeeping(self, state, data: EmisPerson, digest: str) -> None:
        state.emis_version = data.version
        state.emis_content_hash = digest
        state.emis_updated_at = data.updated_at
        if not self.aliases.remember(state):
            self.persons.mark(state, [], EMIS_STATE)

    def _person_fields(self, person: Person, data: EmisPerson) -> list[Change]:
        latin, cyrillic = data.names("latin"), data.names("cyrillic")
        changes: list[Change] = []
        for part in NAME_PARTS:
            # Both scripts as the document gave them, never made from each
            # other; a null keeps a form typed while EMIS never gave one.
            for script, values in (("latin", latin), ("cyrillic", cyrillic)):
                name = f"{part}_{script}"
                if values[part] is None and self._told_not_printed(person, name):
                    continue
                changes += self._set(person, name, values[part] or "")
        changes += self._main_names(person, mark=False)
        changes += self._set(person, "sex", data.sex)
        changes += self._set(person, "citizenship", data.citizenship)
        # A document that prints no birth date/place (many foreign passports
        # omit the place) must not erase what the guest told the front desk;
        # EMIS having given nothing is remembered, so a value staff type
        # later meets a later EMIS value as a conflict, not a silent revert.
        for name in ("birth_date", "birth_place"):
            value = getattr(data, name)
            if value is not None:
                changes += self._set(person, name, value)
            elif conflicts.remember(person, name, ""):
                self._mark_values(person)
        self.persons.mark(person, changes, [c.field for c in changes])
        return changes

    def _told_not_printed(self, person: Person, part: str) -> bool:
        """A name part or form the document does not print (a patronymic, the
        Latin MUELLER) while EMIS never gave one: what the desk typed stays,
        as with the birth place. After a value EMIS gave, null clears it."""
        if not getattr(person, part) or (person.emis_values or {}).get(part):
            return False
        if conflicts.remember(person, part, ""):
            self._mark_values(person)
        return True

    def _set(self, person: Person, name: str, new: Any) -> list[Change]:
        """Set a person field from EMIS, unless staff changed it after EMIS's
        previous value: then the profile keeps it and it is a conflict."""
        return self._set_fields(person, {name: new}, person_change)

    def _set_fields(self, obj, values: dict[str, Any], as_change) -> list[Change]:
        """``as_change(name, old, new)`` makes the history's ``Change``."""
        changes = []
        for name, new in values.items():
            decision = conflicts.decide(obj, name, new)
            if decision is conflicts.Decision.CONFLICT:
                self._conflict(obj, as_change(name, getattr(obj, name), new))
                continue
            if conflicts.remember(obj, name, new):
                self._mark_values(obj)
            if decision is conflicts.Decision.APPLY:
                old = getattr(obj, name)
                setattr(obj, name, new)
                changes.append(as_change(name, old, new))
        return changes

    def _conflict(self, obj, change: Change) -> None:
        person_id = obj.pk if isinstance(obj, Person) else obj.person_id
        key = (person_id, change.entity, change.entity_id or 0, change.field)
        if self._kept.get(key) != as_text(change.new):
            self.conflicts.append(conflicts.Found(person_id, change))

    def _mark_values(self, obj) -> None:
        pending = {
            Person: self.persons,
            IdentityDocument: self.documents,
            Visa: self.visas,
            MigrationCard: self.cards,
        }[type(obj)]
        pending.mark(obj, [], ["emis_values"])

    def _main_names(self, person: Person, *, mark: bool = True) -> list[Change]:
        """The main name fields under the name policy, and which were derived.

        ``mark`` (a re-pull of unchanged data, for a policy switched since):
        only the policy's own parts are rewritten, never one staff typed."""
        # From the forms stored now, like a re-apply: kept ones are the profile's.
        resolved = self.resolve(*name_policy.stored_forms(person))
        sources = dict(person.name_sources or {})
        changes: list[Change] = []
        for part in NAME_PARTS:
            value = (resolved.main.get(part) or "")[:_MAX_FIELD]
            if part == "surname" and not value:
                continue  # a profile always keeps a surname
            if not value and self._told_not_printed(person, part):
                continue
            if sources.get(part) == "staff" and (mark or part in resolved.transliterated):
                # A typed name is never replaced (nor contested) by the
                # PMS's own transliteration guess: only a name the document
                # gives in this script can meet it, as a conflict.
                continue
            applied = self._set(person, part, value)
            if value and getattr(person, part) == value:
                derived = part in resolved.transliterated
                sources[part] = "policy" if derived else "emis"
            changes += applied
        typed = [p for p in NAME_PARTS if sources.get(p) == "staff"]
        transliterated = [
            p for p in NAME_PARTS if p in resolved.transliterated and p not in typed
        ]
        changes += self._set(person, "transliterated_parts", transliterated)
        if sources != (person.name_sources or {}):
            person.name_sources = sources
            self.persons.mark(person, [], ["name_sources"])
        if mark:
            self.persons.mark(person, changes, [c.field for c in changes])
        return changes

    def _record(self, person: Person, changes: list[Change]) -> None:
        # Plain tuples, not PersonChange objects: thousands per sync page.
        self.history += [
            (
                person.pk,
                c.entity,
                c.entity_id,
                c.label,
                c.field,
                as_text(c.old),
                as_text(c.new),
                c.sensitive,
            )
            for c in changes
        ]

    # --- writing ---------------------------------------------------------------

    def save(self) -> None:
        now = timezone.now()
        conflicts.conflicts_record(self.conflicts)
        self.persons.save(now)
        for dirty in (self.documents, self.visas, self.cards):
            dirty.save(now)
        self.aliases.save()
        self._save_history(now)

    def _save_history(self, now) -> None:
        # The rows reservations.services.history_record writes, for many
        # persons in one statement. Only the timestamp needs preparing for
        # the database; the rest are ints, strings and booleans.
        get = PersonChange._meta.get_field
        names = ("person", "entity", "entity_id", "entity_label", "field")
        fields = [get(n) for n in (*names, "old_value", "new_value", "sensitive")]
        created_at = get("created_at").get_db_prep_save(now, connection)
        user_id = self.user.pk if self.user is not None else None
        # Written once per statement, not once per row.
        constants = [
            (get("source"), self.source),
            (get("user"), user_id),
            (get("created_at"), created_at),
        ]
        bulk_sql.insert_rows(PersonChange, fields, self.history, constants=constants)
