import pytest

from tests.factories import make_guest, make_legal_entity, make_reservation


@pytest.fixture
def entity(db):
    return make_legal_entity(name="ООО Ромашка")


@pytest.fixture
def stay(entity):
    return make_guest(make_reservation(entity), surname="Репин", given_names="Илья")
