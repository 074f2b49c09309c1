"""/api/v1/legal-entities/: admin writes, per-field validation."""

import pytest

from legal_entities.models import LegalEntity
from tests.factories import VALID_INN, VALID_OGRN, make_legal_entity

pytestmark = pytest.mark.django_db

URL = "/api/v1/legal-entities/"


def test_admin_creates_and_reads_a_legal_entity(api_admin):
    payload = {
        "name": "ООО Ромашка",
        "inn": VALID_INN,
        "kpp": "773601001",
        "ogrn": VALID_OGRN,
        "address": "Москва",
    }
    response = api_admin.post(URL, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        **payload,
        "id": body["id"],
        "is_active": True,
        "personal_data_retention_days": None,  # blank: kept
    }
    assert api_admin.get(f"{URL}{body['id']}/").json() == body
    assert LegalEntity.objects.get(pk=body["id"]).kpp == "773601001"


def test_check_digits_and_formats_are_reported_per_field(api_admin):
    response = api_admin.post(
        URL,
        {"name": "", "inn": "7707083894", "kpp": "12", "ogrn": "1027700132194"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "inn", "kpp", "ogrn"}
    assert not LegalEntity.objects.exists()


def test_patch_changes_only_the_given_field(api_admin):
    entity = make_legal_entity(name="Old", address="Москва")
    response = api_admin.patch(
        f"{URL}{entity.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    entity.refresh_from_db()
    assert (entity.name, entity.address, entity.is_active) == ("Old", "Москва", False)


def test_put_replaces_the_entity(api_admin):
    entity = make_legal_entity(name="Old")
    response = api_admin.put(
        f"{URL}{entity.pk}/", {"name": "New", "inn": "500100732259"}, format="json"
    )
    assert response.status_code == 200
    entity.refresh_from_db()
    assert (entity.name, entity.inn) == ("New", "500100732259")


def test_bad_patch_changes_nothing(api_admin):
    entity = make_legal_entity(name="Old")
    response = api_admin.patch(
        f"{URL}{entity.pk}/", {"name": "New", "inn": "123"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["inn"]
    entity.refresh_from_db()
    assert entity.name == "Old"


def test_no_delete(api_admin):
    entity = make_legal_entity()
    assert api_admin.delete(f"{URL}{entity.pk}/").status_code == 405
    assert LegalEntity.objects.filter(pk=entity.pk).exists()


def test_the_retention_period_is_bounded_in_the_api_and_its_schema(api_admin):
    entity = make_legal_entity()
    url = f"{URL}{entity.pk}/"
    for days in (36_501, 3_000_000):
        response = api_admin.patch(
            url, {"personal_data_retention_days": days}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"personal_data_retention_days"}
    ok = api_admin.patch(url, {"personal_data_retention_days": 36_500}, format="json")
    assert ok.status_code == 200
    schema = api_admin.get("/api/schema/?format=json")
    fields = schema.json()["components"]["schemas"]["LegalEntity"]["properties"]
    assert fields["personal_data_retention_days"]["maximum"] == 36_500
@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "ООО \u202eНева"), ("address", "Москва\u200b"), ("name", "\u3164")],
)
def test_hidden_characters_in_free_text_are_refused_by_field(api_admin, field, value):
    entity = make_legal_entity(name="ООО Нева")
    response = api_admin.patch(f"{URL}{entity.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    entity.refresh_from_db()
    assert entity.name == "ООО Нева"
