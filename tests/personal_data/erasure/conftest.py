"""A departed guest holding personal data in every place the PMS keeps it:
EMIS deliveries (webhook and pull), staff edits, a conflict, a merged
duplicate, the Django admin's log. Values are distinctive, so a search of
the whole database for them finds nothing by chance."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from emis.models import EmisConflict
from legal_entities.models import LegalEntity
from pms.roles import Role
from reservations.models import Person, Reservation
from reservations.services import person_merge, person_update, stay_update
from tests.emis.conftest import (
    API_PASSWORD,
    BASE_URL,
    post_webhook,
    russian,
    webhook_body,
)
from tests.factories import (
    enqueue_pull,
    make_emis_connection,
    make_guest,
    make_legal_entity,
    make_reservation,
    make_user,
    work_pull,
)

SURNAME = ("Штольценберг", "SHTOLTSENBERG")
GIVEN = ("Ярослава", "IAROSLAVA")
PATRONYMIC = ("Всеволодовна", "VSEVOLODOVNA")
BIRTH_PLACE = "ГОР. ВЕЛИКИЙ УСТЮГ"
BIRTH_PLACE_TYPED = "Великий Устюг Вологодской обл."
BIRTH_PLACE_LATER = "ВЕЛИКИЙ УСТЮГ ВОЛОГОДСКАЯ"
BIRTH_DATE = "1983-02-17"
NUMBER = "918273"
ISSUER = "ОТДЕЛОМ УФМС ПО ВОЛОГОДСКОЙ ОБЛ."
ISSUER_CODE = "350-017"
PHONE = "+79217654321"
EMAIL = "yaroslava.sh@example.org"
ADDRESS = "г. Вологда, ул. Кирова, д. 117"
NOTE = "Просила номер с видом на реку"
DUPLICATE_SURNAME = "Штольценбергова"

# Every value the erasure must leave nowhere.
ERASED_VALUES = (
    *SURNAME,
    *GIVEN,
    *PATRONYMIC,
    BIRTH_PLACE,
    BIRTH_PLACE_TYPED,
    BIRTH_PLACE_LATER,
    BIRTH_DATE,
    NUMBER,
    ISSUER,
    ISSUER_CODE,
    PHONE,
    EMAIL,
    ADDRESS,
    NOTE,
    DUPLICATE_SURNAME,
    # The series with the number's masked tail: how history labels and EMIS
    # jobs' changed fields name the document.
    "4510 ****73",
)


def emis_person(person_id: int, version: int, **overrides) -> dict:
    data = russian(
        person_id,
        version=version,
        surname={"cyrillic": SURNAME[0], "latin": SURNAME[1]},
        given_names={"cyrillic": GIVEN[0], "latin": GIVEN[1]},
        patronymic={"cyrillic": PATRONYMIC[0], "latin": PATRONYMIC[1]},
        birth_place=BIRTH_PLACE,
        birth_date=BIRTH_DATE,
        sex="F",
    )
    document = data["documents"][0]
    document.update(number=NUMBER, issuer=ISSUER, issuer_code=ISSUER_CODE)
    data.update(copy.deepcopy(overrides))
    return data


def person_url(person_id: int) -> str:
    return f"{BASE_URL}/api/v1/persons/{person_id}"


def departed(legal_entity: LegalEntity, *, days_ago: int) -> Reservation:
    """A reservation whose stays ended ``days_ago`` days ago (hotel time)."""
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    return make_reservation(
        legal_entity,
        arrival=end - dt.timedelta(days=3),
        departure=end,
        status=Reservation.Status.CHECKED_OUT,
    )


def coming(legal_entity: LegalEntity, *, in_days: int = 10, **values) -> Reservation:
    start = timezone.localdate() + dt.timedelta(days=in_days)
    return make_reservation(
        legal_entity, arrival=start, departure=start + dt.timedelta(days=2), **values
    )


def send(person_id: int, legal_entity_id: int, data: dict):
    body = webhook_body(data, legal_entity_id)
    return post_webhook(Client(), body, secret=API_PASSWORD)


@dataclass
class Guest:
    person: Person
    legal_entity: LegalEntity
    reservation: Reservation
    duplicate_id: int


@pytest.fixture
def emis(db):
    return make_emis_connection(
        BASE_URL, api=("pms-api", API_PASSWORD), web=("pms-web", "s3cret-web")
    )


def rich_guest(
    legal_entity: LegalEntity, http, *, days_ago: int = 400, capture=None
) -> Guest:
    """The guest, with data from every writer. ``http`` answers EMIS for the
    pull; ``capture`` is django_capture_on_commit_callbacks."""
    reservation = departed(legal_entity, days_ago=days_ago)
    stay = make_guest(reservation, "Гость")
    pid = stay.person_id
    # Staff: contacts, address, the stay's note; the guest booked the room.
    person_update(
        person_id=pid, values={"phone": PHONE, "email": EMAIL, "address": ADDRESS}
    )
    stay_update(stay_id=stay.pk, values={"note": NOTE})
    Reservation.objects.filter(pk=reservation.pk).update(phone=PHONE, email=EMAIL)
    # EMIS: the webhook, then staff retype the birth place and EMIS sends
    # another (a conflict), then a pull brings a changed document.
    assert send(pid, legal_entity.pk, emis_person(pid, 1)).json()["status"] == "applied"
    person_update(person_id=pid, values={"birth_place": BIRTH_PLACE_TYPED})
    later = emis_person(pid, 2, birth_place=BIRTH_PLACE_LATER)
    assert send(pid, legal_entity.pk, later).status_code == 200
    assert EmisConflict.objects.filter(person_id=pid).exists()
    pulled = emis_person(pid, 3, birth_place=BIRTH_PLACE_LATER)
    pulled["documents"][0]["expiry_date"] = "2030-01-01"
    http.get(person_url(pid), json=pulled)
    with capture(execute=True):
        job = enqueue_pull(person_id=pid, legal_entity_id=legal_entity.pk, user=None)
    work_pull(job)
    assert job.result == "applied", job.error_code
    # A duplicate profile of the same guest, merged into this one.
    other = make_guest(
        departed(legal_entity, days_ago=days_ago + 30), DUPLICATE_SURNAME
    )
    person_merge(person_id=other.person_id, into_id=pid)
    person = Person.objects.get(pk=pid)
    LogEntry.objects.create(
        user=make_user(Role.SUPPORT),
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(pid),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message="[]",
    )
    return Guest(person, legal_entity, reservation, other.person_id)


@pytest.fixture
def guest(emis, http, django_capture_on_commit_callbacks) -> Guest:
    le = make_legal_entity(personal_data_retention_days=365)
    return rich_guest(le, http, capture=django_capture_on_commit_callbacks)
