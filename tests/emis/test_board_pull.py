""""Получить данные всех гостей" on the arrivals board (emis/board_views.py):
a pull job per guest under the reservation's legal entity, each guest's
progress placed in its row, the row's state sent afresh when a pull ends."""

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from emis.models import EmisJob
from reservations.deadlines import hotel_today
from tests.factories import EMIS_BASE, make_guest, make_legal_entity, make_reservation

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads(
    Path("/work/shared/emis-examples/person-russian-citizen.json").read_text()
)
HTMX = {"HTTP_HX_REQUEST": "true"}


def emis_person(person_id):
    data = copy.deepcopy(EXAMPLE)
    data["person_id"] = str(person_id)
    return data


@pytest.fixture
def reservation(db):
    today = hotel_today()
    return make_reservation(
        make_legal_entity(), arrival=today, departure=today + dt.timedelta(days=2)
    )


@pytest.fixture
def guests(reservation):
    return [
        make_guest(reservation, surname="Репин", citizenship="DEU"),
        make_guest(reservation, surname="Новенький", citizenship="DEU"),
    ]


@pytest.fixture
def emis(http, emis_connection, guests):
    """EMIS knows the first guest, not the second."""
    found, unknown = guests
    http.get(
        f"{EMIS_BASE}/api/v1/persons/{found.person_id}",
        json=emis_person(found.person_id),
    )
    http.get(
        f"{EMIS_BASE}/api/v1/persons/{unknown.person_id}",
        status=404,
        json={"error": {"code": "person_not_found", "message": "-"}},
    )
    return http


def pull_all(client, reservation, **extra):
    url = f"/emis/board/reservations/{reservation.pk}/pull/"
    return client.post(url, {"date": hotel_today().isoformat()}, **extra)


def oob_block(page: str, stay) -> str:
    match = re.search(
        rf'<div id="board-pull-{stay.pk}" hx-swap-oob="innerHTML">(.*?)</div>\s*(?=<span id="board-name|<div id="board-pull|$)',
        page,
        re.S,
    )
    assert match, page
    return match.group(1)


