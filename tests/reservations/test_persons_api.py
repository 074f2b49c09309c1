"""/api/v1/persons/{id}/: partial updates, documents, masking, atomicity."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from pms.roles import Role
from reservations import services
from reservations.models import IdentityDocument, MigrationCard, Person, Visa
from reservations.serializers import PersonSerializer
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


def _url(person: Person) -> str:
    return f"/api/v1/persons/{person.pk}/"


@pytest.fixture
def person():
    person = make_person(
        "Репин", given_names="Илья", surname_latin="REPIN", citizenship="RUS"
    )
    IdentityDocument.objects.create(
        person=person,
        kind="passport_rf",
        series="4510",
        number="123456",
        issue_date=dt.date(2015, 1, 1),
        issuer_code="770-001",
    )
    Visa.objects.create(person=person, number="987654321", entries="multiple")
    MigrationCard.objects.create(person=person, series="4517", number="7654321")
    return person


def test_get_has_the_documented_shape(api_front_desk, person):
    body = api_front_desk.get(_url(person)).json()
    assert body["id"] == person.pk
    assert body["latin"] == {"surname": "REPIN", "given_names": "", "patronymic": ""}
    assert body["cyrillic"] == {"surname": "", "given_names": "", "patronymic": ""}
    doc = body["documents"][0]
    assert set(doc) == {
        "id",
        "kind",
        "series",
        "number",
        "issue_date",
        "expiry_date",
        "issuer",
        "issuer_code",
        "issuing_country",
        "source",
    }
    assert doc["number"] == "123456"  # front desk sees numbers in full
    assert set(body["visas"][0]) == {
        "id",
        "series",
        "number",
        "category",
        "entries",
        "valid_from",
        "valid_to",
        "issuing_country",
    }
    assert body["migration_card"] == {
        "series": "4517",
        "number": "7654321",
        "entry_date": None,
        "valid_to": None,
        "visit_purpose": "",
    }
    for key in (
        "emis_version",
        "transliterated_parts",
        "updated_at",
        "discount",
        "sex",
        "birth_date",
        "birth_place",
        "country",
        "email",
        "address",
    ):
        assert key in body


def test_unknown_person_is_404(api_front_desk):
    assert api_front_desk.get("/api/v1/persons/999999/").status_code == 404


def test_put_is_not_offered(api_front_desk, person):
    assert api_front_desk.put(_url(person), {"surname": "X"}).status_code == 405


def test_patch_writes_only_the_fields_sent(api_front_desk, person):
    # Someone else (EMIS, a colleague) changes birth_place after our GET.
    api_front_desk.get(_url(person))
    Person.objects.filter(pk=person.pk).update(birth_place="Москва")
    response = api_front_desk.patch(
        _url(person),
        {"given_names": "Илья Ефимович", "cyrillic": {"surname": "Репин"}},
        format="json",
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.birth_place == "Москва"
    assert person.given_names == "Илья Ефимович"
    assert person.surname_cyrillic == "Репин"
    assert person.surname_latin == "REPIN"  # the other script is untouched
    fields = set(person.changes.values_list("field", flat=True))
    assert fields == {"given_names", "surname_cyrillic"}
    assert response.json()["cyrillic"]["surname"] == "Репин"


def test_read_only_fields_are_ignored(api_front_desk, person):
    api_front_desk.patch(
        _url(person),
        {"emis_version": 99, "transliterated_parts": ["surname"]},
        format="json",
    )
    person.refresh_from_db()
    assert person.emis_version is None and person.transliterated_parts == []


def test_documents_are_replaced_matched_by_id(api_front_desk, person):
    doc = person.documents.get()
    visa = person.visas.get()
    response = api_front_desk.patch(
        _url(person),
        {
            "documents": [
                {"id": doc.pk, "expiry_date": "2030-01-01"},
                {
                    "kind": "foreign_passport_rf",
                    "number": "751234567",
                    "issuing_country": "rus",
                },
            ],
            "visas": [],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    docs = list(person.documents.order_by("id"))
    assert [d.pk for d in docs][0] == doc.pk and len(docs) == 2
    assert docs[0].expiry_date == dt.date(2030, 1, 1)
    assert docs[0].number == "123456"  # fields not sent are kept
    assert docs[1].issuing_country == "RUS"
    assert not Visa.objects.filter(pk=visa.pk).exists()
    assert len(response.json()["documents"]) == 2 and response.json()["visas"] == []

    changes = {(c.entity, c.entity_id, c.field): c for c in person.changes.all()}
    assert ("document", doc.pk, "expiry_date") in changes
    new_number = changes[("document", docs[1].pk, "number")]
    assert new_number.sensitive and new_number.new_value == "751234567"
    assert new_number.entity_label == "foreign_passport_rf *******67"
    assert not changes[("document", doc.pk, "expiry_date")].sensitive
    removed = changes[("visa", visa.pk, "number")]  # a deletion: row per field
    assert removed.sensitive and removed.old_value == "987654321"
    assert not any("123456" in c.entity_label for c in changes.values())


def test_migration_card_update_and_delete(api_front_desk, person):
    response = api_front_desk.patch(
        _url(person), {"migration_card": {"entry_date": "2026-11-20"}}, format="json"
    )
    assert response.status_code == 200
    card = MigrationCard.objects.get(person=person)
    assert card.entry_date == dt.date(2026, 11, 20) and card.number == "7654321"

    response = api_front_desk.patch(
        _url(person), {"migration_card": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["migration_card"] is None
    assert not MigrationCard.objects.filter(person=person).exists()
    removed = person.changes.filter(entity="migration_card", field="number")
    assert removed.get(new_value="").sensitive

    # A new card needs its number.
    response = api_front_desk.patch(
        _url(person), {"migration_card": {"series": "4517"}}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["migration_card"]) == ["number"]


def test_new_document_needs_kind_and_number(api_front_desk, person):
    response = api_front_desk.patch(
        _url(person), {"documents": [{"series": "4510"}]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["documents"]["0"]) == {"kind", "number"}
    assert person.documents.count() == 1


def test_foreign_document_id_is_refused(api_front_desk, person):
    stranger = make_person("Серов")
    theirs = IdentityDocument.objects.create(person=stranger, kind="other", number="1")
    response = api_front_desk.patch(
        _url(person), {"documents": [{"id": theirs.pk, "number": "2"}]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["documents"]["0"]) == ["id"]
    theirs.refresh_from_db()
    assert theirs.number == "1" and theirs.person_id == stranger.pk
    assert person.documents.count() == 1


def test_one_bad_field_saves_nothing(api_front_desk, person):
    before = api_front_desk.get(_url(person)).json()
    response = api_front_desk.patch(
        _url(person),
        {
            "surname": "Другой",
            "latin": {"surname": "DRUGOI"},
            "documents": [{"kind": "other", "number": "1", "issuing_country": "ZZZ"}],
            "visas": [],
            "migration_card": None,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["documents"]
    assert list(response.json()["documents"]["0"]) == ["issuing_country"]
    assert api_front_desk.get(_url(person)).json() == before
    assert not person.changes.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sex": "X"}, "sex"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"citizenship": "ZZZ"}, "citizenship"),
        ({"phone": "12"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"discount": "150"}, "discount"),
        ({"surname": ""}, "surname"),
        ({"latin": {"surname": "X" * 201}}, "latin"),
        (
            {
                "documents": [
                    {
                        "kind": "passport_rf",
                        "number": "1",
                        "issue_date": "2020-01-01",
                        "expiry_date": "2019-01-01",
                    }
                ]
            },
            "documents",
        ),
    ],
)
def test_bad_input_is_a_per_field_400(api_front_desk, person, payload, field):
    response = api_front_desk.patch(_url(person), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_failure_inside_the_service_rolls_back_earlier_writes(person):
    """The lock-holding transaction covers scalars and lists together: a list
    item deleted by someone else after validation undoes the scalar write."""
    with pytest.raises(ValidationError):
        services.person_apply(
            person_id=person.pk,
            values={"surname": "Другой"},
            documents=[{"id": 999999, "number": "1"}],
        )
    person.refresh_from_db()
    assert person.surname == "Репин"
    assert not person.changes.exists()


def _representation_for(user, person: Person) -> dict:
    request = APIRequestFactory().get("/")
    request.user = user
    person = Person.objects.prefetch_related("documents", "visas").get(pk=person.pk)
    return PersonSerializer(person, context={"request": request}).data


def test_numbers_are_masked_for_roles_that_may_not_see_them(person):
    data = _representation_for(make_user(Role.SUPPORT), person)
    assert data["documents"][0]["number"] == "****56"
    assert data["visas"][0]["number"] == "*******21"
    assert data["migration_card"]["number"] == "*****21"
    full = _representation_for(make_user(Role.FRONT_DESK), person)
    assert full["documents"][0]["number"] == "123456"


def test_a_masked_number_sent_back_keeps_the_stored_one(person):
    doc = person.documents.get()
    services.person_apply(
        person_id=person.pk,
        values={},
        documents=[{"id": doc.pk, "number": "****56", "issuer": "ОВД"}],
        keep_masked=True,
    )
    doc.refresh_from_db()
    assert (doc.number, doc.issuer) == ("123456", "ОВД")
