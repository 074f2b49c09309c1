import pytest
import responses
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pms.roles import Role
from tests.support.browser import chromium, new_context, new_page, page  # noqa: F401
from tests.support.sandbox import emis_sandbox, emis_sandbox_process  # noqa: F401

from .factories import make_emis_connection, make_user


def pytest_configure(config):
    """One fast password hasher for the whole run, session fixtures and live
    servers included: the default PBKDF2 spends ~0.3 s on every user created
    or password checked. Production keeps Django's default."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def _token_client(role: Role) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=make_user(role))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_front_desk(db) -> APIClient:
    return _token_client(Role.FRONT_DESK)


@pytest.fixture
def api_admin(db) -> APIClient:
    return _token_client(Role.ADMIN)


@pytest.fixture
def api_support(db) -> APIClient:
    return _token_client(Role.SUPPORT)


@pytest.fixture
def api_anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def english(settings):
    """Pages and messages in English, as the assertions quote them."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def _russian_by_default():
    """Requests activate a language in the test thread and leave it there;
    start every test from the product's default, Russian. (Not autouse: the
    page tests of reservations/ and legal_entities/ name it in ``pytestmark``.)"""
    translation.activate("ru")
    yield
    translation.deactivate()


@pytest.fixture
def emis_connection(db):
    """An active EMIS connection to ``factories.EMIS_BASE``."""
    return make_emis_connection()


@pytest.fixture
def http():
    """EMIS (or any host) at the HTTP seam: ``responses`` answers what a test
    registers; an unregistered request fails, an unused answer does not."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


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