def test_one_job_per_guest_under_the_reservations_legal_entity(
    front_desk_client, reservation, guests, emis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pull_all(front_desk_client, reservation, **HTMX)
    assert response.status_code == 202
    jobs = EmisJob.objects.order_by("id")
    assert [j.person_id for j in jobs] == [g.person_id for g in guests]
    assert {j.legal_entity_id for j in jobs} == {reservation.legal_entity_id}
    # Without a broker each row's look works its guest's job (the POST only
    # queues, so no request waits on EMIS for every guest at once).
    day = hotel_today().isoformat()
    for guest, job in zip(guests, jobs, strict=True):
        look = f"/emis/board/stays/{guest.pk}/jobs/{job.pk}/?date={day}"
        assert front_desk_client.get(look, **HTMX).status_code == 200
    assert [(j.status, j.result) for j in EmisJob.objects.order_by("id")] == [
        ("succeeded", "applied"),
        ("succeeded", "not_found"),
    ]
    # Each request named its guest and the reservation's legal entity.
    sent = [c.request.url for c in emis.calls]
    assert all(f"legal_entity_id={reservation.legal_entity_id}" in u for u in sent)


def poll(client, stay) -> str:
    job = EmisJob.objects.get(person_id=stay.person_id)
    url = f"/emis/board/stays/{stay.pk}/jobs/{job.pk}/?date={hotel_today().isoformat()}"
    return client.get(url).content.decode()


def test_each_guests_progress_lands_in_its_row(
    front_desk_client, reservation, guests, emis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = pull_all(front_desk_client, reservation, **HTMX).content.decode()
    assert page.startswith("<span data-pull-all>Данные запрошены для 2 из 2 гостей.")
    found, unknown = guests
    for guest in guests:  # queued when answered: each polls on the board
        assert 'data-job-status="queued"' in oob_block(page, guest)
    # The jobs ran on commit; each fragment now tells its end.
    found_page, unknown_page = poll(front_desk_client, found), poll(front_desk_client, unknown)
    assert 'data-job-status="succeeded"' in found_page and "Обновлено" in found_page
    assert "В EMIS пока нет данных по этому гостю" in unknown_page
    # ...and sends its row's parts afresh, by id, out of band.
    state = re.search(
        rf'<span id="board-state-{found.pk}" class="doc-state" data-state="(\w+)" hx-swap-oob="true">',
        found_page,
    )
    assert state and state.group(1) != "nothing"  # a passport arrived
    assert f'<span id="board-cit-{found.pk}" hx-swap-oob="true">' in found_page
    assert f'<span id="board-due-{found.pk}" hx-swap-oob="true">' in found_page
    assert re.search(
        rf'<span id="board-state-{unknown.pk}" class="doc-state" data-state="nothing" hx-swap-oob="true">',
        unknown_page,
    )


def test_a_running_job_asks_for_itself_on_the_board(
    front_desk_client, reservation, guests, emis
):
    # Not run: still queued, so the fragment polls the board's own URL.
    page = pull_all(front_desk_client, reservation, **HTMX).content.decode()
    found = guests[0]
    job = EmisJob.objects.get(person_id=found.person_id)
    poll = f"/emis/board/stays/{found.pk}/jobs/{job.pk}/?date={hotel_today().isoformat()}"
    assert f'hx-get="{poll}"' in oob_block(page, found)
    assert "board-state-" not in page  # nothing ended yet
    # The attempt is named with its numbers (issue 12: "Попытка из :").
    assert re.search(r"Попытка 1 из \d+: ", oob_block(page, found))
    # ...and its "Отменить" posts to the job's cancel URL, not to the board.
    assert f'hx-post="/emis/persons/{found.person_id}/jobs/{job.pk}/cancel/"' in page
    answer = front_desk_client.get(poll)
    assert answer.status_code == 200
    assert f'id="job-{job.pk}"' in answer.content.decode()


def test_the_poll_reports_the_end_and_the_row(
    front_desk_client, reservation, guests, emis
):
    from emis.pull import job_run_pull

    pull_all(front_desk_client, reservation, **HTMX)
    found = guests[0]
    job = EmisJob.objects.get(person_id=found.person_id)
    job_run_pull(job_id=job.pk)
    url = f"/emis/board/stays/{found.pk}/jobs/{job.pk}/?date={hotel_today().isoformat()}"
    page = front_desk_client.get(url).content.decode()
    assert 'data-job-status="succeeded"' in page and "hx-trigger" not in page
    assert f'<span id="board-state-{found.pk}"' in page


def test_a_failed_pull_offers_to_try_this_guest_again(
    front_desk_client, reservation, guests, http, emis_connection,
    django_capture_on_commit_callbacks, settings,
):
    settings.EMIS_MAX_ATTEMPTS = 1
    found = guests[0]
    for guest in guests:
        http.get(f"{EMIS_BASE}/api/v1/persons/{guest.person_id}", status=401, json={})
    with django_capture_on_commit_callbacks(execute=True):
        pull_all(front_desk_client, reservation, **HTMX)
    block = poll(front_desk_client, found)
    assert 'data-job-status="failed"' in block
    retry = f"/emis/board/stays/{found.pk}/pull/?date={hotel_today().isoformat()}"
    assert f'hx-post="{retry}"' in block
    assert 'hx-target="closest .board-pull"' in block
    with django_capture_on_commit_callbacks(execute=True):
        again = front_desk_client.post(retry, **HTMX)
    assert again.status_code == 202
    assert EmisJob.objects.filter(person_id=found.person_id).count() == 2


def test_a_guest_out_of_scope_is_named_and_the_others_pulled(
    front_desk_client, reservation, guests, emis, django_capture_on_commit_callbacks
):
    # The legal entity switched off: no job for anyone, and each row says why.
    reservation.legal_entity.is_active = False
    reservation.legal_entity.save()
    with django_capture_on_commit_callbacks(execute=True):
        page = pull_all(front_desk_client, reservation, **HTMX).content.decode()
    assert not EmisJob.objects.exists()
    assert "Данные запрошены для 0 из 2 гостей." in page
    assert 'class="job job-error"' in oob_block(page, guests[0])


def test_emis_off_is_refused_in_words(front_desk_client, reservation, guests):
    response = pull_all(front_desk_client, reservation, **HTMX)
    assert response.status_code == 409
    assert "EMIS" in response.content.decode()
    assert not EmisJob.objects.exists()


def test_without_htmx_back_to_the_board_with_a_message(
    front_desk_client, reservation, guests, emis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pull_all(front_desk_client, reservation)
    assert response.status_code == 302
    assert response.url == f"/board/?date={hotel_today().isoformat()}"
    page = front_desk_client.get(response.url).content.decode()
    assert "Данные запрошены для 2 из 2 гостей." in page


def test_front_desk_only(support_client, reservation, guests):
    assert pull_all(support_client, reservation).status_code == 403
    assert not EmisJob.objects.exists()


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31", "2026-02-31"])
def test_a_day_the_board_cannot_show_is_refused_before_any_pull(
    front_desk_client, reservation, emis, bad
):
    """A day outside 1900–2100 used to be accepted (202) and every progress
    poll of it then failed with a 500."""
    url = f"/emis/board/reservations/{reservation.pk}/pull/"
    answer = front_desk_client.post(url, {"date": bad}, **HTMX)
    assert answer.status_code == 400
    assert "1900–2100" in answer.content.decode()
    assert not EmisJob.objects.exists()
    stay = reservation.stays.first()
    again = front_desk_client.post(
        f"/emis/board/stays/{stay.pk}/pull/", {"date": bad}, **HTMX
    )
    assert again.status_code == 400 and not EmisJob.objects.exists()


def test_a_poll_for_a_day_out_of_range_is_refused(front_desk_client, reservation, emis):
    pull_all(front_desk_client, reservation, **HTMX)
    job = EmisJob.objects.first()
    stay = reservation.stays.get(person_id=job.person_id)
    url = f"/emis/board/stays/{stay.pk}/jobs/{job.pk}/"
    refused = front_desk_client.get(url, {"date": "0001-01-01"}, **HTMX)
    assert refused.status_code == 400 and "1900–2100" in refused.content.decode()
    today = hotel_today().isoformat()
    assert front_desk_client.get(url, {"date": today}, **HTMX).status_code == 200


def test_without_htmx_a_bad_day_goes_back_to_todays_board(
    front_desk_client, reservation, emis
):
    url = f"/emis/board/reservations/{reservation.pk}/pull/"
    answer = front_desk_client.post(url, {"date": "0001-01-01"}, follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == f"/board/?date={hotel_today().isoformat()}"
    assert "1900–2100" in page and not EmisJob.objects.exists()
