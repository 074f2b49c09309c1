import pytest

from integrations.connectors.emis.models import EmisConnection
from tests.factories import make_guest, make_legal_entity, make_reservation

EMIS_BASE = "https://emis.test"


@pytest.fixture
def emis_connection(db):
    conn = EmisConnection.load()
    conn.base_url = EMIS_BASE
    conn.web_login = "hotel-web"
    conn.web_password = "web-secret-1"
    conn.api_login = "hotel-api"
    conn.api_password = "api-secret-1"
    conn.is_active = True
    conn.save()
    return conn


@pytest.fixture
def entity(db):
    return make_legal_entity(name="ООО Ромашка")


@pytest.fixture
def stay(entity):
    return make_guest(make_reservation(entity), surname="Репин", given_names="Илья")
