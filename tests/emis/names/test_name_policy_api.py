"""/api/v1/emis/name-policy/: settings, preview, re-apply."""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from emis.models import EmisJob, NamePolicy, NamePolicyOverride
from reservations.models import Person
from tests.factories import make_legal_entity, make_person

pytestmark = pytest.mark.django_db

URL = "/api/v1/emis/name-policy/"
PREVIEW = URL + "preview/"
REAPPLY = URL + "reapply/"


def test_roles_and_anonymous(front_desk_client):
    assert Client().get(URL).status_code == 401
    assert front_desk_client.get(URL).status_code == 403
    assert (
        front_desk_client.put(URL, {}, content_type="application/json").status_code
        == 403
    )
    assert front_desk_client.get(REAPPLY).status_code == 403


def test_admin_reads_and_changes_the_policy(admin_client_, admin_user):
    entity = make_legal_entity()
    body = admin_client_.get(URL).json()
    assert body["script"] == "cyrillic"
    assert body["latin_standard"] == "icao_doc_9303"
    assert body["overrides"] == []

    response = admin_client_.put(
        URL,
        {
            "script": "latin",
            "letter_case": "upper",
            "latin_standard": "mvd_310",
            "overrides": [
                {
                    "legal_entity": entity.pk,
                    "script": "cyrillic",
                    "letter_case": "title",
                    "latin_standard": "icao_doc_9303",
                }
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["overrides"][0]["legal_entity"] == entity.pk
    policy = NamePolicy.load()
    assert (policy.script, policy.letter_case, policy.latin_standard) == (
        "latin",
        "upper",
        "mvd_310",
    )
    assert policy.updated_by == admin_user
    assert NamePolicyOverride.objects.get().legal_entity == entity


def test_put_without_overrides_keeps_them_and_an_empty_list_removes_them(admin_client_):
    NamePolicyOverride.objects.create(legal_entity=make_legal_entity(), script="latin")
    base = {
        "script": "cyrillic",
        "letter_case": "title",
        "latin_standard": "gost_52535",
    }
    assert (
        admin_client_.put(URL, base, content_type="application/json").status_code == 200
    )
    assert NamePolicyOverride.objects.count() == 1
    response = admin_client_.put(
        URL, {**base, "overrides": []}, content_type="application/json"
    )
    assert response.status_code == 200
    assert NamePolicyOverride.objects.count() == 0


def test_bad_values_are_400_per_field(admin_client_):
    entity = make_legal_entity()
    row = {"legal_entity": entity.pk, "script": "latin"}
    response = admin_client_.put(
        URL,
        {"script": "greek", "letter_case": "title", "overrides": [row, row]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"script", "overrides"}
    assert NamePolicy.load().script == "cyrillic"


def test_preview_for_front_desk(front_desk_client):
    response = front_desk_client.post(
        PREVIEW,
        {
            "surname": {"cyrillic": None, "latin": "SHCHUKIN"},
            "given_names": {"cyrillic": "Илья", "latin": "ILIA"},
            "patronymic": None,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "surname": "Щукин",
        "given_names": "Илья",
        "patronymic": "",
        "transliterated": ["surname"],
        "alternatives": {},
    }


def test_preview_reads_each_part_in_its_role_and_lists_alternatives(
    front_desk_client,
):
    body = front_desk_client.post(
        PREVIEW,
        {
            "surname": {"latin": "ZAKHAREVICH"},
            "given_names": {"latin": "NATALIA"},
            "patronymic": {"latin": "ZAKHAREVNA"},
        },
        content_type="application/json",
    ).json()
    # The same Latin stem is a surname (Захаревич) and, as a patronymic,
    # comes from Захарий (Захарьевна).
    assert (body["surname"], body["patronymic"]) == ("Захаревич", "Захарьевна")
    # Наталья stays today's reading of NATALIA; the lexicon knows Наталия too.
    assert body["given_names"] == "Наталья"
    assert "Наталия" in body["alternatives"]["given_names"]
    assert set(body["alternatives"]) == {"given_names"}
    assert body["transliterated"] == ["surname", "given_names", "patronymic"]


def test_preview_uses_the_legal_entity_override(front_desk_client):
    entity = make_legal_entity()
    NamePolicyOverride.objects.create(
        legal_entity=entity,
        script="latin",
        letter_case="upper",
        latin_standard="mvd_310",
    )
    body = front_desk_client.post(
        PREVIEW,
        {
            "surname": {"cyrillic": "Соловьёв"},
            "given_names": {"cyrillic": "Илья"},
            "legal_entity": entity.pk,
        },
        content_type="application/json",
    ).json()
    assert (body["surname"], body["given_names"]) == ("SOLOV'EV", "IL'YA")
    assert body["transliterated"] == ["surname", "given_names"]


@pytest.mark.parametrize(
    "payload",
    [
        {"surname": {"cyrillic": None, "latin": None}},
        {"given_names": {"latin": "ILIA"}},
        {"surname": {"latin": "X"}, "legal_entity": 999999},
        {"surname": {"latin": "X" * 201}},
    ],
)
def test_preview_rejects_bad_input(front_desk_client, payload):
    response = front_desk_client.post(PREVIEW, payload, content_type="application/json")
    assert response.status_code == 400


def test_reapply_through_the_api(admin_client_, django_capture_on_commit_callbacks):
    person = make_person(
        surname="Крупкин", surname_cyrillic="Крупкин", surname_latin="KRUPKIN"
    )
    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    assert admin_client_.get(REAPPLY).json() == {"would_change": 1, "job": None}

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(REAPPLY)
    assert response.status_code == 202
    job_id = response.json()["id"]
    status = admin_client_.get(f"{REAPPLY}{job_id}/").json()
    assert status["status"] == "succeeded"
    assert status["percent"] == 100
    assert status["persons_changed"] == 1
    assert Person.objects.get(pk=person.pk).surname == "Krupkin"
    assert EmisJob.objects.get(pk=job_id).kind == "reapply_names"
    assert admin_client_.get(f"{REAPPLY}999999/").status_code == 404


def test_openapi_schema_describes_the_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    preview = schema["paths"]["/api/v1/emis/name-policy/preview/"]["post"]
    assert preview["operationId"] == "emis_name_policy_preview"
    assert "NamePolicy" in schema["components"]["schemas"]
    assert "PreviewResponse" in schema["components"]["schemas"]
    assert "put" in schema["paths"]["/api/v1/emis/name-policy/"]
