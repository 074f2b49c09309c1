import datetime as dt

import pytest
from django.urls import reverse

from reservations.models import IdentityDocument, Person, PersonChange, Stay
from reservations.services import person_update
from tests.factories import make_guest, make_reservation
from tests.support.formdata import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _new_url(reservation):
    return reverse("reservations:guest_new", args=[reservation.pk])


def _guest_url(stay):
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def _rendered(client, url) -> dict:
    response = client.get(url, follow=True)  # to the form's token (pms/submissions.py)
    assert response.status_code == 200
    return form_data(response.content.decode(), "guest-form")


def test_add_guest_with_only_a_surname_shows_person_id(front_desk_client):
    reservation = make_reservation()
    data = _rendered(front_desk_client, _new_url(reservation))
    data["person-surname"] = "Айвазовский"
    response = front_desk_client.post(_new_url(reservation), data)

    stay = Stay.objects.get(reservation=reservation)
    assert stay.person.surname == "Айвазовский"
    assert (stay.registration_from, stay.registration_to) == (
        reservation.arrival,
        reservation.departure,
    )
    assert response["Location"] == _guest_url(stay)
    page = front_desk_client.get(response["Location"]).content.decode()
    assert "ID персоны" in page
    assert f'id="person-id">{stay.person_id}</span>' in page


def test_new_guest_without_surname_is_refused(front_desk_client):
    reservation = make_reservation()
    data = _rendered(front_desk_client, _new_url(reservation))
    data["_emis"] = "1"
    response = front_desk_client.post(_new_url(reservation), data)
    assert response.status_code == 200  # re-rendered with errors, no EMIS
    assert "surname" in response.context["forms"].person.errors
    assert not Person.objects.exists()


def test_emis_button_saves_new_guest_then_opens_dialog(front_desk_client):
    reservation = make_reservation()
    data = _rendered(front_desk_client, _new_url(reservation))
    data.update({"person-surname": "Шишкин", "_emis": "1"})
    response = front_desk_client.post(_new_url(reservation), data)
    stay = Stay.objects.get(reservation=reservation)
    assert response["Location"] == _guest_url(stay) + "?emis=1"


def test_emis_button_saves_existing_guest_too(front_desk_client):
    stay = make_guest(make_reservation())
    data = _rendered(front_desk_client, _guest_url(stay))
    data.update({"person-given_names": "Илья", "_emis": "1"})
    response = front_desk_client.post(_guest_url(stay), data)
    assert response["Location"] == _guest_url(stay) + "?emis=1"
    assert Person.objects.get(pk=stay.person_id).given_names == "Илья"


def test_guest_page_includes_emis_hook_inside_the_form(front_desk_client):
    stay = make_guest(make_reservation())
    response = front_desk_client.get(_guest_url(stay))
    assert "emis/_guest_card_emis.html" in [t.name for t in response.templates]
    assert response.context["person"] == stay.person
    assert response.context["stay"] == stay
    assert response.context["reservation"] == stay.reservation
    page = response.content.decode()
    form = page.split('id="guest-form"')[1].split("</form>")[0]
    assert 'name="_save"' in form
    new = front_desk_client.get(_new_url(stay.reservation), follow=True)
    assert new.context["person"] is None and new.context["stay"] is None


def test_new_guest_with_documents_records_history(front_desk_client):
    reservation = make_reservation()
    data = _rendered(front_desk_client, _new_url(reservation))
    data.update(
        {
            "person-surname": "Репин",
            "person-citizenship": "RUS",
            "person-birth_date": "1985-08-05",
            "person-phone": "8 (912) 345-67-89",
            "documents-0-kind": "passport_rf",
            "documents-0-series": "4510",
            "documents-0-number": "123456",
            "documents-0-issuer_code": "770-001",
            "documents-0-issuing_country": "RUS",
            "migration_card-0-number": "7654321",
        }
    )
    front_desk_client.post(_new_url(reservation), data)
    person = Person.objects.get()
    assert person.phone == "+79123456789"
    doc = person.documents.get()
    assert (doc.series, doc.number, doc.issuer_code) == ("4510", "123456", "770-001")
    assert person.migration_card.number == "7654321"
    number_row = PersonChange.objects.get(
        entity="document", entity_id=doc.pk, field="number"
    )
    assert number_row.sensitive and number_row.new_value == "123456"
    assert number_row.entity_label == "passport_rf 4510 ****56"  # never the number
    assert not PersonChange.objects.get(field="surname").sensitive


def test_attach_existing_person_keeps_person_id(front_desk_client):
    earlier = make_guest(make_reservation(), surname="Левитан", phone="+79110001122")
    IdentityDocument.objects.create(
        person=earlier.person, kind="passport_rf", series="4011", number="654321"
    )
    reservation = make_reservation()
    url = _new_url(reservation)
    for query in ("левитан", "+7 911 000-11-22", "4011 654321", "654321"):
        page = front_desk_client.get(url, {"q": query}, follow=True)
        matches = page.context["matches"]
        assert [p.pk for p in matches] == [earlier.person_id], query

    response = front_desk_client.post(
        reverse("reservations:guest_attach", args=[reservation.pk]),
        {"person_id": earlier.person_id},
    )
    stay = Stay.objects.get(reservation=reservation)
    assert stay.person_id == earlier.person_id
    assert Person.objects.count() == 1
    assert response["Location"] == _guest_url(stay)
    # Already a guest: found, but shown as such with a link to their card,
    # not offered again (outside check: "Никого не найдено" for a guest
    # just added told the clerk to add her again); a second attach is refused.
    found = front_desk_client.get(url, {"q": "Левитан"}, follow=True)
    (match,) = found.context["matches"]
    assert (match.pk, match.here_stay_id) == (earlier.person_id, stay.pk)
    page = found.content.decode()
    assert f'href="{_guest_url(stay)}" data-already-here>' in page
    assert "Уже гость этой заявки" in page
    assert f'name="person_id" value="{earlier.person_id}"' not in page
    again = front_desk_client.post(
        reverse("reservations:guest_attach", args=[reservation.pk]),
        {"person_id": earlier.person_id},
    )
    assert again.status_code == 302
    assert Stay.objects.filter(reservation=reservation).count() == 1


