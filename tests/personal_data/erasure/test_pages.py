"""The guest card's personal-data part (admins: export and erase; everyone:
the erased banner), the erasure's confirmation page, and the retention
period on the legal entity's page and in its API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from legal_entities.models import LegalEntity
from personal_data.models import PersonalDataAccess, PersonErasure
from reservations.models import Person, Stay
from reservations.services import stay_create
from tests.factories import VALID_INN, VALID_OGRN, make_legal_entity

from .conftest import PHONE, SURNAME, coming

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _card(client, guest):
    stay = Stay.objects.get(person=guest.person, reservation=guest.reservation)
    return client.get(
        reverse("reservations:guest", args=[stay.reservation_id, stay.pk])
    )


def test_admins_see_export_and_erase_on_the_card(admin_client_, guest):
    page = _card(admin_client_, guest).content.decode()
    assert reverse("personal_data:export", args=[guest.person.pk]) in page
    assert reverse("personal_data:erase", args=[guest.person.pk]) in page
    assert "Удалить персональные данные…" in page
    assert "data-erased" not in page


def test_front_desk_sees_neither(front_desk_client, guest):
    page = _card(front_desk_client, guest).content.decode()
    assert "data-personal-data-actions" not in page


def test_erase_from_the_card_after_confirming(admin_client_, guest):
    url = reverse("personal_data:erase", args=[guest.person.pk])
    confirm = admin_client_.get(url).content.decode()
    assert 'name="reason"' in confirm and "Это необратимо" in confirm
    assert Person.objects.get(pk=guest.person.pk).phone == PHONE  # GET erases nothing

    response = admin_client_.post(url, {"reason": "Письменное заявление"})

    assert response.status_code == 302
    assert Person.objects.get(pk=guest.person.pk).phone == ""
    page = _card(admin_client_, guest).content.decode()
    erased_at = PersonErasure.objects.get().erased_at
    assert (
        f"Персональные данные удалены {erased_at.astimezone():%d.%m.%Y}: "
        "Письменное заявление"
    ) in page
    assert SURNAME[0] not in page


def test_the_confirmation_refuses_while_a_stay_is_current(admin_client_, guest):
    stay_create(reservation=coming(guest.legal_entity), person=guest.person)
    url = reverse("personal_data:erase", args=[guest.person.pk])
    assert "текущее или будущее проживание" in admin_client_.get(url).content.decode()
    response = admin_client_.post(url, {"reason": "Заявление"})
    assert response.status_code == 409
    assert not PersonErasure.objects.exists()


def test_the_confirmation_needs_a_reason(admin_client_, guest):
    url = reverse("personal_data:erase", args=[guest.person.pk])
    response = admin_client_.post(url, {"reason": " "})
    assert response.status_code == 400
    assert "Укажите, почему данные удаляются." in response.content.decode()


def test_the_card_downloads_the_export(admin_client_, guest):
    response = admin_client_.get(
        reverse("personal_data:export", args=[guest.person.pk])
    )
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["person"]["surname_cyrillic"] == SURNAME[0]


def test_the_retention_period_on_the_legal_entity_page(admin_client_):
    url = reverse("legal_entities:add")
    form = admin_client_.get(url, follow=True).content.decode()
    assert "Срок хранения персональных данных, дней" in form
    assert "ID персоны, проживания и даты остаются" in form
    data = {"name": "ООО Ромашка", "inn": VALID_INN, "ogrn": VALID_OGRN}
    admin_client_.post(
        url, {**data, "is_active": "on", "personal_data_retention_days": "1095"}
    )
    entity = LegalEntity.objects.get(name="ООО Ромашка")
    assert entity.personal_data_retention_days == 1095


def test_the_retention_period_in_the_api(api_admin):
    entity = make_legal_entity()
    url = f"/api/v1/legal-entities/{entity.pk}/"
    assert api_admin.get(url).json()["personal_data_retention_days"] is None
    response = api_admin.patch(
        url, {"personal_data_retention_days": 365}, format="json"
    )
    assert response.json()["personal_data_retention_days"] == 365
    blank = api_admin.patch(url, {"personal_data_retention_days": None}, format="json")
    assert blank.json()["personal_data_retention_days"] is None


def test_the_card_keeps_every_erasure_and_offers_erase_only_with_data_left(
    admin_client_, guest
):
    from reservations.services import person_update

    pid = guest.person.pk
    url = reverse("personal_data:erase", args=[pid])
    assert admin_client_.post(url, {"reason": "Первое заявление"}).status_code == 302

    page = _card(admin_client_, guest).content.decode()
    assert url not in page  # nothing left to erase: no button
    confirm = admin_client_.get(url).content.decode()
    assert "уже удалены" in confirm and 'name="reason"' not in confirm
    assert admin_client_.post(url, {"reason": "Второе"}).status_code == 409

    person_update(person_id=pid, values={"phone": "+79001112233"})
    assert url in _card(admin_client_, guest).content.decode()
    assert admin_client_.post(url, {"reason": "Второе заявление"}).status_code == 302

    page = _card(admin_client_, guest).content.decode()
    assert "Первое заявление" in page and "Второе заявление" in page
    assert page.index("Первое заявление") < page.index("Второе заявление")


def test_the_confirmation_names_whom_it_erases_and_logs_that_read(admin_client_, guest):
    person = Person.objects.get(pk=guest.person.pk)
    url = reverse("personal_data:erase", args=[person.pk])

    confirm = admin_client_.get(url).content.decode()

    assert f"Чьи данные: {person.full_name}, дата рождения 17.02.1983" in confirm
    assert SURNAME[0] in person.full_name or SURNAME[1] in person.full_name.upper()
    erasure_reads = PersonalDataAccess.objects.filter(kind="erasure")
    assert list(erasure_reads.values_list("person_id", flat=True)) == [person.pk]

    assert admin_client_.post(url, {"reason": "Заявление"}).status_code == 302
    after = admin_client_.get(url).content.decode()
    assert "Чьи данные" not in after  # nothing left to name, no read logged
    assert erasure_reads.count() == 1
