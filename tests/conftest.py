import pytest

from pms.roles import Role
from tests.support.sandbox import emis_sandbox, emis_sandbox_process  # noqa: F401

from .factories import make_user


@pytest.fixture(autouse=True)
def _isolated_var(settings, tmp_path):
    """Keep tests away from the developer's var/: own encryption key file."""
    settings.PMS_ENCRYPTION_KEYS = []
    settings.PMS_ENCRYPTION_KEY_FILE = tmp_path / "encryption.key"


@pytest.fixture
def front_desk(db):
    return make_user(Role.FRONT_DESK)


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN)


@pytest.fixture
def support_user(db):
    return make_user(Role.SUPPORT)


@pytest.fixture
def front_desk_client(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    """Logged in as the PMS "admin" role (not Django's superuser ``admin_client``)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def support_client(client, support_user):
    client.force_login(support_user)
    return client