def test_save_of_a_stale_form_keeps_concurrent_changes(front_desk_client):
    stay = make_guest(make_reservation(), surname="Репин")
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", series="4510", number="123456"
    )
    data = _rendered(front_desk_client, _guest_url(stay))  # the form as shown

    # Meanwhile EMIS delivers a name and a document date, a colleague a note.
    person_update(
        person_id=stay.person_id,
        values={"given_names": "Илья", "birth_place": "Чугуев"},
        source=PersonChange.Source.WEBHOOK,
    )
    IdentityDocument.objects.filter(pk=doc.pk).update(expiry_date=dt.date(2030, 1, 1))
    Stay.objects.filter(pk=stay.pk).update(note="Поздний заезд")

    data.update(
        {
            "person-phone": "+79123456789",
            "documents-0-issuer": "ОВД Москвы",
            "stay-card_issued": "on",
        }
    )
    response = front_desk_client.post(_guest_url(stay), data)
    assert response.status_code == 302

    person = Person.objects.get(pk=stay.person_id)
    assert person.given_names == "Илья" and person.birth_place == "Чугуев"
    assert person.phone == "+79123456789"
    doc.refresh_from_db()
    assert doc.expiry_date == dt.date(2030, 1, 1) and doc.issuer == "ОВД Москвы"
    stay.refresh_from_db()
    assert stay.note == "Поздний заезд" and stay.card_issued
    manual = PersonChange.objects.filter(source="manual", person=person)
    assert set(manual.values_list("field", flat=True)) >= {"phone"}
    assert not manual.filter(field__in=["given_names", "birth_place"]).exists()


def test_deleting_a_document_is_recorded(front_desk_client):
    stay = make_guest(make_reservation())
    doc = IdentityDocument.objects.create(
        person=stay.person, kind="id_card", number="998877"
    )
    data = _rendered(front_desk_client, _guest_url(stay))
    data["documents-0-DELETE"] = "on"
    front_desk_client.post(_guest_url(stay), data)
    assert not IdentityDocument.objects.filter(pk=doc.pk).exists()
    row = PersonChange.objects.get(entity="document", entity_id=doc.pk, field="number")
    assert (row.old_value, row.new_value, row.sensitive) == ("998877", "", True)


def _history_fixture():
    stay = make_guest(make_reservation(), surname="Репин")
    IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", number="4510123456"
    )
    PersonChange.objects.create(
        person=stay.person,
        entity=PersonChange.Entity.DOCUMENT,
        entity_label="passport_rf ********56",
        field="number",
        old_value="",
        new_value="4510123456",
        sensitive=True,
        source=PersonChange.Source.WEBHOOK,
    )
    person_update(person_id=stay.person_id, values={"given_names": "Илья"})
    return stay


def test_history_shows_newest_first_with_numbers_masked_for_front_desk(
    front_desk_client,
):
    """The full number is in the card's form only (152-FZ, issue 11)."""
    stay = _history_fixture()
    page = front_desk_client.get(_guest_url(stay)).content.decode()
    form, history = page.split('id="history-title"')
    assert "История изменений" in page
    assert "4510123456" in form  # the document's own field
    assert "4510123456" not in history and "********56" in history
    assert history.index("Илья") < history.index("********56")  # newest first
    assert "EMIS (сохранено в EMIS)" in history and "Ручная правка" in history


def test_history_shows_support_no_values(support_client):
    stay = _history_fixture()
    assert support_client.get(_guest_url(stay)).status_code == 403
    url = reverse("reservations:person_history", args=[stay.person_id])
    page = support_client.get(url).content.decode()
    history = page.split("history-table")[1]
    assert "4510123456" not in page  # the row's title masks the number
    assert '<td class="new" data-label="Стало">скрыто</td>' in history
    assert "Илья" not in history  # which field changed, not to what
    assert "Имя" in history and "скрыто" in history and "Ручная правка" in history


def test_history_is_limited_to_50_rows(front_desk_client):
    stay = make_guest(make_reservation())
    PersonChange.objects.bulk_create(
        PersonChange(
            person=stay.person, field="note", new_value=str(i), source="manual"
        )
        for i in range(60)
    )
    response = front_desk_client.get(_guest_url(stay))
    assert len(response.context["history"]) == 50


def test_guest_of_another_reservation_is_404(front_desk_client):
    stay = make_guest(make_reservation())
    other = make_reservation()
    url = reverse("reservations:guest", args=[other.pk, stay.pk])
    assert front_desk_client.get(url).status_code == 404


def test_history_shows_labels_of_coded_values(front_desk_client):
    stay = make_guest(make_reservation())
    person_update(person_id=stay.person_id, values={"sex": "M"})
    history = front_desk_client.get(_guest_url(stay)).context["history"]
    assert (history[0].field, history[0].new) == ("Пол", "Мужской")


def test_support_finds_person_in_django_admin_with_history_link(support_client):
    stay = make_guest(make_reservation(), surname="Верещагин")
    page = support_client.get("/admin/reservations/person/").content.decode()
    assert "Верещагин" in page
    assert reverse("reservations:person_history", args=[stay.person_id]) in page
