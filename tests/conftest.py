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


@pytest.fixture(scope="session", autouse=True)
def _end_stray_db_sessions(django_db_setup, django_db_blocker):
    """At the very end, end any session still attached to the test database.

    A browser's keep-alive connection can leave a live-server handler thread
    (and its PostgreSQL session) alive after the server stops, which would make
    the test database's teardown fail with "being accessed by other users".
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
