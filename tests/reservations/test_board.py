"""The arrivals board (reservations/board.py, board_views.py): the lists,
the deadlines' colours, the summary, the day navigation, the landing page,
and a query count that does not grow with the guests."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reservations.board import BoardList, DocState, arrivals_board
from reservations.deadlines import Urgency, hotel_today
from reservations.models import IdentityDocument, MigrationCard, Reservation, Visa

from ..factories import make_guest, make_legal_entity, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

D = dt.date
MSK = ZoneInfo("Europe/Moscow")
# Tuesday 3 March 2026, 09:00 in Moscow: the board's "now" in the unit tests.
DAY = D(2026, 3, 3)
NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=MSK)


def stay(surname, start, end, citizenship="DEU", reservation=None, **values):
    reservation = reservation or make_reservation(arrival=start, departure=end)
    return make_guest(reservation, surname=surname, citizenship=citizenship, **values)


def ready_russian(surname, start, end, **kwargs):
    guest = stay(surname, start, end, citizenship="RUS", **kwargs)
    IdentityDocument.objects.create(person=guest.person, kind="passport_rf", number="1")
    return guest


def ready_foreigner(surname, start, end, **kwargs):
    guest = stay(surname, start, end, citizenship="KAZ", **kwargs)
    IdentityDocument.objects.create(
        person=guest.person, kind="national_passport", number="N1"
    )
    MigrationCard.objects.create(person=guest.person, number="1")
    return guest


def by_surname(board):
    return {g.person.surname: g for g in board.guests}


# --- The lists and deadlines (selector) -------------------------------------------


def test_three_lists_by_the_registration_dates():
    stay("Arriving", DAY, D(2026, 3, 6))
    stay("Staying", D(2026, 3, 1), D(2026, 3, 6))
    stay("Leaving", D(2026, 2, 27), DAY)
    stay("Gone", D(2026, 2, 20), D(2026, 3, 2))  # left yesterday
    stay("LongGone", D(2026, 2, 20), D(2026, 3, 1))
    stay("Future", D(2026, 3, 4), D(2026, 3, 6))
    cancelled = stay("Cancelled", DAY, D(2026, 3, 6))
    Reservation.objects.filter(pk=cancelled.reservation_id).update(status="cancelled")

    board = arrivals_board(DAY, now=NOW)
    lists = {s.key: [g.person.surname for r in s.reservations for g in r.guests] for s in board.sections}
    assert lists == {
        BoardList.ARRIVING: ["Arriving"],
        BoardList.IN_HOUSE: ["Staying"],
        BoardList.DEPARTING: ["Leaving"],
        BoardList.DEPARTED: ["Gone"],
        BoardList.LEFT_EARLIER: [],  # LongGone's notices were due in February
    }


def test_a_reservation_groups_its_guests_within_a_list():
    reservation = make_reservation(arrival=DAY, departure=D(2026, 3, 5))
    for name in ("One", "Two", "Three"):
        stay(name, DAY, D(2026, 3, 5), reservation=reservation)
    (group,) = arrivals_board(DAY, now=NOW).sections[0].reservations
    assert group.reservation == reservation
    assert [g.person.surname for g in group.guests] == ["One", "Two", "Three"]


def test_each_list_shows_its_notice_and_its_urgency():
    stay("Arriving", DAY, D(2026, 3, 6))  # due Wednesday 4th: later
    stay("CameYesterday", D(2026, 3, 2), D(2026, 3, 6))  # due today
    ready_foreigner("CameLastWeek", D(2026, 2, 24), D(2026, 3, 6))  # arrival long past
    ready_foreigner("Leaving", D(2026, 2, 27), DAY)  # departure due 4th 12:00
    stay("LeftYesterday", D(2026, 2, 27), D(2026, 3, 2))  # departure due today
    guests = by_surname(arrivals_board(DAY, now=NOW))

    arriving = guests["Arriving"]
    assert arriving.deadline == dt.datetime(2026, 3, 4, 23, 59, 59, tzinfo=MSK)
    assert (arriving.deadline_kind, arriving.urgency) == ("arrival", Urgency.LATER)
    came = guests["CameYesterday"]
    assert (came.deadline_kind, came.urgency) == ("arrival", Urgency.TODAY)
    # In house with the arrival notice long due and the documents ready
    # (EMIS had what it needed): the next one is shown.
    assert guests["CameLastWeek"].deadline_kind == "departure"
    assert guests["CameLastWeek"].urgency == Urgency.LATER
    leaving = guests["Leaving"]
    assert leaving.deadline == dt.datetime(2026, 3, 4, 12, 0, tzinfo=MSK)
    assert (leaving.deadline_kind, leaving.urgency) == ("departure", Urgency.LATER)
    left = guests["LeftYesterday"]
    assert left.deadline == dt.datetime(2026, 3, 3, 12, 0, tzinfo=MSK)
    assert (left.deadline_kind, left.urgency) == ("departure", Urgency.TODAY)


def test_a_passed_arrival_notice_stays_red_while_the_documents_are_not_ready():
    """Issue 12: arrived 25.11, arrival notice due 26.11 — on the board of
    29.11 it is overdue, not hidden behind the departure deadline."""
    day, now = D(2026, 11, 29), dt.datetime(2026, 11, 29, 9, 0, tzinfo=MSK)
    stay("NotReady", D(2026, 11, 25), D(2026, 12, 3))
    stay("LeavingNotReady", D(2026, 11, 25), day)
    ready_foreigner("Ready", D(2026, 11, 25), D(2026, 12, 3))
    stay("Departed", D(2026, 11, 20), D(2026, 11, 28))  # departure due 29.11 12:00
    board = arrivals_board(day, now=now)
    guests = by_surname(board)
    for name in ("NotReady", "LeavingNotReady"):
        assert guests[name].deadline == dt.datetime(2026, 11, 26, 23, 59, 59, tzinfo=MSK)
        assert (guests[name].deadline_kind, guests[name].urgency) == ("arrival", Urgency.OVERDUE)
    assert guests["Ready"].deadline_kind == "departure"
    assert guests["Departed"].list == BoardList.DEPARTED
    assert guests["Departed"].urgency == Urgency.TODAY
    # Departed's arrival notice (due 21.11, papers not ready) is open too.
    assert guests["Departed"].arrival_also_urgency == Urgency.OVERDUE
    summary = board.summary
    assert (summary.due_today, summary.due_today_not_ready, summary.overdue) == (1, 1, 3)


def test_a_passed_deadline_is_overdue():
    stay("Late", D(2026, 3, 2), DAY)  # departing; arrival due 3rd, departure 4th
    stay("Past", D(2026, 2, 26), D(2026, 3, 2))
    later = dt.datetime(2026, 3, 4, 12, 1, tzinfo=MSK)
    guests = by_surname(arrivals_board(DAY, now=later))
    assert guests["Late"].urgency == Urgency.OVERDUE
    # The board of a past day: its departures' notices are past too.
    board = arrivals_board(D(2026, 3, 2), now=later)
    assert by_surname(board)["Past"].urgency == Urgency.OVERDUE


def test_russians_and_unknown_citizenship_have_no_deadline():
    stay("Russian", DAY, D(2026, 3, 6), citizenship="RUS")
    stay("Unknown", DAY, D(2026, 3, 6), citizenship="")
    stay("Stateless", DAY, D(2026, 3, 6), citizenship="XXA")
    guests = by_surname(arrivals_board(DAY, now=NOW))
    for name in ("Russian", "Unknown"):
        assert guests[name].arrival_notice_due is None
        assert guests[name].deadline is None and guests[name].urgency is None
    assert guests["Stateless"].urgency == Urgency.LATER
    # Russian: no notice; unknown: the question is open, and not ready.
    assert guests["Russian"].notice_needed is False
    assert guests["Unknown"].notice_needed is None
    assert guests["Unknown"].warnings[0].code == "citizenship_unknown"
    assert not guests["Unknown"].ready


def test_unknown_citizenship_is_not_shown_as_not_needed(front_desk_client):
    today = hotel_today()
    guest = stay("Безгражданства", today, today + dt.timedelta(days=2), citizenship="")
    ready_russian("Россиянин", today, today + dt.timedelta(days=2))
    page = _page(front_desk_client, today)
    row = _row(page, guest)
    assert "гражданство не указано" in row and "не нужно" not in row
    assert 'data-code="citizenship_unknown"' in row
    assert "не нужно" in page  # the Russian's


def test_document_states():
    stay("Nothing", DAY, D(2026, 3, 6))
    warned = stay("Warned", DAY, D(2026, 3, 6), citizenship="RUS")
    IdentityDocument.objects.create(
        person=warned.person, kind="passport_rf", number="1", expiry_date=D(2020, 1, 1)
    )
    ready_russian("Ready", DAY, D(2026, 3, 6))
    guests = by_surname(arrivals_board(DAY, now=NOW))
    assert guests["Nothing"].doc_state == DocState.NOTHING
    assert [w.code for w in guests["Nothing"].warnings][0] == "no_identity_document"
    assert guests["Warned"].doc_state == DocState.WARNINGS
    assert guests["Ready"].doc_state == DocState.READY


def test_summary_counts_notices_due_today_and_who_is_not_ready():
    yesterday = D(2026, 3, 2)
    for name in ("A", "B"):
        ready_foreigner(name, yesterday, D(2026, 3, 6))
    stay("C", yesterday, D(2026, 3, 6))  # due today, nothing yet
    ready_russian("D", yesterday, D(2026, 3, 6))  # no notice
    stay("E", DAY, D(2026, 3, 6))  # due tomorrow
    summary = arrivals_board(DAY, now=NOW).summary
    assert (summary.due_today, summary.due_today_not_ready, summary.overdue) == (3, 1, 0)


def test_a_notice_due_today_still_counts_once_its_moment_has_passed():
    """Today at 15:00: yesterday's departure was due today at 12:00. It is
    due today — and overdue — not "no notice due today"."""
    left = ready_foreigner("Left", D(2026, 2, 25), D(2026, 3, 2))
    afternoon = dt.datetime(2026, 3, 3, 15, 0, tzinfo=MSK)
    board = arrivals_board(DAY, now=afternoon)
    (guest,) = board.guests
    assert (guest.stay, guest.urgency) == (left, Urgency.OVERDUE)
    summary = board.summary
    assert (summary.due_today, summary.due_today_passed, summary.overdue) == (1, 1, 1)
    assert summary.due_today_all_passed
    before_noon = arrivals_board(DAY, now=NOW).summary
    assert (before_noon.due_today, before_noon.due_today_passed) == (1, 0)
    assert not before_noon.due_today_all_passed


def test_a_past_days_notices_count_as_due_that_day():
    # 03.03.2026 seen a week later: every notice of that day has passed.
    ready_foreigner("Left", D(2026, 2, 25), D(2026, 3, 2))  # due 03.03 12:00
    stay("Came", D(2026, 3, 2), D(2026, 3, 6))  # due 03.03 23:59:59
    stay("Later", DAY, D(2026, 3, 6))  # due 04.03: not that day's
    week_later = dt.datetime(2026, 3, 10, 9, 0, tzinfo=MSK)
    summary = arrivals_board(DAY, now=week_later).summary
    assert (summary.due_today, summary.due_today_not_ready) == (2, 1)
    assert (summary.due_today_passed, summary.overdue) == (2, 3)


def test_a_past_days_page_names_its_passed_notices(front_desk_client):
    today = hotel_today()
    day = today - dt.timedelta(days=3)
    # Left the day before: the departure notice was due on ``day`` at 12:00.
    ready_foreigner("Уехавший", day - dt.timedelta(days=4), day - dt.timedelta(days=1))
    page = _page(front_desk_client, day)
    assert _summary(page) == (
        f"На {day:%d.%m.%Y}: 1 иностранный гость — уведомление в этот день"
        " · просрочено уведомлений: 1"
    )
    assert '<span class="deadline-overdue">1 иностранный гость' in page


# --- The page ------------------------------------------------------------------


def _page(client, day=None):
    url = "/board/" + (f"?date={day.isoformat()}" if day else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _summary(page) -> str:
    """The summary line's text, tags left out."""
    block = re.search(r'<p class="board-summary[^>]*>(.*?)</p>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", block).split())


def _row(page, guest):
    return page.split(f'data-stay="{guest.pk}"')[1].split("</tr>")[0]


def test_front_desk_lands_on_the_board(front_desk_client, client, admin_client_):
    assert front_desk_client.get("/").url == "/board/"
    assert admin_client_.get("/").url == "/board/"


def test_the_page_shows_today_by_default(front_desk_client):
    today = hotel_today()
    guest = stay("Мюллер", today, today + dt.timedelta(days=2))
    page = _page(front_desk_client)
    assert today.strftime("%d.%m.%Y") in page
    assert f'data-stay="{guest.pk}"' in page.split('id="list-arriving"')[1].split("</section>")[0]


def test_rows_show_name_citizenship_state_deadline_and_links(front_desk_client):
    today = hotel_today()
    guest = stay("Мюллер", today, today + dt.timedelta(days=2), given_names="Ханс")
    row = _row(_page(front_desk_client, today), guest)
    assert "Мюллер Ханс" in row
    assert f'href="/reservations/{guest.reservation_id}/guests/{guest.pk}/"' in row
    assert "DEU" in row and "Германия" in row
    assert 'data-state="nothing"' in row and "ничего нет" in row
    assert 'data-kind="arrival"' in row and "о прибытии" in row
    assert 'data-code="visa_not_valid_for_stay"' in row
    page = _page(front_desk_client, today)
    assert f'href="/reservations/{guest.reservation_id}/?tab=guests"' in page


def test_overdue_is_red(front_desk_client):
    today = hotel_today()
    # Left the day before yesterday: the departure notice was due yesterday.
    gone = ready_foreigner("Уехавший", today - dt.timedelta(days=5), today - dt.timedelta(days=2))
    page = _page(front_desk_client, today - dt.timedelta(days=2))
    row = _row(page, gone)
    assert 'class="deadline deadline-overdue"' in row
    assert "об убытии" in row and "просрочено" in row
    assert _summary(page) == (
        f"На {(today - dt.timedelta(days=2)):%d.%m.%Y}: сроков уведомлений нет."
        " · просрочено уведомлений: 1"
    )
    assert _summary(_page(front_desk_client, today)) == "Сегодня сроков уведомлений нет."


def test_yesterdays_departure_is_on_todays_board(front_desk_client):
    """Issue 12: left 28.11, the departure notice due 29.11 12:00 — the
    guest is on the board of 29.11, in "Выехали вчера"."""
    today = hotel_today()
    left = stay("Выехавший", today - dt.timedelta(days=9), today - dt.timedelta(days=1))
    page = _page(front_desk_client, today)
    section = page.split('id="list-departed"')[1].split("</section>")[0]
    assert "Выехали вчера" in section
    row = _row(section, left)
    assert 'data-kind="departure"' in row
    assert "deadline-today" in row or "deadline-overdue" in row  # before/after 12:00
    summary = _summary(page)
    assert summary != "Сегодня сроков уведомлений нет."


def test_another_days_summary_names_the_day(front_desk_client, settings):
    day = hotel_today() + dt.timedelta(days=10)
    settings.PMS_WORKDAY_SWAPS = [
        f"work:{(day + dt.timedelta(days=n)).isoformat()}" for n in range(-3, 4)
    ]
    stay("Завтрашний", day - dt.timedelta(days=1), day + dt.timedelta(days=3))
    assert _summary(_page(front_desk_client, day)) == (
        f"На {day:%d.%m.%Y}: 1 иностранный гость — уведомление в этот день,"
        " документы не готовы у 1"
    )


def test_due_today_is_amber(front_desk_client, settings):
    # Every day a working day: whoever came yesterday is due today.
    today = hotel_today()
    settings.PMS_WORKDAY_SWAPS = [
        f"work:{(today + dt.timedelta(days=n)).isoformat()}" for n in range(-3, 4)
    ]
    came = stay("Вчерашний", today - dt.timedelta(days=1), today + dt.timedelta(days=3))
    page = _page(front_desk_client, today)
    assert 'class="deadline deadline-today"' in _row(page, came)
    assert _summary(page) == (
        "1 иностранный гость — уведомление сегодня, документы не готовы у 1"
    )


def test_the_summary_reads_as_the_issue_says(front_desk_client, settings):
    today = hotel_today()
    settings.PMS_WORKDAY_SWAPS = [
        f"work:{(today + dt.timedelta(days=n)).isoformat()}" for n in range(-3, 4)
    ]
    yesterday = today - dt.timedelta(days=1)
    ready_foreigner("Первый", yesterday, today + dt.timedelta(days=2))
    ready_foreigner("Второй", yesterday, today + dt.timedelta(days=2))
    stay("Третий", yesterday, today + dt.timedelta(days=2))
    page = _page(front_desk_client, today)
    assert _summary(page) == (
        "3 иностранных гостя — уведомление сегодня, документы не готовы у 1"
    )
    assert 'data-due-today="3" data-not-ready="1" data-overdue="0"' in page


def test_day_navigation(front_desk_client):
    page = _page(front_desk_client, D(2026, 3, 1))
    assert 'href="/board/?date=2026-02-28" rel="prev" data-hotkey="ArrowLeft"' in page
    assert 'href="/board/?date=2026-03-02" rel="next" data-hotkey="ArrowRight"' in page
    # Typed as дд.мм.гггг whatever the browser's locale (issue 12).
    field = re.search(r'<input type="text" name="date" value="01\.03\.2026"[^>]*>', page)
    assert field and "data-autosubmit" in field.group(0)
    assert "01.03.2026" in page


def _heading(page) -> str:
    return re.search(r'<span class="board-day">([^<]*)</span>', page).group(1)


def test_the_heading_names_the_day_as_the_language_writes_it(front_desk_client):
    """Russian: дд.мм.гггг and the weekday in lower case, as a sentence
    writes it; English: the English short date and "Sunday" (it read
    "29.11.2026, sunday" beside an mm/dd/yyyy field); the summary's date too."""
    day = D(2025, 11, 30)  # a past Sunday: not today, whose summary has no date
    page = _page(front_desk_client, day)
    assert _heading(page) == "30.11.2025, воскресенье"
    front_desk_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _page(front_desk_client, day)
    assert _heading(page) == "11/30/2025, Sunday"
    assert 'value="11/30/2025"' in page  # the date field says it the same way
    assert _summary(page).startswith("On 11/30/2025:")


def test_a_day_typed_as_the_russians_write_it(front_desk_client):
    page = front_desk_client.get("/board/", {"date": "01.03.2026"}).content.decode()
    assert 'value="01.03.2026"' in page and 'href="/board/?date=2026-03-02"' in page


@pytest.mark.parametrize(
    "bad", ["2026-02-31", "0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]
)
def test_a_bad_date_shows_today_and_says_so(front_desk_client, bad):
    # 0001-01-01 and 9999-12-31 were a 500: no day before or after them.
    response = front_desk_client.get("/board/", {"date": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Это не дата — показан сегодняшний день." in page
    assert hotel_today().strftime("%d.%m.%Y") in page


def test_the_range_ends_have_no_link_past_them(front_desk_client):
    first = _page(front_desk_client, D(1900, 1, 1))
    assert 'rel="prev"' not in first and "Это не дата" not in first
    assert 'href="/board/?date=1900-01-02" rel="next"' in first
    last = _page(front_desk_client, D(2100, 12, 31))
    assert 'rel="next"' not in last and "Это не дата" not in last
    assert 'href="/board/?date=2100-12-30" rel="prev"' in last


def test_pull_all_is_offered_only_with_emis_on(front_desk_client, emis_connection):
    today = hotel_today()
    stay("Мюллер", today, today + dt.timedelta(days=2))
    assert "Получить данные всех гостей" in _page(front_desk_client, today)
    emis_connection.is_active = False
    emis_connection.save()
    assert "Получить данные всех гостей" not in _page(front_desk_client, today)


def test_anonymous_goes_to_login(client):
    assert client.get("/board/").status_code == 302


def test_support_is_refused(support_client):
    assert support_client.get("/board/").status_code == 403


# --- Queries -------------------------------------------------------------------


def _board_queries(client, guests: int, per_reservation: int = 50) -> int:
    day = D(2026, 3, 3)
    entity = make_legal_entity()
    reservations = []
    for i in range(guests):
        if i % per_reservation == 0:
            reservations.append(make_reservation(entity, arrival=day, departure=D(2026, 3, 6)))
        guest = stay(f"Гость{i}", day, D(2026, 3, 6), reservation=reservations[-1])
        IdentityDocument.objects.create(person=guest.person, kind="national_passport", number=f"{i}")
        Visa.objects.create(person=guest.person, number=f"{i}", valid_to=D(2026, 4, 1))
        MigrationCard.objects.create(person=guest.person, number=f"{i}")
    with CaptureQueriesContext(connection) as queries:
        page = _page(client, day)
    assert page.count('class="guest-name"') == guests
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    return len(queries.captured_queries)


def test_query_count_does_not_grow_with_guests(front_desk_client):
    _board_queries(front_desk_client, 1)  # warm up session and user caches
    assert _board_queries(front_desk_client, 1) == _board_queries(front_desk_client, 50)


def test_query_count_is_the_same_for_200_arrivals_in_50_reservations(front_desk_client):
    _board_queries(front_desk_client, 1)  # warm up session and user caches
    one = _board_queries(front_desk_client, 1)
    assert _board_queries(front_desk_client, 200, per_reservation=4) == one


# --- Gone before yesterday, the arrival notice still to come ---------------------

MONDAY = D(2026, 3, 16)


def test_a_guest_gone_over_the_weekend_is_on_mondays_board():
    """Issue 12, second review: arrived on Friday, left on Saturday — the
    arrival notice is due on Monday, after the guest left, and the board of
    Monday listed them nowhere and counted nothing."""
    gone = stay("Rossi", D(2026, 3, 13), D(2026, 3, 14), citizenship="ITA")
    ready_russian("Иванов", D(2026, 3, 13), D(2026, 3, 14))  # no notice
    stay("Earlier", D(2026, 3, 12), D(2026, 3, 14))  # due Friday: not Monday's
    monday_noon = dt.datetime(2026, 3, 16, 12, 0, tzinfo=MSK)
    board = arrivals_board(MONDAY, now=monday_noon)
    (guest,) = board.guests
    assert (guest.stay, guest.list) == (gone, BoardList.LEFT_EARLIER)
    assert guest.deadline == dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=MSK)
    assert (guest.deadline_kind, guest.urgency) == ("arrival", Urgency.TODAY)
    s = board.summary
    assert (s.due_today, s.due_today_not_ready, s.overdue) == (1, 1, 0)
    # Passed (seen on Tuesday): red, and counted as overdue.
    tuesday = dt.datetime(2026, 3, 17, 9, 0, tzinfo=MSK)
    late = arrivals_board(MONDAY, now=tuesday)
    assert late.guests[0].urgency == Urgency.OVERDUE
    assert (late.summary.due_today_passed, late.summary.overdue) == (1, 1)
    # Tuesday's board has nothing of theirs due.
    assert arrivals_board(D(2026, 3, 17), now=tuesday).guests == []


def test_the_page_lists_them_apart_and_counts_the_notice(front_desk_client):
    gone = stay("Росси", D(2026, 3, 13), D(2026, 3, 14), citizenship="ITA")
    page = _page(front_desk_client, MONDAY)
    section = page.split('id="list-left_earlier"')[1].split("</section>")[0]
    assert "Уже выехали — уведомление о прибытии в этот день" in section
    row = _row(section, gone)
    assert 'data-kind="arrival"' in row and "16.03.2026 23:59" in row
    assert _summary(page).startswith(
        "На 16.03.2026: 1 иностранный гость — уведомление в этот день, документы"
        " не готовы у 1"
    )
    # Shown only when someone is on it.
    assert 'id="list-left_earlier"' not in _page(front_desk_client, D(2026, 3, 17))


def test_a_guest_leaving_on_monday_shows_mondays_arrival_notice():
    """Friday to Monday: on Monday the arrival notice is due (by the end of
    the day) before the departure notice (Tuesday 12:00) — shown and
    counted, not hidden behind Tuesday's."""
    stay("Bianchi", D(2026, 3, 13), MONDAY, citizenship="ITA")
    board = arrivals_board(MONDAY, now=dt.datetime(2026, 3, 16, 9, 0, tzinfo=MSK))
    (guest,) = board.guests
    assert guest.list == BoardList.DEPARTING
    assert (guest.deadline_kind, guest.urgency) == ("arrival", Urgency.TODAY)
    assert board.summary.due_today == 1


def test_left_yesterday_with_the_arrival_notice_still_open_shows_both_notices(
    front_desk_client,
):
    """Friday to Sunday, seen on Monday (2 March 2026): the departure notice
    is due at 12:00 and the arrival notice by the end of the day; both are
    shown, and each passed one counts as overdue."""
    monday = D(2026, 3, 2)
    afternoon = dt.datetime(2026, 3, 2, 15, 0, tzinfo=MSK)
    weekend = stay("Rossi", D(2026, 2, 27), D(2026, 3, 1), citizenship="ITA")
    # Arrived Thursday: its arrival notice passed on Friday, papers not ready.
    unfiled = stay("Bianchi", D(2026, 2, 26), D(2026, 3, 1), citizenship="ITA")
    # Arrived Thursday with the papers ready: only the departure notice.
    filed = ready_foreigner("Ready", D(2026, 2, 26), D(2026, 3, 1))
    board = arrivals_board(monday, now=afternoon)
    guests = by_surname(board)
    rossi, bianchi = guests["Rossi"], guests["Bianchi"]
    assert rossi.list is BoardList.DEPARTED
    assert rossi.deadline == dt.datetime(2026, 3, 2, 12, 0, tzinfo=MSK)
    assert rossi.urgency is Urgency.OVERDUE
    assert rossi.arrival_also == dt.datetime(2026, 3, 2, 23, 59, 59, tzinfo=MSK)
    assert rossi.arrival_also_urgency is Urgency.TODAY
    assert bianchi.arrival_also == dt.datetime(2026, 2, 27, 23, 59, 59, tzinfo=MSK)
    assert bianchi.arrival_also_urgency is Urgency.OVERDUE
    assert guests["Ready"].arrival_also is None
    # Three departure notices and Bianchi's arrival notice have passed.
    assert board.summary.overdue == 4

    row = _row(_page(front_desk_client, monday), weekend)
    assert 'data-kind="departure"' in row and 'data-kind="arrival"' in row
    assert _row(_page(front_desk_client, monday), filed).count("data-kind=") == 1
    assert _row(_page(front_desk_client, monday), unfiled).count("data-kind=") == 2
