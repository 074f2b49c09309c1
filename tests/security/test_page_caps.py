"""No API list answers more than 200 rows, whatever the client asks for.

Every GET route under /api/ is requested with ``limit`` and ``page_size``
of 10,000 over a database holding 250 rows of each listed kind; any answer
that is a list (plain, or a page's ``results``) must hold at most 200. A
``limit`` above 200 clamps; a ``limit`` or ``offset`` past 64 bits,
negative or not a number is a 400 naming it (issue 14), never a 500.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from emis.models import EmisDelivery
from legal_entities.models import LegalEntity
from pms.pagination import MAX_LIMIT, CappedLimitOffsetPagination
from pms.roles import Role
from reservations.models import Person, Reservation, Stay
from tests.factories import VALID_INN, VALID_OGRN, make_user
from tests.security.test_permission_matrix import _named_routes, _url, world  # noqa: F401

ROWS = 250
LIST_ROUTES = {
    "api-legal-entity-list",
    "api-reservation-list",
    "api-reservation-guests",
    "emis-deliveries",
}


@pytest.fixture
def many_rows(world):  # noqa: F811 - the fixture imported above
    LegalEntity.objects.bulk_create(
        LegalEntity(name=f"ООО Номер {i}", inn=VALID_INN, ogrn=VALID_OGRN)
        for i in range(ROWS)
    )
    entity = LegalEntity.objects.first()
    arrival = dt.date(2026, 11, 27)
    Reservation.objects.bulk_create(
        Reservation(legal_entity=entity, arrival=arrival, departure=arrival)
        for _ in range(ROWS)
    )
    reservation = Reservation.objects.get(pk=world["reservation_id"])
    persons = Person.objects.bulk_create(
        Person(surname=f"Гость{i}") for i in range(ROWS)
    )
    Stay.objects.bulk_create(
        Stay(
            reservation=reservation,
            person=person,
            registration_from=reservation.arrival,
            registration_to=reservation.departure,
        )
        for person in persons
    )
    EmisDelivery.objects.bulk_create(
        EmisDelivery(delivery_id=f"d-{i}", status="applied", http_status=200)
        for i in range(ROWS)
    )
    return world


def _api_routes(world):  # noqa: F811
    for name in _named_routes():
        url = _url(name, world)
        if url.startswith("/api/v1/"):
            yield name, url


def _rows(data):
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    return None


def test_pagination_class_is_the_default(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] == (
        "pms.pagination.CappedLimitOffsetPagination"
    )
    assert MAX_LIMIT == 200 == CappedLimitOffsetPagination.max_limit


@pytest.mark.django_db
def test_every_list_endpoint_caps_at_200(client, many_rows):
    client.force_login(make_user(Role.ADMIN))
    seen = set()
    for name, url in _api_routes(many_rows):
        response = client.get(url, {"limit": 10000, "page_size": 10000})
        assert response.status_code < 500, name
        if response.status_code != 200 or "json" not in response["Content-Type"]:
            continue
        rows = _rows(response.json())
        if rows is None:
            continue
        seen.add(name)
        assert len(rows) <= MAX_LIMIT, f"{name} answered {len(rows)} rows"
    # The check means something only if the known lists were among them.
    assert seen >= LIST_ROUTES


@pytest.mark.django_db
def test_the_reservation_guests_list_is_capped_too(client, many_rows):
    client.force_login(make_user(Role.FRONT_DESK))
    url = reverse("api-reservation-guests", args=[many_rows["reservation_id"]])
    assert len(client.get(url).json()) == MAX_LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [(str(2**63 - 1), MAX_LIMIT), ("201", MAX_LIMIT), ("0", 100), ("7", 7)],
)
def test_large_limits_clamp_and_zero_is_the_default_page(
    client, many_rows, value, expected
):
    client.force_login(make_user(Role.FRONT_DESK))
    for name in ("api-legal-entity-list", "api-reservation-list"):
        response = client.get(reverse(name), {"limit": value})
        assert response.status_code == 200, (name, value)
        assert len(response.json()["results"]) == expected, (name, value)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize(
    "value", [str(2**63), str(2**80), "9" * 5000, "-1", "x", "²", "1.5", ""]
)
def test_odd_limits_and_offsets_are_a_400_naming_them(
    client,
    world,  # noqa: F811 - the fixture imported above
    name,
    value,
):
    """Issue 14: the document says 0..2**63-1; anything else is refused, in
    the API's error shape, never a 500 or a silent default."""
    client.force_login(make_user(Role.FRONT_DESK))
    response = client.get(reverse("api-reservation-list"), {name: value})
    assert response.status_code == 400
    assert list(response.json()) == [name]
