"""The request budget: a call made while serving a web request makes only
as many attempts as fit into ``EMIS_REQUEST_BUDGET``, every attempt timing
out on connect and read and the longest wait between them counted."""

import itertools

import pytest
import requests

from emis.client import EmisClient
from emis.client_plan import CallPlan, call_plan, fit
from emis.errors import EmisError

BASE = "https://emis.test"
PERSON = f"{BASE}/api/v1/persons/160848"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    waited = []
    monkeypatch.setattr("emis.client.time.sleep", waited.append)
    return waited


def client(**kwargs) -> EmisClient:
    return EmisClient(base_url=BASE, api_login="pms-api", api_password="pw", **kwargs)


def test_the_defaults_take_one_attempt_within_the_fifteen_second_budget(settings):
    """3.05 s to connect + 10 s to read, 3 attempts, up to 5 s between them:
    49.15 s in the worst case unbudgeted; a request gets one attempt, 13.05 s."""
    assert settings.EMIS_REQUEST_BUDGET == 15
    free = call_plan()
    assert (free.max_attempts, free.worst_case()) == (3, pytest.approx(49.15))
    budgeted = call_plan(budget=settings.EMIS_REQUEST_BUDGET)
    assert budgeted == CallPlan(connect_timeout=3.05, read_timeout=10.0, max_attempts=1)
    assert budgeted.worst_case() == pytest.approx(13.05)


def test_as_many_attempts_as_fit(settings):
    settings.EMIS_RETRY_BACKOFF = (0.2, 0.4)
    settings.EMIS_RETRY_AFTER_CAP = 1.0
    plan = CallPlan(connect_timeout=1.0, read_timeout=3.0, max_attempts=5)
    # 3 attempts: 12 s + 1 s + 1 s = 14 s; a fourth would make 19 s.
    assert fit(plan, 15.0).max_attempts == 3
    assert fit(plan, 15.0).worst_case() == pytest.approx(14.0)
    assert fit(plan, 100.0) == plan  # fits as configured: unchanged


def test_one_attempt_too_long_waits_less_for_the_answer():
    long_read = fit(CallPlan(3.05, 60.0, 3), 15.0)
    assert long_read == CallPlan(3.05, pytest.approx(11.95), 1)
    long_connect = fit(CallPlan(20.0, 20.0, 1), 15.0)
    assert long_connect == CallPlan(7.5, 7.5, 1)


@pytest.mark.parametrize(
    ("connect", "read", "attempts", "budget"),
    list(
        itertools.product((0.5, 3.05, 20.0), (0.3, 10.0, 60.0), (1, 3, 6), (2.0, 15.0))
    ),
)
def test_the_fitted_worst_case_is_within_the_budget(
    settings, connect, read, attempts, budget
):
    settings.EMIS_RETRY_BACKOFF = (0.2, 0.4)
    plan = fit(CallPlan(connect, read, attempts), budget)
    assert plan.worst_case() <= budget + 1e-9
    assert 1 <= plan.max_attempts <= attempts


def test_a_budgeted_call_to_a_timing_out_emis_makes_one_http_attempt(http, sleeps):
    http.get(PERSON, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(EmisError) as info:
        client(budget=15.0).get_person(person_id=160848, legal_entity_id=17)
    assert info.value.code == "timeout"
    assert len(http.calls) == 1 and sleeps == []
    assert http.calls[0].request.req_kwargs["timeout"] == (3.05, 10.0)


def test_an_unbudgeted_call_keeps_its_retries(http, sleeps):
    """A worker's call: the client's own quick retries, as configured."""
    http.get(PERSON, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(EmisError):
        client().get_person(person_id=160848, legal_entity_id=17)
    assert len(http.calls) == 3 and sleeps == [0.2, 0.4]


def test_a_budget_too_small_for_the_read_timeout_shortens_it(http, settings):
    settings.EMIS_READ_TIMEOUT = 30.0
    http.get(PERSON, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(EmisError):
        client(budget=15.0).get_person(person_id=160848, legal_entity_id=17)
    connect, read = http.calls[0].request.req_kwargs["timeout"]
    assert (connect, len(http.calls)) == (3.05, 1)
    assert connect + read == pytest.approx(15.0)
