"""The admin's merge from the guest card (a confirmation page, then a POST
form with CSRF, no JavaScript), and the pages for a merged person's ID."""

import pytest
from django.test import Client
from django.urls import reverse

from pms.roles import Role
from reservations.models import IdentityDocument, Person
from reservations.services import person_merge, stay_create
from tests.factories import make_guest, make_person, make_reservation, make_user
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


@pytest.fixture
def pair():
    older = make_guest(make_reservation(), surname="Репин")
    newer = make_guest(make_reservation(), surname="Repin")
    for stay in (older, newer):
        IdentityDocument.objects.create(
            person=stay.person, kind="passport_rf", series="4510", number="123456"
        )
    return older, newer


def _merge_url(person_id):
    return reverse("reservations:person_merge", args=[person_id])


def test_confirm_then_merge(pair):
    older, newer = pair
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(make_user(Role.ADMIN))
    confirm = admin.get(_merge_url(newer.person_id), {"into": older.person_id})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Объединение дубликатов персон" in page
    assert "У обеих: Паспорт гражданина РФ ********56" in page
    assert f"ID персоны {newer.person_id} продолжает работать как псевдоним" in page
    assert "<script" not in page.split("<main")[1]  # no JavaScript in the step
    assert Person.objects.filter(pk=newer.person_id).exists()  # a GET changes nothing

    assert f'action="{_merge_url(newer.person_id)}"' in page
    data = form_data(page, "merge-form")
    assert data["into"] == str(older.person_id) and "csrfmiddlewaretoken" in data
    without_csrf = admin.post(_merge_url(newer.person_id), {"into": older.person_id})
    assert without_csrf.status_code == 403

    done = admin.post(_merge_url(newer.person_id), data)
    survivor_page = reverse("reservations:person", args=[older.person_id])
    assert (done.status_code, done["Location"]) == (302, survivor_page)
    assert not Person.objects.filter(pk=newer.person_id).exists()
    card = admin.get(survivor_page, follow=True).content.decode()
    assert (
        f"Персона с ID {newer.person_id} объединена с ID персоны {older.person_id}."
        in card
    )
    assert "Возможно, это тот же гость" not in card  # one passport now
    assert "ID персоны (объединение дубликатов)" in card  # in the history


def test_a_refused_merge_is_shown_and_changes_nothing(admin_client_, pair):
    older, newer = pair
    shared = make_reservation()
    stay_create(reservation=shared, person=older.person)
    stay_create(reservation=shared, person=newer.person)
    url = _merge_url(newer.person_id)
    confirm = admin_client_.get(url, {"into": older.person_id}).content.decode()
    assert f"Обе персоны — гости заявки {shared.pk}" in confirm
    assert 'name="into"' not in confirm  # nothing to confirm
    posted = admin_client_.post(url, {"into": older.person_id})
    assert posted.status_code == 409
    assert f"Обе персоны — гости заявки {shared.pk}" in posted.content.decode()
    assert Person.objects.filter(pk=newer.person_id).exists()


def test_front_desk_cannot_merge(front_desk_client, pair):
    older, newer = pair
    url = _merge_url(newer.person_id)
    assert front_desk_client.get(url, {"into": older.person_id}).status_code == 403
    assert front_desk_client.post(url, {"into": older.person_id}).status_code == 403
    assert Person.objects.filter(pk=newer.person_id).exists()


def test_the_guest_page_of_an_alias_is_the_survivors_card(front_desk_client, pair):
    older, newer = pair
    person_merge(person_id=newer.person_id, into_id=older.person_id)
    # The newer stay (latest arrival first, then the newest) is the survivor's now.
    response = front_desk_client.get(reverse("reservations:person", args=[newer.person_id]))
    assert response.status_code == 302
    assert response["Location"] == newer.get_absolute_url()
    card = front_desk_client.get(response["Location"]).content.decode()
    assert f'id="person-id">{older.person_id}</span>' in card
    history = front_desk_client.get(
        reverse("reservations:person_history", args=[newer.person_id])
    )
    assert history["Location"] == reverse(
        "reservations:person_history", args=[older.person_id]
    )


def test_the_person_page_without_a_stay_is_the_history(front_desk_client):
    person = make_person("Бездомный")
    response = front_desk_client.get(reverse("reservations:person", args=[person.pk]))
    assert response["Location"] == reverse("reservations:person_history", args=[person.pk])
    missing = front_desk_client.get(reverse("reservations:person", args=[987654]))
    assert missing.status_code == 404


@pytest.mark.parametrize("into", ["-1", "0", str(2**63), "9" * 5000, "abc", " 7", "²"])
def test_an_into_no_person_can_have_is_no_such_person_never_a_500(
    admin_client_, pair, into
):
    _, newer = pair
    url = _merge_url(newer.person_id)
    # The page's refusal: 200 on the confirmation, 409 on the merge itself.
    for method, status in ((admin_client_.get, 200), (admin_client_.post, 409)):
        response = method(url, {"into": into})
        assert response.status_code == status, (method.__name__, into)
        assert "Такой персоны нет." in response.content.decode()
    assert Person.objects.filter(pk=newer.person_id).exists()


def test_the_largest_id_is_read_and_found_to_be_nobody(admin_client_, pair):
    _, newer = pair
    response = admin_client_.get(_merge_url(newer.person_id), {"into": 2**63 - 1})
    assert response.status_code == 200
    assert "Такой персоны нет." in response.content.decode()
    assert 'name="into"' not in response.content.decode()  # nothing to confirm


def test_no_into_asks_for_one(admin_client_, pair):
    _, newer = pair
    response = admin_client_.get(_merge_url(newer.person_id), {"into": ""})
    assert "Выберите персону, с которой объединить." in response.content.decode()
