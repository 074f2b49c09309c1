"""Document checks shown on the guest card and as a stay's ``warnings``.

Each check compares the person's papers with the stay's registration dates
(``registration_from`` .. ``registration_to``, the dates the notice to the
migration authorities declares). A document is valid up to and including its
expiry date. They are one set, judged here and shown the same everywhere: the
guest card, the Гости tab, the arrivals board and the API. Codes:

- ``citizenship_unknown``: no citizenship yet, so whether a migration
  notice is due is open (``deadlines.notice_needed`` is None); never ready.
- ``no_identity_document``: the person has no identity document at all
  (nothing scanned or typed yet); such a guest is never ready.
- ``document_expired``: every identity document expired before arrival
  (expiry < registration_from); the latest one is named. A document with no
  expiry date (the internal passport as EMIS sends it) never expires here.
- ``document_expires_during_stay``: the best document expires on a day of
  the stay before departure (registration_from <= expiry < registration_to).
- ``visa_not_valid_for_stay``: a foreigner (citizenship set and not RUS)
  from a state whose citizens need a visa, none of whose visas runs from
  on or before arrival to on or after departure; the closest visas are named.
  A visa with no end date proves nothing. A residence permit or temporary
  residence permit valid through departure replaces the visa.
- ``migration_card_missing``: a foreigner with no migration card, unless the
  citizenship is in ``NO_MIGRATION_CARD`` or a residence permit covers the
  stay (residents have no migration card).
- ``migration_card_expires_during_stay``: the migration card's validity
  ends before departure (valid_to < registration_to; valid through its last
  day, like a document).
- ``name_transliterated``: part of the name was derived by transliteration.
- ``name_not_in_policy_script``: part of the main name is in the other
  script than the name policy's (typed by staff, which a re-apply keeps);
  the text says whether a spelling in the policy's script is known, and
  which (see ``name_scripts.py``).

The two name warnings do not stop a guest being ready: they are information,
the documents can be filed all the same. Everything is read from
``stay.person`` with its prefetched ``documents``, ``visas`` and joined
``migration_card``, so a prefetched stay costs no query; the policy's script
(``name_scripts.policy_scripts``, one lookup for a page's legal entities) is
given by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from . import deadlines
from .countries import NO_MIGRATION_CARD
from .models import NAME_PARTS, DocumentKind, Person
from .name_scripts import name_script_message

# Citizens of these states enter Russia without a visa: the CIS visa-free
# agreements (Abkhazia and South Ossetia also, but they have no ISO code).
# Deliberately short: a missing state only causes a warning to check, while a
# wrong entry would hide a real problem. The ICAO codes (stateless, refugee,
# United Nations... see ``countries.ICAO_SPECIAL_CODES``) need papers and are
# not here.
VISA_NOT_REQUIRED = frozenset({"ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "TJK", "UZB"})

RESIDENCE_PERMITS = frozenset(
    {DocumentKind.RESIDENCE_PERMIT, DocumentKind.TEMPORARY_RESIDENCE_PERMIT}
)

NAME_NOT_IN_POLICY_SCRIPT = "name_not_in_policy_script"
# Warnings that do not stop a guest from being registered: the name is
# there, staff only need to glance at its spelling or script.
NON_BLOCKING = frozenset({"name_transliterated", NAME_NOT_IN_POLICY_SCRIPT})

_NAMED_VISAS = 3
CITIZENSHIP_UNKNOWN = "citizenship_unknown"


@dataclass(frozen=True)
class StayWarning:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class StayChecks:
    """A stay judged once: its warnings and whether it is ready."""

    warnings: list[StayWarning]
    ready: bool


def stay_checks(
    stay,
    *,
    name_script: str | None,
    documents: list | None = None,
    visas: list | None = None,
) -> StayChecks:
    """The checks every page and the API show for a stay (no query when
    prefetched, or given the person's papers, as ``stay_warnings``).
    ``name_script``: the name policy's script for the stay's legal entity
    (``name_scripts.policy_scripts``)."""
    warnings = stay_warnings(
        stay, name_script=name_script, documents=documents, visas=visas
    )
    return StayChecks(warnings, stay_is_ready(stay, warnings, documents=documents))


def stay_warnings(
    stay,
    *,
    name_script: str | None = None,
    documents: list | None = None,
    visas: list | None = None,
) -> list[StayWarning]:
    """Warnings for one stay. Reads ``stay.person`` with its ``documents``,
    ``visas`` and ``migration_card`` — prefetch them (see
    ``reservations.selectors``) and this makes no query. A caller that read
    the person's documents and visas itself passes them as lists. Without
    ``name_script`` the name's script is not judged."""
    person = stay.person
    start, end = stay.registration_from, stay.registration_to
    if documents is None:
        documents = list(person.documents.all())
    warnings = [
        *_citizenship_warnings(person),
        *_document_warnings(documents, start, end),
    ]
    if person.is_foreigner and not _residence_permit_covers(documents, end):
        warnings += _visa_warnings(person, start, end, visas)
        warnings += _migration_card_warnings(person, end)
    warnings += _name_warnings(person, name_script)
    return warnings


def stay_is_ready(
    stay,
    warnings: Iterable[StayWarning] | None = None,
    *,
    documents: list | None = None,
) -> bool:
    """Ready for registration: at least one identity document (its absence
    is the warning ``no_identity_document`` too) and no warning other than the
    name's (``NON_BLOCKING``)."""
    if warnings is None:
        warnings = stay_warnings(stay, documents=documents)
    if documents is None:
        documents = stay.person.documents.all()
    return bool(documents) and all(w.code in NON_BLOCKING for w in warnings)


def reservation_readiness(stays: Iterable) -> tuple[int, int]:
    """``(ready, total)`` over a reservation's stays (prefetched as above)."""
    stays = list(stays)
    return sum(1 for stay in stays if stay_is_ready(stay)), len(stays)


# --- Citizenship ------------------------------------------------------------


def _citizenship_warnings(person: Person) -> list[StayWarning]:
    if deadlines.notice_needed(person.citizenship) is not None:
        return []
    # Not "no notice needed": the question stays open until it is known.
    return [StayWarning(CITIZENSHIP_UNKNOWN, _("Citizenship not set"))]


# --- Identity documents -------------------------------------------------------


def _document_warnings(documents, start: dt.date, end: dt.date) -> list[StayWarning]:
    if not documents:
        # Said, not left blank: an empty checks cell read as "nothing wrong".
        message = _("No identity document on file")
        return [StayWarning("no_identity_document", message)]
    best = max(documents, key=lambda d: d.expiry_date or dt.date.max)
    expiry = best.expiry_date
    if expiry is None or expiry >= end:
        return []
    values = {"document": _kind_label(best.kind), "date": _date(expiry)}
    if expiry < start:
        return [
            StayWarning(
                "document_expired",
                _("%(document)s expired on %(date)s, before arrival") % values,
            )
        ]
    values["until"] = _date(end)
    return [
        StayWarning(
            "document_expires_during_stay",
            _("%(document)s expires on %(date)s, during the stay (until %(until)s)")
            % values,
        )
    ]


def _kind_label(kind: str) -> str:
    # As get_kind_display(): the Гости tab hands the checks its documents'
    # values, not model objects (reservations.selectors.TabDocument).
    return str(DocumentKind(kind).label) if kind in DocumentKind.values else kind


def _residence_permit_covers(documents, end: dt.date) -> bool:
    return any(
        d.kind in RESIDENCE_PERMITS and (d.expiry_date is None or d.expiry_date >= end)
        for d in documents
    )


# --- Visa and migration card -------------------------------------------------


def _visa_warnings(
    person: Person, start: dt.date, end: dt.date, visas: list | None
) -> list[StayWarning]:
    if person.citizenship.upper() in VISA_NOT_REQUIRED:
        return []
    if visas is None:
        visas = list(person.visas.all())
    if any(_visa_covers(v, start, end) for v in visas):
        return []
    stay = _period(start, end)
    if not visas:
        message = _("No visa on file for the stay %(stay)s") % {"stay": stay}
    else:
        closest = sorted(visas, key=lambda v: _visa_distance(v, start, end))
        named = "; ".join(_visa_text(v) for v in closest[:_NAMED_VISAS])
        message = _("No visa covers the stay %(stay)s. Visas on file: %(visas)s") % {
            "stay": stay,
            "visas": named,
        }
    return [StayWarning("visa_not_valid_for_stay", message)]


def _visa_covers(visa, start: dt.date, end: dt.date) -> bool:
    if visa.valid_to is None:
        return False
    return (
        visa.valid_from is None or visa.valid_from <= start
    ) and visa.valid_to >= end


def _visa_distance(visa, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Days between the visa and the stay (0 when they overlap), the latest
    visa first among equals."""
    vfrom = visa.valid_from or dt.date.min
    vto = visa.valid_to or vfrom
    if vto < start:
        gap = (start - vto).days
    elif vfrom > end:
        gap = (vfrom - end).days
    else:
        gap = 0
    return gap, -vto.toordinal()


def _visa_text(visa) -> str:
    period = _period(visa.valid_from, visa.valid_to)
    return f"{period} ({visa.category})" if visa.category else period


def _migration_card_warnings(person: Person, end: dt.date) -> list[StayWarning]:
    if person.citizenship.upper() in NO_MIGRATION_CARD:
        return []
    try:
        card = person.migration_card  # cached by select_related
    except Person.migration_card.RelatedObjectDoesNotExist:
        message = _("No migration card on file")
        return [StayWarning("migration_card_missing", message)]
    if card.valid_to is not None and card.valid_to < end:
        values = {"date": _date(card.valid_to), "until": _date(end)}
        message = (
            _(
                "The migration card is valid until %(date)s, before departure "
                "(%(until)s)"
            )
            % values
        )
        return [StayWarning("migration_card_expires_during_stay", message)]
    return []


# --- Names ------------------------------------------------------------------


def _name_warnings(person: Person, name_script: str | None) -> list[StayWarning]:
    warnings = []
    parts = [p for p in NAME_PARTS if p in (person.transliterated_parts or [])]
    if parts:
        labels = ", ".join(str(Person._meta.get_field(p).verbose_name) for p in parts)
        message = _("Transliterated automatically, please check: %(parts)s") % {
            "parts": labels
        }
        warnings.append(StayWarning("name_transliterated", message))
    script_message = name_script_message(person, name_script)
    if script_message:
        warnings.append(StayWarning(NAME_NOT_IN_POLICY_SCRIPT, script_message))
    return warnings


def _date(value: dt.date | None) -> str:
    # The language's short date (дд.мм.гггг in Russian), as the pages show.
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{_date(start)}–{_date(end)}"
