"""The Гости tab's rows built in Python (reservations/templatetags/
guest_table.py): every value escaped, each cell labelled for the phone
layout."""

import pytest

from reservations.selectors import reservation_card
from reservations.templatetags.guest_table import guest_rows
from tests.factories import make_guest, make_reservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def test_values_are_escaped_and_cells_labelled():
    reservation = make_reservation()
    stay = make_guest(
        reservation, surname="<script>alert(1)</script>", patronymic='"><img src=x>'
    )
    card = reservation_card(reservation.pk)
    html = guest_rows(card.guests, card.reservation, set())
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="/reservations/{reservation.pk}/guests/{stay.pk}/"' in html
    labels = [
        "Гость",
        "Контакты",
        "Документы",
        "Карта выдана",
        "Проверки",
        "Примечание",
    ]
    assert [f'data-label="{label}"' in html for label in labels] == [True] * 6
