"""The migration notices' deadlines (reservations/deadlines.py): the
production calendar, the configured day swaps, the two rules, who needs a
notice, and how a deadline stands at a moment."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from reservations import deadlines
from reservations.deadlines import Urgency

MSK = ZoneInfo("Europe/Moscow")


def _end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59), MSK)


def _due(arrival: str) -> dt.datetime:
    return deadlines.arrival_notice_due(dt.date.fromisoformat(arrival))


@pytest.mark.parametrize(
    ("arrival", "due_day"),
    [
        ("2026-03-02", "2026-03-03"),  # Monday → Tuesday
        ("2026-03-05", "2026-03-06"),  # Thursday → Friday
        ("2026-02-27", "2026-03-02"),  # Friday → Monday: the weekend is off
        ("2026-02-28", "2026-03-02"),  # Saturday → Monday
        ("2026-03-01", "2026-03-02"),  # Sunday → Monday
    ],
)
def test_arrival_notice_is_due_by_the_end_of_the_next_working_day(arrival, due_day):
    assert _due(arrival) == _end_of(due_day)


@pytest.mark.parametrize(
    ("arrival", "due_day", "why"),
    [
        ("2025-12-31", "2026-01-12", "1–8 January, then 9 January moved off"),
        ("2027-01-05", "2027-01-11", "New Year holidays 1–8 January"),
        ("2027-02-22", "2027-02-24", "23 February"),
        ("2027-03-05", "2027-03-09", "8 March (a Monday)"),
        ("2025-04-30", "2025-05-05", "1 May, then 2 May moved off by decree"),
        ("2025-05-07", "2025-05-12", "8 May moved off, 9 May Victory Day"),
        ("2027-06-11", "2027-06-15", "12 June on a Saturday moves to Monday 14th"),
        ("2026-11-03", "2026-11-05", "4 November"),
        ("2027-11-03", "2027-11-08", "4 November, 5 November moved off by decree"),
        ("2026-03-06", "2026-03-10", "8 March on a Sunday moves to Monday 9th"),
    ],
)
def test_public_holidays_of_the_labour_code_are_days_off(arrival, due_day, why):
    assert _due(arrival) == _end_of(due_day), why


def test_a_working_saturday_of_the_decree_counts():
    # 2025: Saturday 1 November was a working day (the day off moved to 3 Nov).
    assert deadlines.is_working_day(dt.date(2025, 11, 1))
    assert _due("2025-10-31") == _end_of("2025-11-01")


def test_configured_swaps_win_over_the_library(settings):
    settings.PMS_WORKDAY_SWAPS = ["work:2027-03-06", "off: 2027-03-10"]
    assert deadlines.is_working_day(dt.date(2027, 3, 6))  # a Saturday
    assert not deadlines.is_working_day(dt.date(2027, 3, 10))  # a Wednesday
    assert _due("2027-03-05") == _end_of("2027-03-06")
    assert _due("2027-03-09") == _end_of("2027-03-11")


@pytest.mark.parametrize("bad", ["2027-03-06", "work:06.03.2027", "holiday:2027-03-06"])
def test_a_bad_swap_is_a_named_configuration_error(settings, bad):
    settings.PMS_WORKDAY_SWAPS = [bad]
    with pytest.raises(ImproperlyConfigured, match="PMS_WORKDAY_SWAPS"):
        deadlines.is_working_day(dt.date(2027, 3, 6))


def test_the_number_of_working_days_is_a_setting(settings):
    settings.PMS_ARRIVAL_NOTICE_WORKING_DAYS = 3
    assert _due("2026-02-27") == _end_of("2026-03-04")  # Fri → Mon, Tue, Wed


def test_departure_notice_is_due_at_noon_of_the_next_day():
    due = deadlines.departure_notice_due(dt.date(2026, 3, 7))  # a Saturday
    assert due == dt.datetime(2026, 3, 8, 12, 0, tzinfo=MSK)  # weekends count
    assert due.isoformat() == "2026-03-08T12:00:00+03:00"


def test_departure_time_is_a_setting(settings):
    settings.PMS_DEPARTURE_NOTICE_TIME = "10:30"
    due = deadlines.departure_notice_due(dt.date(2026, 3, 7))
    assert due == dt.datetime(2026, 3, 8, 10, 30, tzinfo=MSK)
    settings.PMS_DEPARTURE_NOTICE_TIME = "noon"
    with pytest.raises(ImproperlyConfigured, match="PMS_DEPARTURE_NOTICE_TIME"):
        deadlines.departure_notice_due(dt.date(2026, 3, 7))


def test_times_are_the_hotels_whatever_the_time_zone(settings):
    settings.TIME_ZONE = "Asia/Vladivostok"
    due = deadlines.arrival_notice_due(dt.date(2026, 3, 2))
    assert due.isoformat() == "2026-03-03T23:59:59+10:00"


@pytest.mark.parametrize(
    ("citizenship", "needed"),
    [
        ("RUS", False),
        ("rus", False),
        ("", False),  # not known yet: no deadline rather than a wrong one
        ("DEU", True),
        ("BLR", True),  # no exemption unless configured
        ("XXA", True),  # stateless persons: the law's own title names them
        ("XXB", True),  # refugees
    ],
)
def test_who_needs_a_notice(citizenship, needed):
    assert deadlines.needs_notice(citizenship) is needed


def test_exempt_citizenships_are_a_setting(settings):
    settings.PMS_NOTICE_EXEMPT_CITIZENSHIPS = ["RUS", "BLR"]
    assert not deadlines.needs_notice("BLR")


def test_urgency_at_a_moment():
    due = dt.datetime(2026, 3, 3, 23, 59, 59, tzinfo=MSK)
    assert deadlines.urgency(due, now=dt.datetime(2026, 3, 2, 23, 0, tzinfo=MSK)) == Urgency.LATER
    assert deadlines.urgency(due, now=dt.datetime(2026, 3, 3, 0, 0, tzinfo=MSK)) == Urgency.TODAY
    # 21:30 UTC on the 3rd is already the 4th in Moscow: overdue.
    late = dt.datetime(2026, 3, 3, 21, 30, tzinfo=dt.UTC)
    assert deadlines.urgency(due, now=late) == Urgency.OVERDUE


def _days(*texts: str) -> list[dt.date]:
    return [dt.date.fromisoformat(t) for t in texts]


def test_the_arrivals_whose_notice_falls_due_on_a_day():
    """What the board asks for the guests who have already left: Monday has
    the weekend's arrivals and Friday's; a day off has none; the first
    working day after the New Year holidays has all of them."""
    monday, sunday = dt.date(2026, 3, 16), dt.date(2026, 3, 15)
    assert deadlines.arrivals_due_on(monday) == _days(
        "2026-03-15", "2026-03-14", "2026-03-13"
    )
    assert deadlines.arrivals_due_on(dt.date(2026, 3, 17)) == [monday]
    assert deadlines.arrivals_due_on(sunday) == []
    after_new_year = deadlines.arrivals_due_on(dt.date(2026, 1, 12))
    assert after_new_year[0] == dt.date(2026, 1, 11)
    assert len(after_new_year) == 13  # 30.12.2025 (a Tuesday) to 11.01
    for arrival in after_new_year:
        assert _due(arrival.isoformat()) == _end_of("2026-01-12")


def test_the_arrivals_follow_the_number_of_working_days(settings):
    settings.PMS_ARRIVAL_NOTICE_WORKING_DAYS = 2
    # Two working days after Friday to Sunday (Monday, Tuesday): Tuesday;
    # Monday's arrival is due on Wednesday.
    assert deadlines.arrivals_due_on(dt.date(2026, 3, 17)) == _days(
        "2026-03-15", "2026-03-14", "2026-03-13"
    )
