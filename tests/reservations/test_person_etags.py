"""Optimistic concurrency on /api/v1/persons/{id}/ (issue 10, item 2): an
ETag on every answer, If-Match honoured with 412 and the current ETag."""

import datetime as dt

import pytest

from reservations.models import IdentityDocument, Person, PersonChange
from reservations.services import person_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = make_person("Репин", given_names="Илья", citizenship="RUS")
    IdentityDocument.objects.create(
        person=person,
        kind="passport_rf",
        series="4510",
        number="123456",
        issue_date=dt.date(2015, 1, 1),
    )
    return person


def _url(person: Person) -> str:
    return f"/api/v1/persons/{person.pk}/"


def _emis_changes(person: Person, **values) -> None:
    """Another writer (a webhook, a pull) changes the profile meanwhile."""
    person_update(person_id=person.pk, values=values, source=PersonChange.Source.WEBHOOK)


def test_get_answers_a_strong_etag_that_moves_with_any_change(api_front_desk, person):
    first = api_front_desk.get(_url(person))["ETag"]
    assert first.startswith('"') and first.endswith('"') and not first.startswith("W/")
    assert api_front_desk.get(_url(person))["ETag"] == first  # stable
    _emis_changes(person, birth_place="ГОР. МОСКВА")
    second = api_front_desk.get(_url(person))["ETag"]
    assert second != first
    # A document change moves it too, even one the reader sees masked
    # (the last two digits stay "56").
    IdentityDocument.objects.filter(person=person).update(number="987656")
    assert api_front_desk.get(_url(person))["ETag"] != second


def test_stale_if_match_is_412_with_the_current_etag_and_changes_nothing(
    api_front_desk, person
):
    read = api_front_desk.get(_url(person))
    document = read.json()["documents"][0]
    _emis_changes(person, birth_place="ГОР. МОСКВА")  # lands in between
    current = api_front_desk.get(_url(person))["ETag"]

    answer = api_front_desk.patch(
        _url(person),
        {"birth_place": "Тверь", "documents": [{**document, "issuer": "ОВД"}]},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert answer.status_code == 412
    assert answer["ETag"] == current
    assert "ETag" in answer.json()["detail"]
    person.refresh_from_db()
    assert person.birth_place == "ГОР. МОСКВА"  # EMIS's value was not undone
    assert IdentityDocument.objects.get(person=person).issuer == ""


def test_current_if_match_writes_and_answers_the_new_etag(api_front_desk, person):
    etag = api_front_desk.get(_url(person))["ETag"]
    answer = api_front_desk.patch(
        _url(person), {"phone": "+79123456789"}, format="json", HTTP_IF_MATCH=etag
    )
    assert answer.status_code == 200
    assert answer["ETag"] != etag
    assert answer["ETag"] == api_front_desk.get(_url(person))["ETag"]
    assert answer.json()["phone"] == "+79123456789"


@pytest.mark.parametrize(
    "header, status",
    [
        (None, 200),  # no precondition: a plain partial update
        ("*", 200),
        ('"nope", {current}', 200),  # a list holding the current tag
        ("W/{current}", 412),  # If-Match compares strongly
        ('"0000"', 412),
    ],
)
def test_if_match_forms(api_front_desk, person, header, status):
    current = api_front_desk.get(_url(person))["ETag"]
    extra = {} if header is None else {"HTTP_IF_MATCH": header.format(current=current)}
    answer = api_front_desk.patch(_url(person), {"address": "Тверь"}, format="json", **extra)
    assert answer.status_code == status


def test_the_412_speaks_the_readers_language(api_front_desk, person):
    answer = api_front_desk.patch(
        _url(person),
        {"address": "Тверь"},
        format="json",
        HTTP_IF_MATCH='"0000"',
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert answer.status_code == 412
    assert "ETag" in answer.json()["detail"] and "Прочитайте" in answer.json()["detail"]
