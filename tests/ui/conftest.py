import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _russian_by_default():
    """Requests activate a language in the test thread and leave it there;
    start every test from the product's default, Russian."""
    translation.activate("ru")
    yield
    translation.deactivate()
