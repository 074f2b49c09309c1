import pytest
from django.test import Client

from pms.roles import Role
from reservations.models import IdentityDocument
from tests.factories import make_guest, make_reservation, make_user

NUMBER = "4510123456"


@pytest.fixture
def guest(db):
    """A guest holding a Russian passport 4510 123456."""
    stay = make_guest(make_reservation(), surname="Репин")
    IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", series="4510", number="123456"
    )
    return stay


def logged_in(role: Role | None, **extra) -> Client:
    client = Client()
    client.force_login(make_user(role, **extra))
    return client
