"""The arrivals board's day, read one way by every entry point: the board
page (``board_views.py``), ``GET /api/v1/arrivals/`` (``board_api.py``) and
the board's EMIS pulls and their progress (``emis/board_views.py``).

No day or an empty one is today, hotel time. A day is YYYY-MM-DD; the page
also takes one as its language types it (дд.мм.гггг in Russian). It must
fall in the years every date of the product keeps to (``rules.MIN_DATE`` ..
``rules.MAX_DATE``): no stay lies outside them, and a day at the edge of
Python's calendar (0001-01-01, 9999-12-31) has no day before or after it for
the board's query, its links and its deadlines.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from pms.strict_json import ISO_DATE

from .deadlines import hotel_today
from .rules import MAX_DATE, MIN_DATE

# Languages that write a weekday in lower case inside a sentence: Django's
# names are capitalised ("Воскресенье"), a heading reads "29.11.2026,
# воскресенье" — and "11/29/2026, Sunday" in English.
LOWER_CASE_WEEKDAYS = frozenset({"ru"})

DAY_ERROR = _("Enter a date as YYYY-MM-DD in the years %(min)s–%(max)s.")


class BadDay(ValueError):
    """Not a day the board can show; ``message`` says what to enter."""

    @property
    def message(self) -> str:
        return str(DAY_ERROR % {"min": MIN_DATE.year, "max": MAX_DATE.year})


def board_day(text: str | None, *, typed: bool = False) -> dt.date:
    """The day ``text`` names; today when it is missing or empty. ``typed``:
    also as the page's language writes a date. Raises ``BadDay``."""
    text = (text or "").strip()
    if not text:
        return hotel_today()
    day = _parse(text, typed=typed)
    if day is None or not MIN_DATE <= day <= MAX_DATE:
        raise BadDay(text)
    return day


def _parse(text: str, *, typed: bool) -> dt.date | None:
    # Only YYYY-MM-DD: fromisoformat also takes "20260303" and week dates.
    if ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    for pattern in formats.get_format("DATE_INPUT_FORMATS") if typed else ():
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def neighbour(day: dt.date, days: int) -> dt.date | None:
    """The day ``days`` away, or None past the board's range (no link)."""
    other = day + dt.timedelta(days=days)
    return other if MIN_DATE <= other <= MAX_DATE else None


def day_heading(day: dt.date) -> str:
    """The day as the board's heading names it, in the active language: its
    short date (дд.мм.гггг, mm/dd/yyyy) and the weekday."""
    weekday = formats.date_format(day, "l")
    language = (translation.get_language() or "").split("-")[0]
    if language in LOWER_CASE_WEEKDAYS:
        weekday = weekday.lower()
    return f"{formats.date_format(day, 'SHORT_DATE_FORMAT')}, {weekday}"
