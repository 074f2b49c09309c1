"""THE erasure of a person's personal data, for the retention rule
(``retention.py``: the daily task and ``manage.py purge_personal_data``) and
for a request (the API and the card's button).

What stays: the person ID (the key EMIS and the hotel's books share), the
stays with their dates, the change history's rows without their values
(which field changed, when, by whom), EMIS's bookkeeping (delivery log
rows, job outcomes, the version that orders deliveries) and an erasure
record saying when, by which rule or whom, and why. Everything else that
describes the guest goes from every table that holds it: names (the
surname, which the profile requires, becomes ``PLACEHOLDER``), sex,
citizenship, birth date and place, contacts, address, notes, documents,
visas, the migration card, what EMIS last sent (``emis_values``), the old
and new values of history rows, EMIS conflicts, the fields EMIS jobs
changed, and the object names the Django admin logged.

Works on a batch of persons with a fixed number of statements whatever its
size, under the persons' row locks, so an EMIS delivery or a staff save
running at the same moment is serialised with it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from emis.models import EmisConflict, EmisJob
from legal_entities.models import LegalEntity
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonAlias,
    PersonChange,
    Reservation,
    Stay,
    Visa,
)

from .models import PersonErasure
from .selectors import (
    ERASED_TEXT_FIELDS,
    PLACEHOLDER,
    holds_personal_data,
    persons_with_open_stay,
)

log = logging.getLogger("personal_data.erasure")

HAS_OPEN_STAY = "person_has_current_stay"
ALREADY_ERASED = "already_erased"
REASON_MAX = 2000

# Every field of a person that describes the guest, and its erased value.
PERSON_ERASED = {
    "surname": PLACEHOLDER,
    **dict.fromkeys(ERASED_TEXT_FIELDS, ""),
    "transliterated_parts": [],
    "name_sources": {},
    "birth_date": None,
    "emis_values": {},
    # A hash of the guest's data confirms a guess of it: it goes too. The
    # version stays: it still orders whatever EMIS sends if the guest comes
    # again.
    "emis_content_hash": "",
}


class ErasureRefused(ValueError):
    """The person has a current or future stay: their data is still needed
    for it (the migration notices, the stay itself)."""

    code = HAS_OPEN_STAY

    def __init__(self) -> None:
        self.message = _(
            "The guest has a current or future stay: their personal data is "
            "needed for it and cannot be erased until it has ended."
        )
        super().__init__(self.message)


class AlreadyErased(ErasureRefused):
    """The person holds no personal data: erased before, nothing typed in
    since. A second record would only add a reason for erasing nothing."""

    code = ALREADY_ERASED

    def __init__(self) -> None:
        self.message = _(
            "The guest's personal data was already erased and nothing was "
            "entered since: there is nothing to erase."
        )
        ValueError.__init__(self, self.message)


@dataclass(frozen=True)
class Rule:
    """Why a batch is erased: a request (who, their reason) or a legal
    entity's retention period."""

    rule: str
    user: object = None
    reason: str = ""
    legal_entity: LegalEntity | None = None

    @classmethod
    def request(cls, *, user, reason: str) -> Rule:
        reason = (reason or "").strip()
        if not reason:
            raise ValueError(_("Say why the data is erased."))
        return cls(PersonErasure.Rule.REQUEST, user=user, reason=reason[:REASON_MAX])

    @classmethod
    def retention(cls, legal_entity: LegalEntity) -> Rule:
        return cls(PersonErasure.Rule.RETENTION, legal_entity=legal_entity)


def person_erase(*, person_id: int, user, reason: str) -> PersonErasure:
    """Erase one person's data now, on a request. ``ErasureRefused`` while
    they have a current or future stay; ``AlreadyErased`` when they hold no
    personal data; ``Person.DoesNotExist``; ValueError without a reason."""
    rule = Rule.request(user=user, reason=reason)
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk=person_id)
        if not locked.exists():
            raise Person.DoesNotExist
        if not locked.filter(holds_personal_data()).exists():
            raise AlreadyErased
        erased = persons_erase(person_ids=[person_id], rule=rule)
    if not erased:
        raise ErasureRefused
    return erased[0]


def persons_erase(*, person_ids: Sequence[int], rule: Rule) -> list[PersonErasure]:
    """Erase the data of ``person_ids`` (one transaction, row locks in ID
    order) except those with a current or future stay, checked under the
    lock: a stay booked meanwhile keeps its guest's data. Returns the
    erasure records written."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk__in=list(person_ids))
        contacts = {
            pk: (phone, email)
            for pk, phone, email in locked.order_by("pk").values_list(
                "pk", "phone", "email"
            )
        }
        ids = sorted(set(contacts) - persons_with_open_stay(contacts))
        if not ids:
            return []
        now = timezone.now()
        _erase_rows(ids, [contacts[pk] for pk in ids], now)
        records = PersonErasure.objects.bulk_create(
            _record(pk, until, rule, now) for pk, until in _stays_until(ids).items()
        )
    log.info(
        "personal data erased: persons=%s rule=%s legal_entity=%s",
        len(records),
        rule.rule,
        rule.legal_entity.pk if rule.legal_entity else "-",
    )
    return records


def _stays_until(ids: list[int]) -> dict[int, dt.date | None]:
    ends = dict(
        Stay.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(end=Max("registration_to"))
        .values_list("person_id", "end")
    )
    return {pk: ends.get(pk) for pk in ids}


def _record(pk: int, until, rule: Rule, now) -> PersonErasure:
    entity = rule.legal_entity
    return PersonErasure(
        person_id=pk,
        erased_at=now,
        rule=rule.rule,
        user=rule.user if getattr(rule.user, "is_authenticated", False) else None,
        legal_entity=entity,
        retention_days=entity.personal_data_retention_days if entity else None,
        stays_until=until,
        reason=rule.reason,
    )


def _erase_rows(ids: list[int], contacts: list[tuple[str, str]], now) -> None:
    """Every table holding the guest's data, a statement or two each."""
    for model in (IdentityDocument, Visa, MigrationCard, EmisConflict):
        model.objects.filter(person_id__in=ids).delete()
    Person.objects.filter(pk__in=ids).update(**PERSON_ERASED, updated_at=now)
    PersonChange.objects.filter(person_id__in=ids).update(
        old_value="", new_value="", entity_label=""
    )
    # Keys such as "documents[passport_rf 4510 ****56].number" name a series.
    EmisJob.objects.filter(person_id__in=ids).update(
        changed_fields=[], conflict_fields=[]
    )
    PersonAlias.objects.filter(person_id__in=ids).update(emis_content_hash="")
    Stay.objects.filter(person_id__in=ids).update(note="", updated_at=now)
    _erase_reservation_contacts(ids, contacts, now)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=Concat(Value("#"), "object_id"))


def _erase_reservation_contacts(ids: list[int], contacts, now) -> None:
    """A reservation's phone or e-mail that is the guest's own (the guest
    booked it) goes; a booker's other contacts are the booker's."""
    stays = Reservation.objects.filter(stays__person_id__in=ids)
    for name, values in (
        ("phone", {c[0] for c in contacts}),
        ("email", {c[1] for c in contacts}),
    ):
        values.discard("")
        if values:
            stays.filter(**{f"{name}__in": values}).update(**{name: ""}, updated_at=now)
