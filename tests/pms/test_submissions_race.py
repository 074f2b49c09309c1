"""Two web processes saving the same create form at once (a re-POST racing
the first, a double submit reaching two servers): one creates, the other
waits on the token's unique index and creates nothing; it gets the address
of what the first created, for its page's link."""

import threading
import uuid

import pytest
from django.db import close_old_connections
from django.db import connection as db
from django.test import RequestFactory

from pms.submissions import submit_once
from reservations.models import Reservation
from tests.factories import make_legal_entity, make_reservation
from tests.support.pg_locks import wait_until_queued

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_token_racing_creates_once():
    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; the race needs PostgreSQL")
    entity = make_legal_entity()
    request = RequestFactory().post(f"/reservations/new/?form={uuid.uuid4()}")
    claimed, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def save(name: str, hold: bool) -> None:
        def create() -> str:
            if hold:  # the token is claimed, the transaction still open
                claimed.set()
                release.wait(20)
            return f"/reservations/{make_reservation(entity).pk}/"

        try:
            outcomes[name] = submit_once(request, form="reservation_new", create=create)
        finally:
            close_old_connections()

    first = threading.Thread(target=save, args=("first", True))
    first.start()
    assert claimed.wait(20)
    second = threading.Thread(target=save, args=("second", False))
    second.start()
    wait_until_queued(1, lambda: "second" in outcomes, what="the second save waits")
    release.set()
    first.join(20)
    second.join(20)

    reservation = Reservation.objects.get()
    assert outcomes["first"].created and not outcomes["second"].created
    assert outcomes["first"].url == outcomes["second"].url
    assert outcomes["second"].url == f"/reservations/{reservation.pk}/"
