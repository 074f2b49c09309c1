"""Issue 11, item 2: full document numbers only in the card's form, for
front desk and admins; masked (``pms.masking.mask_number``) in lists, the
history, the Django admin and for support everywhere."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from personal_data.models import PersonalDataAccess
from pms.roles import Role
from reservations.models import IdentityDocument, PersonChange, Visa
from reservations.services import RecordEdit, person_records_save
from tests.factories import make_person, make_reservation

from .conftest import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]
FULL, MASKED = "123456", "****56"


def _card(stay) -> str:
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_the_cards_form_has_the_full_number(guest, role):
    page = logged_in(role).get(_card(guest)).content.decode()
    form = page.split('id="history-title"')[0]
    assert f'value="{FULL}"' in form


def test_support_has_no_card(guest):
    assert logged_in(Role.SUPPORT).get(_card(guest)).status_code == 403


def test_search_results_mask_numbers(guest):
    url = reverse("reservations:guest_new", args=[make_reservation().pk])
    response = logged_in(Role.ADMIN).get(url, {"q": "4510 123456"}, follow=True)
    page = response.content.decode()
    results = page.split('class="matches"')[1]
    # The series (region and year of issue) is masked with the number.
    assert "********56" in results
    assert FULL not in results and "4510" not in results


def test_the_merge_page_masks_numbers(guest):
    twin = make_person("Репин")
    IdentityDocument.objects.create(
        person=twin, kind="passport_rf", series="4510", number=FULL
    )
    Visa.objects.create(person=twin, series="24", number="7654321")
    url = reverse("reservations:person_merge", args=[twin.pk])
    page = logged_in(Role.ADMIN).get(url, {"into": guest.person_id}).content.decode()
    assert "********56" in page and "*******21" in page
    assert FULL not in page and "7654321" not in page and "4510 " not in page


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN, Role.SUPPORT])
def test_the_history_page_never_shows_a_full_number(guest, role):
    doc = guest.person.documents.get()
    edit = RecordEdit(pk=doc.pk, values={"number": "654321"})
    person_records_save(person_id=guest.person_id, edits={"documents": [edit]})
    url = reverse("reservations:person_history", args=[guest.person_id])
    page = logged_in(role).get(url).content.decode()
    assert "654321" not in page and FULL not in page
    assert "********21" in page  # the row's title, series masked too
    assert "4510" not in page


def _admin_pages(client: Client, guest) -> str:
    urls = [
        reverse("admin:reservations_person_changelist"),
        reverse("admin:reservations_person_change", args=[guest.person_id]),
        reverse("admin:reservations_stay_changelist"),
        reverse("reservations:person_history", args=[guest.person_id]),
    ]
    pages = [client.get(url) for url in urls]
    return "".join(p.content.decode() for p in pages if p.status_code == 200)


def test_the_django_admin_shows_support_no_full_number(guest):
    pages = _admin_pages(logged_in(Role.SUPPORT), guest)
    assert "Репин" in pages and FULL not in pages


def test_the_django_admin_shows_a_superuser_no_full_number(guest):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "r@example.com", "x" * 12))
    pages = _admin_pages(client, guest)
    assert "Репин" in pages and FULL not in pages


def test_support_cannot_read_the_person_api(guest, api_support):
    """The API masks numbers for any role that may not see them
    (tests/reservations/test_persons_api.py); support does not reach it."""
    url = reverse("api-person", args=[guest.person_id])
    assert api_support.get(url).status_code == 403


def test_the_api_gives_front_desk_the_full_number(guest, api_front_desk):
    """The person API is the card's form for programs: it edits numbers."""
    data = api_front_desk.get(reverse("api-person", args=[guest.person_id])).json()
    assert data["documents"][0]["number"] == FULL


# --- "Show the full number" on a history row -----------------------------------


def _number_change(guest):
    doc = guest.person.documents.get()
    edit = RecordEdit(pk=doc.pk, values={"number": "654321"})
    person_records_save(person_id=guest.person_id, edits={"documents": [edit]})
    return PersonChange.objects.get(entity="document", field="number")


def _reveal(client: Client, guest, change_id: int):
    url = reverse("personal_data:history_reveal", args=[guest.person_id, change_id])
    return client.post(url, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_staff_reveal_a_history_number_and_the_log_says_so(guest, role):
    change = _number_change(guest)
    client = logged_in(role, username="clerk")
    page = client.get(reverse("reservations:person_history", args=[guest.person_id]))
    assert "data-reveal" in page.content.decode() and FULL not in page.content.decode()
    row = _reveal(client, guest, change.pk)
    assert row.status_code == 200
    html = row.content.decode()
    assert html.strip().startswith("<tr") and FULL in html and "654321" in html
    assert "data-reveal>" not in html  # no button left in the row
    read = PersonalDataAccess.objects.get(kind="document_number_revealed")
    assert (read.username, read.person_id) == ("clerk", guest.person_id)
    # Which row, by its ID: no value of the document (the series neither).
    assert read.detail == f"history row {change.pk}"


def test_support_cannot_reveal(guest):
    change = _number_change(guest)
    assert _reveal(logged_in(Role.SUPPORT), guest, change.pk).status_code == 403
    assert not PersonalDataAccess.objects.filter(
        kind="document_number_revealed"
    ).exists()


def test_only_a_number_row_of_that_person_reveals(guest):
    change = _number_change(guest)
    other = PersonChange.objects.filter(person_id=guest.person_id, sensitive=False)
    client = logged_in(Role.FRONT_DESK)
    assert _reveal(client, guest, other.first().pk).status_code == 404
    stranger = make_person("Чужой")
    url = reverse("personal_data:history_reveal", args=[stranger.pk, change.pk])
    assert client.post(url).status_code == 404
    assert (
        client.get(
            reverse("personal_data:history_reveal", args=[guest.person_id, change.pk])
        ).status_code
        == 405
    )
    assert not PersonalDataAccess.objects.filter(
        kind="document_number_revealed"
    ).exists()
