"""When the hotel's migration notices are due: the rules in one place.

The rules, with their basis (``/work/shared/domain.md``, "Deadlines":
"arrival notice within one working day of arrival; departure notice by 12:00
of the next day"):

- **Arrival notice**: by the end of the next *working* day after the day of
  arrival (Federal Law 109-FZ "On the migration registration of foreign
  citizens and stateless persons", art. 22: a hotel notifies the
  migration authority within one working day following the day of the
  foreign guest's arrival). The number of working days is the setting
  ``PMS_ARRIVAL_NOTICE_WORKING_DAYS`` (1).
- **Departure notice**: by 12:00 of the day after departure (the Government's
  migration registration rules, Decree No. 9 of 15.01.2007, for hotels; Kontur's
  published guidance as the domain notes quote it). The time is the setting
  ``PMS_DEPARTURE_NOTICE_TIME`` ("12:00").
- **Working days** follow the Russian production calendar: Saturdays and
  Sundays off; the public holidays of the Labour Code art. 112 (1–6 and 8
  January, 7 January, 23 February, 8 March, 1 May, 9 May, 12 June,
  4 November), a holiday on a weekend moving to the next working day (art.
  112 part 2); and the Government's yearly decree moving days off (art. 112
  part 5), which makes some Saturdays working days. The ``holidays`` library
  (``holidays.RU``) carries all of these, decrees up to its release; the
  setting ``PMS_WORKDAY_SWAPS`` ("work:2027-01-09,off:2027-05-10") adds a
  later decree or corrects a day, and wins over the library.
- **Who**: a guest whose citizenship is set and is not in
  ``PMS_NOTICE_EXEMPT_CITIZENSHIPS`` (RUS). The law is about foreign
  citizens *and stateless persons* (its very title), so stateless persons
  (XXA), refugees (XXB, XXC) and every other ICAO code need a notice. No
  state is exempt by default: a wrong exemption hides a deadline, a missing
  one costs a notice. A guest with no citizenship yet gets no deadline
  but no "not needed" either: whether a notice is due is open
  (``notice_needed`` is None), and the board says "citizenship not set".
- **Filed or not**: the PMS does not know whether EMIS has filed a notice.
  A guest's documents being *ready* (``checks.stay_is_ready``) means EMIS
  has all it needs to file it; so the board keeps a passed arrival notice
  red ("overdue") while the documents are not ready, and takes it as dealt
  with once they are.
- **Times** are in the hotel's time zone (the ``TIME_ZONE`` setting,
  Europe/Moscow by default), whatever the reader's.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# The end of a day: a notice due "by the end of" a day is on time all of it.
END_OF_DAY = dt.time(23, 59, 59)
_SWAP_KINDS = {"work": True, "off": False}
# Working days are looked for this far ahead at most: the longest run of
# days off in the calendar (the New Year holidays) is 12 days.
_SEARCH_DAYS = 60


class Urgency(StrEnum):
    """How a deadline stands at a given moment (the board's colours)."""

    OVERDUE = "overdue"  # passed: red
    TODAY = "today"  # due today, not passed yet: amber
    LATER = "later"


# --- The production calendar ---------------------------------------------------


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    # A pure function of the year and the library's data: cached per process,
    # nothing the process learns at run time.
    return holidays.country_holidays("RU", years=year)


def workday_swaps() -> dict[dt.date, bool]:
    """``PMS_WORKDAY_SWAPS`` as {day: True for a working day, False for a day
    off}. A bad entry is a configuration error, named."""
    swaps: dict[dt.date, bool] = {}
    for entry in settings.PMS_WORKDAY_SWAPS:
        kind, _sep, text = entry.strip().partition(":")
        try:
            swaps[dt.date.fromisoformat(text.strip())] = _SWAP_KINDS[kind.strip()]
        except (KeyError, ValueError):
            raise ImproperlyConfigured(
                f"PMS_WORKDAY_SWAPS: {entry!r} is not work:YYYY-MM-DD or "
                "off:YYYY-MM-DD"
            ) from None
    return swaps


def is_working_day(day: dt.date, *, swaps: dict[dt.date, bool] | None = None) -> bool:
    swaps = workday_swaps() if swaps is None else swaps
    if day in swaps:
        return swaps[day]
    return _calendar(day.year).is_working_day(day)


def next_working_day(
    day: dt.date, *, after: int = 1, swaps: dict[dt.date, bool] | None = None
) -> dt.date:
    """The ``after``-th working day strictly after ``day``."""
    swaps = workday_swaps() if swaps is None else swaps
    found, current = 0, day
    for _ in range(_SEARCH_DAYS * max(after, 1)):
        current += dt.timedelta(days=1)
        if is_working_day(current, swaps=swaps):
            found += 1
            if found == after:
                return current
    raise ImproperlyConfigured(f"no working day within {_SEARCH_DAYS} days of {day}")


# --- Who and when ------------------------------------------------------------


def arrivals_due_on(
    day: dt.date, *, swaps: dict[dt.date, bool] | None = None
) -> list[dt.date]:
    """The days of arrival whose arrival notice is due on ``day`` (Friday,
    Saturday and Sunday for a Monday; none for a day off). The later the
    arrival, the later its notice: the search goes back from ``day`` until
    a notice falls due earlier, within the longest search for a working day
    (``_SEARCH_DAYS``, past the longest run of days off)."""
    swaps = workday_swaps() if swaps is None else swaps
    if not is_working_day(day, swaps=swaps):
        return []
    after = settings.PMS_ARRIVAL_NOTICE_WORKING_DAYS
    found = []
    for back in range(1, _SEARCH_DAYS * max(after, 1) + 1):
        arrival = day - dt.timedelta(days=back)
        due = next_working_day(arrival, after=after, swaps=swaps)
        if due < day:
            break
        if due == day:
            found.append(arrival)
    return found


def exempt_citizenships() -> list[str]:
    """``PMS_NOTICE_EXEMPT_CITIZENSHIPS`` as upper-case codes."""
    return [c.strip().upper() for c in settings.PMS_NOTICE_EXEMPT_CITIZENSHIPS]


def needs_notice(citizenship: str) -> bool:
    """Whether the hotel notifies the migration authority of this guest
    (False while the citizenship is unknown: see ``notice_needed``)."""
    return bool(notice_needed(citizenship))


def notice_needed(citizenship: str) -> bool | None:
    """True / False as ``needs_notice``; None when no citizenship is set:
    the question is open, not answered "no"."""
    code = (citizenship or "").strip().upper()
    if not code:
        return None
    return code not in exempt_citizenships()


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, time), timezone.get_default_timezone()
    )


def arrival_notice_due(
    arrival: dt.date, *, swaps: dict[dt.date, bool] | None = None
) -> dt.datetime:
    """The end of the working day(s) after arrival, hotel time."""
    due_day = next_working_day(
        arrival, after=settings.PMS_ARRIVAL_NOTICE_WORKING_DAYS, swaps=swaps
    )
    return _local(due_day, END_OF_DAY)


def departure_notice_due(departure: dt.date) -> dt.datetime:
    """The next day after departure at the set time (12:00), hotel time."""
    return _local(departure + dt.timedelta(days=1), departure_notice_time())


def departure_notice_time() -> dt.time:
    text = settings.PMS_DEPARTURE_NOTICE_TIME
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"PMS_DEPARTURE_NOTICE_TIME: {text!r} is not HH:MM"
        ) from None


def urgency(due: dt.datetime, *, now: dt.datetime) -> Urgency:
    """Overdue once passed; due today (hotel time) until then; else later."""
    if now > due:
        return Urgency.OVERDUE
    local = timezone.get_default_timezone()
    if due.astimezone(local).date() == now.astimezone(local).date():
        return Urgency.TODAY
    return Urgency.LATER


def hotel_today() -> dt.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())
