"""The readiness checks are one set (``reservations/checks.py``), shown the
same everywhere: a guest with no citizenship gets ``citizenship_unknown``, and
is not ready, on the guest card, on the Гости tab, on the arrivals board and
in the API (the arrivals and the reservation's guests)."""

import datetime as dt
import re

import pytest

from reservations.deadlines import hotel_today
from reservations.models import IdentityDocument
from tests.factories import make_guest, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

CODE = "citizenship_unknown"


@pytest.fixture
def stay():
    today = hotel_today()
    reservation = make_reservation(arrival=today, departure=today + dt.timedelta(3))
    guest = make_guest(reservation, surname="Безгражданства", citizenship="")
    # A valid passport: the citizenship is the only thing missing.
    IdentityDocument.objects.create(person=guest.person, kind="passport_rf", number="1")
    return guest


def _warnings(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li data-code="([a-z_]+)">([^<]*)</li>', html)


def _card(client, stay) -> str:
    response = client.get(f"/reservations/{stay.reservation_id}/guests/{stay.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html.split("data-checks", 1)[1].split("</section>", 1)[0]


def _tab_row(client, stay) -> str:
    response = client.get(f"/reservations/{stay.reservation_id}/?tab=guests")
    html = response.content.decode()
    return html.split(f'<tr data-stay="{stay.pk}">', 1)[1].split("</tr>", 1)[0]


def _board_row(client, stay) -> str:
    response = client.get("/board/", {"date": stay.registration_from.isoformat()})
    html = response.content.decode()
    return html.split(f'data-stay="{stay.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Гражданство не указано"), ("en", "Citizenship not set")],
)
def test_no_citizenship_is_the_same_warning_on_every_page(
    front_desk_client, stay, language, text
):
    if language == "en":
        front_desk_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    expected = (CODE, text)
    card = _card(front_desk_client, stay)
    assert expected in _warnings(card)
    assert 'data-ready="false"' in card
    tab = _tab_row(front_desk_client, stay)
    assert expected in _warnings(tab)
    assert 'class="badge ok"' not in tab  # not ready
    board = _board_row(front_desk_client, stay)
    assert expected in _warnings(board)
    assert 'data-state="warnings"' in board


def test_the_api_says_it_in_the_same_words(api_front_desk, stay):
    day = stay.registration_from.isoformat()
    arrivals = api_front_desk.get("/api/v1/arrivals/", {"date": day}).json()
    (row,) = arrivals["results"]
    assert row["ready"] is False
    assert {"code": CODE, "message": "Гражданство не указано"} in row["warnings"]
    guests = api_front_desk.get(
        f"/api/v1/reservations/{stay.reservation_id}/guests/"
    ).json()
    assert guests[0]["warnings"] == row["warnings"]


def test_a_set_citizenship_takes_the_warning_away_everywhere(front_desk_client, stay):
    stay.person.citizenship = "RUS"
    stay.person.save()
    assert CODE not in _card(front_desk_client, stay)
    assert 'data-ready="true"' in _card(front_desk_client, stay)
    assert CODE not in _tab_row(front_desk_client, stay)
    assert CODE not in _board_row(front_desk_client, stay)


# --- The name left in the other script than the policy's ---------------------

NAME_CODE = "name_not_in_policy_script"
NAME_TEXT = (
    "Имя осталось кириллицей: латинское написание неизвестно (введено вручную, "
    "ни один документ его не дал). Получите документы из EMIS или впишите имя "
    "латиницей."
)


@pytest.fixture
def latin_policy(stay):
    from emis.models import NamePolicy

    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    # A Russian typed by staff in Cyrillic only: no Latin spelling known.
    stay.person.citizenship = "RUS"
    stay.person.save()
    return policy


def test_a_name_not_in_the_policys_script_is_said_on_every_page(
    front_desk_client, stay, latin_policy
):
    """The Гости tab said it alone (issue 12 review); it is one of the
    checks now. Information only: the guest stays ready."""
    expected = (NAME_CODE, NAME_TEXT)
    card = _card(front_desk_client, stay)
    assert expected in _warnings(card) and 'data-ready="true"' in card
    tab = _tab_row(front_desk_client, stay)
    assert expected in _warnings(tab) and 'class="badge ok"' in tab
    board = _board_row(front_desk_client, stay)
    assert expected in _warnings(board) and 'data-state="ready"' in board


def test_the_apis_name_it_too_and_keep_the_guest_ready(
    api_front_desk, stay, latin_policy
):
    day = stay.registration_from.isoformat()
    (row,) = api_front_desk.get("/api/v1/arrivals/", {"date": day}).json()["results"]
    assert row["ready"] is True
    assert row["warnings"] == [{"code": NAME_CODE, "message": NAME_TEXT}]
    guests = api_front_desk.get(f"/api/v1/reservations/{stay.reservation_id}/guests/")
    assert guests.json()[0]["warnings"] == row["warnings"]
    one = api_front_desk.get(
        f"/api/v1/reservations/{stay.reservation_id}/guests/{stay.pk}/"
    )
    assert one.json()["warnings"] == row["warnings"]


KNOWN_TEXT = (
    "Имя введено вручную кириллицей; известно латинское написание: "
    "BEZGRAZHDANSTVA. Политика имён не заменяет введённое вручную — исправьте "
    "имя в карточке, если нужно."
)


def test_a_known_latin_spelling_is_named_on_every_page_and_in_the_apis(
    front_desk_client, api_front_desk, stay, latin_policy
):
    """Typed in Cyrillic, the Latin spelling on file (issue 12, second
    review): a re-apply keeps the typed name, and said nothing why."""
    stay.person.surname_latin = "BEZGRAZHDANSTVA"
    stay.person.save()
    expected = (NAME_CODE, KNOWN_TEXT)
    assert expected in _warnings(_card(front_desk_client, stay))
    assert expected in _warnings(_tab_row(front_desk_client, stay))
    assert expected in _warnings(_board_row(front_desk_client, stay))
    day = stay.registration_from.isoformat()
    (row,) = api_front_desk.get("/api/v1/arrivals/", {"date": day}).json()["results"]
    assert row["warnings"] == [{"code": NAME_CODE, "message": KNOWN_TEXT}]
    assert row["ready"] is True
    guests = api_front_desk.get(f"/api/v1/reservations/{stay.reservation_id}/guests/")
    assert guests.json()[0]["warnings"] == row["warnings"]


def test_a_name_in_the_policys_script_says_nothing(
    front_desk_client, stay, latin_policy
):
    latin_policy.script = "cyrillic"
    latin_policy.save()
    assert NAME_CODE not in _card(front_desk_client, stay)
    assert NAME_CODE not in _tab_row(front_desk_client, stay)
    assert NAME_CODE not in _board_row(front_desk_client, stay)


# --- No identity document: "ничего нет" and the warning that says why --------


def test_no_identity_document_is_said_on_every_page(front_desk_client, stay):
    """The board showed the state "ничего нет" but left the warning out, which
    the card, the Гости tab and the API name (issue 12, second review)."""
    stay.person.citizenship = "RUS"
    stay.person.save()
    stay.person.documents.all().delete()
    expected = ("no_identity_document", "Нет документа, удостоверяющего личность")
    assert expected in _warnings(_card(front_desk_client, stay))
    assert expected in _warnings(_tab_row(front_desk_client, stay))
    board = _board_row(front_desk_client, stay)
    assert 'data-state="nothing"' in board and "ничего нет" in board
    assert expected in _warnings(board)
