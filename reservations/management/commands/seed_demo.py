"""Demo data for a first look at the product; safe to run again and again.

Creates a legal entity, two reservations with guests (a Russian citizen, two
foreigners with passports, visas and migration cards, a Belarusian who needs
no card, a guest with only a surname) and one user per role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from legal_entities.models import LegalEntity
from pms.roles import Role
from pms.services import model_create
from reservations.models import NAME_PARTS, Person, Reservation, Stay
from reservations.services import RecordEdit, person_records_save, stay_create

USERS = (
    ("frontdesk", Role.FRONT_DESK),
    ("admin", Role.ADMIN),
    ("support", Role.SUPPORT),
)
ENTITY = {
    "name": "ООО «Гостиница Нева»",
    "inn": "7707083893",
    "kpp": "770701001",
    "ogrn": "1027700132195",
    "address": "191186, Санкт-Петербург, Невский пр., д. 1",
}


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _reservations() -> list[dict[str, Any]]:
    return [
        {
            "note": "Демо: командировка и туристы",
            "values": {
                "status": Reservation.Status.CONFIRMED,
                "arrival": _days(0),
                "departure": _days(4),
                "phone": "+79123456789",
                "email": "booking@example.com",
                "contact_method": "email",
                "organization": "Siemens AG",
                "payer": "Siemens AG",
            },
            "guests": [
                {
                    "person": {
                        "surname": "Репин",
                        "given_names": "Илья",
                        "patronymic": "Ефимович",
                        "surname_latin": "REPIN",
                        "given_names_latin": "ILIA",
                        "surname_cyrillic": "Репин",
                        "given_names_cyrillic": "Илья",
                        "patronymic_cyrillic": "Ефимович",
                        "sex": "M",
                        "birth_date": dt.date(1985, 8, 5),
                        "birth_place": "г. Москва",
                        "citizenship": "RUS",
                        "country": "RUS",
                        "phone": "+79123456789",
                        "email": "repin@example.com",
                        "address": "г. Москва, ул. Тверская, д. 7, кв. 12",
                    },
                    "stay": {"card_issued": True, "contact_method": "phone"},
                    "documents": [
                        {
                            "kind": "passport_rf",
                            "series": "4510",
                            "number": "123456",
                            "issue_date": dt.date(2015, 9, 1),
                            "issuer_code": "770-001",
                            "issuer": "Отделом УФМС России по гор. Москве",
                            "issuing_country": "RUS",
                        }
                    ],
                },
                {
                    "person": {
                        "surname": "Мюллер",
                        "given_names": "Ханс",
                        "surname_latin": "MUELLER",
                        "given_names_latin": "HANS",
                        "surname_cyrillic": "Мюллер",
                        "given_names_cyrillic": "Ханс",
                        "transliterated_parts": ["surname", "given_names"],
                        "sex": "M",
                        "birth_date": dt.date(1979, 3, 14),
                        "birth_place": "Berlin",
                        "citizenship": "DEU",
                        "country": "DEU",
                        "email": "hans.mueller@example.de",
                    },
                    "stay": {"organization": "Siemens AG", "payer": "Siemens AG"},
                    "documents": [
                        {
                            "kind": "national_passport",
                            "number": "C01X00T47",
                            "issue_date": dt.date(2019, 6, 1),
                            "expiry_date": dt.date(2029, 5, 31),
                            "issuer": "Stadt Berlin",
                            "issuing_country": "DEU",
                        }
                    ],
                    "visas": [
                        {
                            "series": "30",
                            "number": "4512345",
                            "category": "деловая",
                            "entries": "double",
                            "valid_from": _days(-10),
                            "valid_to": _days(80),
                            "issuing_country": "RUS",
                        }
                    ],
                    "migration_card": [
                        {
                            "series": "4617",
                            "number": "1234567",
                            "entry_date": _days(-1),
                            "valid_to": _days(80),
                            "visit_purpose": "деловая",
                        }
                    ],
                },
                {
                    "person": {
                        "surname": "Ван",
                        "given_names": "Ли",
                        "surname_latin": "WANG",
                        "given_names_latin": "LI",
                        "sex": "F",
                        "birth_date": dt.date(1990, 11, 2),
                        "birth_place": "Shanghai",
                        "citizenship": "CHN",
                        "country": "CHN",
                    },
                    # EMIS gave only the Latin "WANG LI"; staff typed the
                    # Cyrillic spelling the guest uses: theirs through any
                    # name-policy switch (not "Ванг Ли").
                    "typed_by_staff": ["surname", "given_names"],
                    "stay": {"agency": "China Travel Service"},
                    "documents": [
                        {
                            "kind": "national_passport",
                            "number": "E12345678",
                            "issue_date": dt.date(2020, 1, 15),
                            "expiry_date": dt.date(2030, 1, 14),
                            "issuer": "Ministry of Public Security",
                            "issuing_country": "CHN",
                        }
                    ],
                    "visas": [
                        {
                            "series": "31",
                            "number": "0654321",
                            "category": "туристическая",
                            "entries": "single",
                            "valid_from": _days(-5),
                            "valid_to": _days(25),
                            "issuing_country": "RUS",
                        }
                    ],
                    "migration_card": [
                        {
                            "series": "4618",
                            "number": "7654321",
                            "entry_date": _days(0),
                            "valid_to": _days(25),
                            "visit_purpose": "туризм",
                        }
                    ],
                },
                {"person": {"surname": "Сидоров"}},
            ],
        },
        {
            "note": "Демо: семейная поездка",
            "values": {
                "status": Reservation.Status.TENTATIVE,
                "arrival": _days(7),
                "departure": _days(10),
                "phone": "+79217654321",
                "contact_method": "phone",
            },
            "guests": [
                {
                    "person": {
                        "surname": "Лукашевич",
                        "given_names": "Олег",
                        "surname_latin": "LUKASHEVICH",
                        "given_names_latin": "OLEG",
                        "sex": "M",
                        "birth_date": dt.date(1988, 4, 21),
                        "birth_place": "Минск",
                        "citizenship": "BLR",
                        "country": "BLR",
                        "phone": "+375291234567",
                    },
                    "documents": [
                        {
                            "kind": "national_passport",
                            "series": "MP",
                            "number": "1234567",
                            "issue_date": dt.date(2018, 2, 1),
                            "expiry_date": dt.date(2028, 1, 31),
                            "issuer": "МВД Республики Беларусь",
                            "issuing_country": "BLR",
                        }
                    ],
                },
                {
                    "person": {
                        "surname": "Коваленко",
                        "given_names": "Анна",
                        "patronymic": "Сергеевна",
                        "sex": "F",
                        "birth_date": dt.date(1993, 7, 9),
                        "citizenship": "RUS",
                        "phone": "+79217654321",
                    },
                },
            ],
        },
    ]


class Command(BaseCommand):
    help = "Create demo data and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo12345")

    @transaction.atomic
    def handle(self, *args, password: str, **options):
        # The demo's own legal entity, by its name and INN: other legal
        # entities may share the INN (branches, or the admin's trials with
        # the demo's valid number), and .get() would then fail.
        entity = (
            LegalEntity.objects.filter(name=ENTITY["name"], inn=ENTITY["inn"])
            .order_by("pk")
            .first()
        ) or LegalEntity.objects.create(**ENTITY)
        reservations = [_reservation(entity, spec) for spec in _reservations()]
        for username, role in USERS:
            _user(username, role, password)
        self._report(entity, reservations, password)

    def _report(self, entity, reservations, password) -> None:
        url = settings.PMS_PUBLIC_URL
        ids = ", ".join(str(r.pk) for r in reservations)
        self.stdout.write(
            f"Demo data ready.\n"
            f"  Legal entity: {entity.name}, ID {entity.pk}\n"
            f"  Reservations: {ids}\n"
            f"  Logins (password {password}):\n"
            f"    frontdesk  front desk  {url}/board/\n"
            f"    admin      admin       {url}/legal-entities/ and {url}/admin/\n"
            f"    support    support     {url}/admin/\n"
            f"  Reservation card: {url}/reservations/{reservations[0].pk}/?tab=guests\n"
        )


def _user(username: str, role: Role, password: str) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.set_password(password)
    # The Django admin is support's (name policy, delivery log) and the admin
    # role's too; what each sees there is decided by role (pms/roles.py).
    user.is_staff = role is not Role.FRONT_DESK
    user.save()
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def _reservation(entity: LegalEntity, spec: dict[str, Any]) -> Reservation:
    reservation = Reservation.objects.filter(
        legal_entity=entity, note=spec["note"]
    ).first()
    if reservation is None:
        reservation = model_create(
            Reservation, legal_entity=entity, note=spec["note"], **spec["values"]
        )
    for guest in spec["guests"]:
        _guest(reservation, guest)
    return reservation


def _guest(reservation: Reservation, guest: dict[str, Any]) -> Stay:
    values = guest["person"]
    typed = guest.get("typed_by_staff", [])
    person = Person.objects.filter(
        surname=values["surname"],
        given_names=values.get("given_names", ""),
        birth_date=values.get("birth_date"),
    ).first()
    stay = Stay.objects.filter(reservation=reservation, person=person).first()
    if person is not None and stay is not None:
        return stay
    stay = stay_create(
        reservation=reservation,
        person=person,
        person_values=values,
        stay_values=guest.get("stay", {}),
    )
    if person is None:  # a new person: give them their documents
        records = {
            kind: [RecordEdit(pk=None, values=v) for v in guest.get(kind, [])]
            for kind in ("documents", "visas", "migration_card")
        }
        person_records_save(person_id=stay.person_id, edits=records)
        _names_as_from_emis(stay.person, typed=typed)
    return stay


def _names_as_from_emis(person: Person, *, typed: list[str]) -> None:
    """The demo's guests look as if EMIS had given their names (their
    document forms are filled in), so a name-policy switch shows on them;
    the ``typed`` parts are staff's, as the guest card records a typed part
    (``reservations/services/base.py``), and a re-apply keeps them."""
    derived = set(person.transliterated_parts or [])
    sources = {
        part: "staff" if part in typed else "policy" if part in derived else "emis"
        for part in NAME_PARTS
        if getattr(person, f"{part}_latin") or getattr(person, f"{part}_cyrillic")
    }
    Person.objects.filter(pk=person.pk).update(name_sources=sources)
