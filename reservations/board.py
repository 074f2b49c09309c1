"""The arrivals board: who arrives, stays and leaves on a day, with their
papers and the migration notices' deadlines (reads only).

A guest (a stay) is on the board of a day when their registration covers it:
*arriving* on the first day, *departing* on the last, *in house* between (a
one-day stay is arriving); and the day after its last, as *departed
yesterday*: their departure notice is due that day by 12:00. A foreign guest
who left before that still has the arrival notice due on the day when it
falls after the stay (arrived on Friday, left on Saturday: due on Monday):
such a stay is on that day's board as *left earlier*. Cancelled
reservations are left out. Each guest is
judged by ``checks.stay_checks`` and given the deadlines of
``deadlines.py``; the board shows the one its list is about:

- arriving: the arrival notice;
- in house: the arrival notice while it can still be due (on or after the
  board's day: a guest who came last night is due today) or, once passed,
  while the guest's documents are not ready; else the departure notice;
- departing: the departure notice, or the arrival notice when it is due on
  the board's day, or has passed and the documents are still not ready;
- departed yesterday: the departure notice (due on the board's day), and
  beside it the arrival notice while it is open (due that day, or passed
  with the documents not ready: Friday to Sunday, seen on Monday);
- left earlier: the arrival notice (due on the board's day).

The PMS does not see whether EMIS has filed a notice: *ready* documents are
what EMIS needs to file it, so a passed arrival notice of a guest whose
documents are ready is taken as dealt with, and one whose documents are not
ready stays red ("overdue") on every board until they are. A guest with no
citizenship has an open question, not "no notice": the checks' warning
``citizenship_unknown`` (never ready; the card and the Гости tab show it
too) and no deadline.

The stays of a day are one query (those who left earlier with them: their
days of arrival are worked out first, ``deadlines.arrivals_due_on``), their
documents and visas two more, the name policies of their legal entities
one: a board of 200 guests costs what a board of one does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Trim, Upper
from django.utils import timezone

from . import deadlines
from .checks import StayWarning, stay_checks
from .countries import country_name
from .models import Person, Reservation, Stay
from .name_scripts import policy_scripts
from .selectors import GUEST_RELATED


class BoardList(StrEnum):
    ARRIVING = "arriving"
    IN_HOUSE = "in_house"
    DEPARTING = "departing"
    DEPARTED = "departed"  # yesterday: the departure notice is due today
    # Before yesterday, the arrival notice due today (Friday to Saturday,
    # seen on Monday).
    LEFT_EARLIER = "left_earlier"


LIST_ORDER = (
    BoardList.ARRIVING,
    BoardList.IN_HOUSE,
    BoardList.DEPARTING,
    BoardList.DEPARTED,
    BoardList.LEFT_EARLIER,
)


class DocState(StrEnum):
    READY = "ready"
    WARNINGS = "warnings"
    NOTHING = "nothing"  # no identity document yet


@dataclass(frozen=True)
class BoardGuest:
    stay: Stay
    list: BoardList
    warnings: list[StayWarning]
    ready: bool
    arrival_notice_due: dt.datetime | None
    departure_notice_due: dt.datetime | None
    # Whether the guest needs a migration notice; None while the
    # citizenship is unknown.
    notice_needed: bool | None
    # The notice this guest's list is about, and how it stands now.
    deadline: dt.datetime | None
    urgency: deadlines.Urgency | None
    # Left yesterday with the arrival notice still open (due today, or passed
    # with the documents not ready: Friday to Sunday, seen on Monday): shown
    # beside the departure notice.
    arrival_also: dt.datetime | None = None
    arrival_also_urgency: deadlines.Urgency | None = None

    @property
    def person(self) -> Person:
        return self.stay.person

    @property
    def citizenship_name(self) -> str:
        return country_name(self.stay.person.citizenship)

    @property
    def doc_state(self) -> DocState:
        if self.ready:
            return DocState.READY
        if not self.stay.person.documents.all():
            return DocState.NOTHING
        return DocState.WARNINGS

    @property
    def deadline_kind(self) -> str:
        if self.deadline is None:
            return ""
        return "arrival" if self.deadline == self.arrival_notice_due else "departure"


@dataclass
class BoardReservation:
    reservation: Reservation
    guests: list[BoardGuest] = field(default_factory=list)


@dataclass
class BoardSection:
    key: BoardList
    reservations: list[BoardReservation] = field(default_factory=list)

    @property
    def guest_count(self) -> int:
        return sum(len(r.guests) for r in self.reservations)


@dataclass(frozen=True)
class BoardSummary:
    due_today: int  # guests whose notice is due on the board's day
    due_today_not_ready: int
    due_today_passed: int  # of those, the ones whose moment has passed
    overdue: int  # every passed notice on the board, whatever its day

    @property
    def due_today_all_passed(self) -> bool:
        """Every notice of the day has passed (shown red, not amber)."""
        return bool(self.due_today) and self.due_today_passed == self.due_today


@dataclass(frozen=True)
class Board:
    day: dt.date
    sections: list[BoardSection]
    summary: BoardSummary

    @property
    def guests(self) -> list[BoardGuest]:
        return [g for s in self.sections for r in s.reservations for g in r.guests]


def board_stays(day: dt.date) -> QuerySet[Stay]:
    """The stays on the board of ``day``, in the board's order, with all that
    the checks read (select_related and two prefetches)."""
    yesterday = day - dt.timedelta(days=1)
    on_board = Q(registration_from__lte=day, registration_to__gte=yesterday)
    # Gone before yesterday, the arrival notice due on ``day``: foreigners
    # (the citizenship set and not exempt) who arrived on one of its days.
    left_earlier = Q(
        registration_from__in=deadlines.arrivals_due_on(day),
        registration_to__lt=yesterday,
    ) & ~Q(citizenship_code__in=[*deadlines.exempt_citizenships(), ""])
    return (
        Stay.objects.alias(citizenship_code=Upper(Trim("person__citizenship")))
        .filter(on_board | left_earlier)
        .exclude(reservation__status=Reservation.Status.CANCELLED)
        .select_related(
            "person",
            "person__migration_card",
            "reservation",
            "reservation__legal_entity",
        )
        .prefetch_related(*GUEST_RELATED)
        .annotate(
            board_order=Case(
                When(registration_to__lt=yesterday, then=Value(4)),
                When(registration_to=yesterday, then=Value(3)),
                When(registration_from=day, then=Value(0)),
                When(registration_to=day, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("board_order", "reservation_id", "id")
    )


def stay_list(stay: Stay, day: dt.date) -> BoardList:
    if stay.registration_to < day - dt.timedelta(days=1):
        return BoardList.LEFT_EARLIER
    if stay.registration_to < day:
        return BoardList.DEPARTED
    if stay.registration_from == day:
        return BoardList.ARRIVING
    if stay.registration_to == day:
        return BoardList.DEPARTING
    return BoardList.IN_HOUSE


def board_guest(
    stay: Stay,
    *,
    day: dt.date,
    now: dt.datetime,
    swaps: dict[dt.date, bool] | None = None,
    name_script: str | None = None,
) -> BoardGuest:
    """One guest of the board of ``day``; deadlines judged at ``now``;
    ``name_script``: the name policy's for the stay's legal entity."""
    # No citizenship: the checks' ``citizenship_unknown``, and no deadline.
    checks = stay_checks(stay, name_script=name_script)
    notice_needed = deadlines.notice_needed(stay.person.citizenship)
    arrival_due = departure_due = None
    if notice_needed:
        arrival_due = deadlines.arrival_notice_due(stay.registration_from, swaps=swaps)
        departure_due = deadlines.departure_notice_due(stay.registration_to)
    which = stay_list(stay, day)
    ready = checks.ready
    shown = _shown_deadline(which, day, arrival_due, departure_due, ready=ready)
    also = None
    if which is BoardList.DEPARTED:
        also = _open_arrival_notice(day, arrival_due, ready=ready)
    return BoardGuest(
        stay=stay,
        list=which,
        warnings=checks.warnings,
        ready=ready,
        arrival_notice_due=arrival_due,
        departure_notice_due=departure_due,
        notice_needed=notice_needed,
        deadline=shown,
        urgency=deadlines.urgency(shown, now=now) if shown else None,
        arrival_also=also,
        arrival_also_urgency=deadlines.urgency(also, now=now) if also else None,
    )


def _open_arrival_notice(
    day: dt.date, arrival_due: dt.datetime | None, *, ready: bool
) -> dt.datetime | None:
    """The arrival notice if it is due on ``day``, or passed while the
    documents are not ready (EMIS cannot have filed it)."""
    if arrival_due is None:
        return None
    due_day = arrival_due.astimezone(timezone.get_default_timezone()).date()
    return arrival_due if due_day == day or (due_day < day and not ready) else None


def _shown_deadline(
    which: BoardList,
    day: dt.date,
    arrival_due: dt.datetime | None,
    departure_due: dt.datetime | None,
    *,
    ready: bool,
) -> dt.datetime | None:
    if which is BoardList.DEPARTED or arrival_due is None:
        return departure_due
    if which is BoardList.LEFT_EARLIER:
        return arrival_due
    if which is BoardList.ARRIVING:
        return arrival_due
    local = timezone.get_default_timezone()
    due_day = arrival_due.astimezone(local).date()
    # Passed with the documents not ready: EMIS cannot have filed it.
    unfiled = due_day < day and not ready
    if which is BoardList.DEPARTING:
        # Due today (Friday to Monday, seen on Monday) comes before
        # tomorrow's departure notice.
        return arrival_due if due_day == day or unfiled else departure_due
    return arrival_due if due_day >= day or unfiled else departure_due


def board_rows(
    stays, *, day: dt.date, now: dt.datetime | None = None
) -> list[BoardGuest]:
    """The guests of ``stays`` (from ``board_stays(day)``) as board rows."""
    now = now or timezone.now()
    swaps = deadlines.workday_swaps()
    stays = list(stays)
    scripts = policy_scripts({s.reservation.legal_entity_id for s in stays})
    return [
        board_guest(
            s,
            day=day,
            now=now,
            swaps=swaps,
            name_script=scripts.get(s.reservation.legal_entity_id),
        )
        for s in stays
    ]


def arrivals_board(day: dt.date, *, now: dt.datetime | None = None) -> Board:
    """The board of ``day``: five lists of reservations with their guests."""
    sections = {key: BoardSection(key) for key in LIST_ORDER}
    guests = board_rows(board_stays(day), day=day, now=now)
    for guest in guests:
        groups = sections[guest.list].reservations
        # The stays come ordered by list, then reservation: one group each.
        if not groups or groups[-1].reservation.pk != guest.stay.reservation_id:
            groups.append(BoardReservation(guest.stay.reservation))
        groups[-1].guests.append(guest)
    summary = _summary(guests, day)
    return Board(day=day, sections=list(sections.values()), summary=summary)


def _summary(guests: list[BoardGuest], day: dt.date) -> BoardSummary:
    """Due on the board's day — passed or not: a past day's notices, or
    today's departure notices after 12:00, were still due that day — and
    overdue (now)."""
    local = timezone.get_default_timezone()
    overdue = deadlines.Urgency.OVERDUE
    today = [
        g for g in guests if g.deadline and g.deadline.astimezone(local).date() == day
    ]
    return BoardSummary(
        due_today=len(today),
        due_today_not_ready=sum(1 for g in today if not g.ready),
        due_today_passed=sum(1 for g in today if g.urgency is overdue),
        # Notices, not guests: one who left yesterday may have two.
        overdue=sum(1 for g in guests if g.urgency is overdue)
        + sum(1 for g in guests if g.arrival_also_urgency is overdue),
    )


def board_guest_of(stay_id: int, *, day: dt.date) -> BoardGuest | None:
    """One guest as the board of ``day`` shows them (after a pull), or None
    when the stay is not on that board."""
    stay = board_stays(day).filter(pk=stay_id).first()
    if stay is None:
        return None
    return board_rows([stay], day=day)[0]
