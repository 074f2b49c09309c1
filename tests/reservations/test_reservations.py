import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reservations.checks import StayWarning
from reservations.models import IdentityDocument, MigrationCard, Reservation, Visa
from tests.factories import make_guest, make_legal_entity, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _card(client, reservation, tab=None):
    url = reverse("reservations:card", args=[reservation.pk])
    return client.get(url, {"tab": tab} if tab else {})


def test_card_title_and_tabs_with_disabled_ones_not_links(front_desk_client):
    reservation = make_reservation()
    page = _card(front_desk_client, reservation).content.decode()
    assert f"Карточка заявки {reservation.pk}" in page
    tabs = page.split('class="tabs"')[1].split("</nav>")[0]
    for label in ("Заявка", "Бронирование", "Гости"):
        assert re.search(rf"<a [^>]*>{label}", tabs), label
    for key, label in (
        ("services", "Услуги"),
        ("group", "Группа"),
        ("inventory", "Инвентарь"),
    ):
        span = re.search(
            rf'<span class="tab disabled" data-tab="{key}"[^>]*>{label}</span>', tabs
        )
        assert span, label
        assert 'aria-disabled="true"' in span.group(0) and "title=" in span.group(0)
        assert f"tab={key}" not in tabs  # never a link, not even a dead one


def test_request_tab_saves_status_and_contacts(front_desk_client):
    reservation = make_reservation(status=Reservation.Status.TENTATIVE)
    page = _card(front_desk_client, reservation)
    for label in ("Временная", "Подтверждённая", "Заселена", "Выехала", "Отменена"):
        assert label in page.content.decode()
    data = {
        "status": "checked_in",
        "legal_entity": reservation.legal_entity_id,
        "phone": "8 912 345-67-89",
        "email": "a@example.com",
        "contact_method": "email",
        "organization": "ООО Орг",
        "payer": "Плательщик",
        "agency": "Агент",
        "note": "Поздний заезд",
    }
    url = reverse("reservations:card", args=[reservation.pk]) + "?tab=request"
    response = front_desk_client.post(url, data)
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == "checked_in"
    assert reservation.phone == "+79123456789"
    assert reservation.note == "Поздний заезд"


def test_booking_tab_edits_dates_and_rejects_departure_before_arrival(
    front_desk_client,
):
    reservation = make_reservation()
    make_guest(reservation)
    page = _card(front_desk_client, reservation, "booking").content.decode()
    assert "Количество гостей" in page
    url = reverse("reservations:card", args=[reservation.pk]) + "?tab=booking"
    bad = front_desk_client.post(
        url,
        {
            "arrival": "2026-12-05",
            "departure": "2026-12-01",
            "legal_entity": reservation.legal_entity_id,
        },
    )
    assert bad.status_code == 200 and "departure" in bad.context["form"].errors
    other = make_legal_entity(name="ООО Второе")
    good = front_desk_client.post(
        url,
        {"arrival": "2026-12-01", "departure": "2026-12-05", "legal_entity": other.pk},
    )
    assert good.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.arrival, reservation.departure) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 5),
    )
    assert reservation.legal_entity_id == other.pk


def test_create_reservation_then_card(front_desk_client):
    entity = make_legal_entity()
    response = front_desk_client.post(
        reverse("reservations:create"),
        {
            "arrival": "2026-12-01",
            "departure": "2026-12-03",
            "legal_entity": entity.pk,
            "status": "tentative",
        },
    )
    reservation = Reservation.objects.get()
    assert (
        response["Location"]
        == reverse("reservations:card", args=[reservation.pk]) + "?tab=guests"
    )


def test_list_filters_by_status_and_surname_and_paginates(front_desk_client):
    entity = make_legal_entity()
    repin = make_reservation(entity, status=Reservation.Status.CONFIRMED)
    make_guest(repin, surname="Репин")
    other = make_reservation(entity, status=Reservation.Status.CANCELLED)
    make_guest(other, surname="Шишкин")
    url = reverse("reservations:list")

    by_surname = front_desk_client.get(url, {"surname": "репин"})
    assert [r.pk for r in by_surname.context["page"]] == [repin.pk]
    by_status = front_desk_client.get(url, {"status": "cancelled"})
    assert [r.pk for r in by_status.context["page"]] == [other.pk]

    for _ in range(30):
        make_reservation(entity)
    first = front_desk_client.get(url)
    assert len(first.context["page"].object_list) == 25
    second = front_desk_client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 32 - 25


def _guest_with_documents(reservation, n):
    stay = make_guest(reservation, surname=f"Гость{n}", citizenship="DEU")
    IdentityDocument.objects.create(
        person=stay.person, kind="national_passport", number=f"C{n:08d}"
    )
    Visa.objects.create(person=stay.person, number=f"V{n}")
    MigrationCard.objects.create(person=stay.person, number=f"M{n}")
    return stay


def _guests_tab_queries(client, guests):
    reservation = make_reservation()
    for n in range(guests):
        _guest_with_documents(reservation, n)
    with CaptureQueriesContext(connection) as ctx:
        response = _card(client, reservation, "guests")
    assert response.status_code == 200
    assert response.content.decode().count('data-stay="') == guests
    return len(ctx.captured_queries)


def test_card_query_count_does_not_grow_with_guests(front_desk_client):
    _guests_tab_queries(front_desk_client, 1)  # warm up session/user caches
    assert _guests_tab_queries(front_desk_client, 1) == _guests_tab_queries(
        front_desk_client, 50
    )


def test_guests_tab_shows_ids_card_issued_warnings_and_readiness(
    front_desk_client, monkeypatch
):
    reservation = make_reservation()
    ready = _guest_with_documents(reservation, 1)
    warned = _guest_with_documents(reservation, 2)
    bare = make_guest(reservation, surname="Безбумажный")
    bare.card_issued = True
    bare.save()

    def fake_warnings(stay, **papers):
        if stay.pk == warned.pk:
            return [StayWarning(code="visa_expired", message="Виза истекла")]
        return []

    monkeypatch.setattr("reservations.checks.stay_warnings", fake_warnings)
    page = _card(front_desk_client, reservation, "guests").content.decode()
    assert "Документы готовы: 1 из 3" in page
    assert f"ID: {ready.pk}" in page
    assert f"ID персоны: <strong>{bare.person_id}</strong>" in page
    assert 'data-code="visa_expired">Виза истекла' in page
    row = page.split(f'data-stay="{bare.pk}"')[1].split("</tr>")[0]
    assert '<td data-label="Карта выдана">Да</td>' in row
    assert "Добавить гостя" in page


def test_english_switch_renders_english_labels(front_desk_client):
    reservation = make_reservation()
    card = reverse("reservations:card", args=[reservation.pk])
    assert "Карточка заявки" in front_desk_client.get(card).content.decode()
    response = front_desk_client.post(
        reverse("set_language"), {"language": "en", "next": card}
    )
    assert response.status_code == 302
    page = front_desk_client.get(card).content.decode()
    assert f"Reservation card {reservation.pk}" in page
    assert "Booking" in page and "Inventory" in page and "Log out" in page
    assert "Карточка заявки" not in page


def test_reservation_pages_need_front_desk(support_client):
    reservation = make_reservation()
    assert support_client.get(reverse("reservations:list")).status_code == 403
    assert _card(support_client, reservation).status_code == 403


def test_admin_may_use_front_desk_pages(admin_client_):
    reservation = make_reservation()
    assert _card(admin_client_, reservation, "guests").status_code == 200
