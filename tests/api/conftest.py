import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pms.roles import Role
from tests.factories import make_user


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
