"""Issue 11, item 1: every read of a person's data is a row of the access
log (who, when, whom, what, from where), one INSERT per read, append-only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personal_data.access_log import record_access, record_accesses
from personal_data.models import AppendOnlyError, PersonalDataAccess
from pms.roles import Role
from reservations.models import IdentityDocument
from tests.factories import make_guest, make_person, make_reservation, make_user

from .conftest import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]
TABLE = PersonalDataAccess._meta.db_table
Kind = PersonalDataAccess.Kind


def _card(stay) -> str:
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def _log_queries(queries) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries if TABLE in q["sql"]]


def _rows(**filters) -> list[tuple]:
    return list(
        PersonalDataAccess.objects.filter(**filters)
        .order_by("id")
        .values_list("username", "person_id", "kind", "address")
    )


def test_the_guest_card_records_who_whom_what_and_where(guest):
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    client = Client()
    client.force_login(clerk)
    assert client.get(_card(guest), REMOTE_ADDR="10.0.0.7").status_code == 200
    assert _rows() == [("clerk", guest.person_id, "guest_card", "10.0.0.7")]
    row = PersonalDataAccess.objects.get()
    assert row.user_id == clerk.pk and row.at is not None


@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_the_card_costs_front_desk_one_insert_and_no_select_of_the_log(guest):
    client = logged_in(Role.FRONT_DESK)
    client.get(_card(guest))  # warm: the session, the role cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_card(guest)).status_code == 200
    assert _log_queries(queries) == ["INSERT"]
    # Nor a transaction of its own (PostgreSQL would log BEGIN and COMMIT).
    assert not [q for q in queries if q["sql"] in ("BEGIN", "COMMIT")]


def test_admins_see_the_last_reads_on_the_card_for_one_select(guest):
    logged_in(Role.FRONT_DESK, username="clerk").get(_card(guest))
    boss = logged_in(Role.ADMIN, username="boss")
    with CaptureQueriesContext(connection) as queries:
        page = boss.get(_card(guest)).content.decode()
    assert _log_queries(queries) == ["INSERT", "SELECT"]
    reads = page.split("data-access-reads")[1]
    assert reads.index("boss") < reads.index("clerk")  # newest first, this read too
    assert "карточка гостя" in reads


def test_front_desk_does_not_see_the_last_reads(guest):
    page = logged_in(Role.FRONT_DESK).get(_card(guest)).content.decode()
    assert "data-access-reads" not in page


def test_the_card_shows_at_most_ten_reads(guest):
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    for _ in range(12):
        record_access(clerk, guest.person_id, Kind.HISTORY)
    page = logged_in(Role.ADMIN).get(_card(guest)).content.decode()
    assert page.split("data-access-reads")[1].count("data-access=") == 10


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(guest, settings):
    settings.PMS_BEHIND_PROXY = True
    logged_in(Role.FRONT_DESK).get(
        _card(guest),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert PersonalDataAccess.objects.get().address == "203.0.113.9"


def test_without_the_proxy_a_forwarded_header_is_not_believed(guest):
    logged_in(Role.FRONT_DESK).get(
        _card(guest), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert PersonalDataAccess.objects.get().address == "10.0.0.1"


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.SUPPORT])
def test_the_history_page_is_a_read(guest, role):
    url = reverse("reservations:person_history", args=[guest.person_id])
    assert logged_in(role, username="u").get(url).status_code == 200
    assert _rows() == [("u", guest.person_id, "history", "127.0.0.1")]


def test_a_refused_page_records_nothing(guest):
    assert logged_in(Role.SUPPORT).get(_card(guest)).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_person_api_records_reads_and_patches(guest, api_front_desk):
    url = reverse("api-person", args=[guest.person_id])
    assert api_front_desk.get(url).status_code == 200
    assert (
        api_front_desk.patch(url, {"phone": "+79123456789"}, format="json").status_code
        == 200
    )
    kinds = list(PersonalDataAccess.objects.values_list("kind", "person_id"))
    assert kinds == [("person_api", guest.person_id)] * 2


def test_the_guests_list_api_shows_no_document_and_records_each_guest(
    guest, api_front_desk
):
    """The list shows no document, but each guest's birth data and contacts:
    a read of every listed guest (tests/personal_data/test_access_log_lists.py)."""
    url = reverse("api-reservation-guests", args=[guest.reservation_id])
    data = api_front_desk.get(url).json()
    assert data[0]["person_id"] == guest.person_id and "documents" not in data[0]
    assert _rows() == [
        (
            PersonalDataAccess.objects.get().username,
            guest.person_id,
            "guest_list",
            "127.0.0.1",
        )
    ]


def test_search_results_record_each_person_listed_in_one_insert(guest):
    others = [make_guest(make_reservation(), surname="Репин") for _ in range(3)]
    client = logged_in(Role.FRONT_DESK)
    url = reverse("reservations:guest_new", args=[guest.reservation_id])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"q": "Репин"}, follow=True).content.decode()
    assert _log_queries(queries) == ["INSERT"]
    # The reservation's own guest is listed too, as already a guest here.
    listed = {o.person_id for o in others} | {guest.person_id}
    assert set(PersonalDataAccess.objects.values_list("person_id", flat=True)) == listed
    assert set(PersonalDataAccess.objects.values_list("kind", flat=True)) == {"search"}
    assert "Репин" in page
    # The query itself (a surname, a document number) is never stored.
    assert not PersonalDataAccess.objects.exclude(detail="").exists()


@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_a_list_is_one_insert_with_each_person_once_in_order_at_one_moment(guest):
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    with CaptureQueriesContext(connection) as queries:
        record_accesses(
            clerk, [30, 10, 30, None, 20], Kind.GUEST_LIST, detail="x" * 300
        )
    assert _log_queries(queries) == ["INSERT"]
    assert not [q for q in queries if q["sql"] in ("BEGIN", "COMMIT")]
    rows = PersonalDataAccess.objects.order_by("id")
    assert [r.person_id for r in rows] == [30, 10, None, 20]
    assert {(r.username, r.user_id, r.kind, r.detail) for r in rows} == {
        ("clerk", clerk.pk, "guest_list", "x" * 200)
    }
    assert len({r.at for r in rows}) == 1


def test_a_list_longer_than_one_statement_takes_is_written_whole(guest, monkeypatch):
    monkeypatch.setattr(connection.features, "max_query_params", 7 * 4)  # 4 rows
    with CaptureQueriesContext(connection) as queries:
        record_accesses(make_user(Role.ADMIN), range(1, 11), Kind.SEARCH)
    assert _log_queries(queries) == ["INSERT"] * 3
    ids = PersonalDataAccess.objects.order_by("id").values_list("person_id", flat=True)
    assert list(ids) == list(range(1, 11))


def test_the_merge_confirmation_records_both_persons(guest):
    twin = make_person("Репин")
    IdentityDocument.objects.create(
        person=twin, kind="passport_rf", series="4510", number="123456"
    )
    url = reverse("reservations:person_merge", args=[twin.pk])
    logged_in(Role.ADMIN).get(url, {"into": guest.person_id})
    persons = PersonalDataAccess.objects.values_list("person_id", flat=True)
    assert sorted(persons) == sorted([twin.pk, guest.person_id])


def test_a_service_without_a_request_records_the_user_and_no_address(guest):
    """How a command or the export (h11b) calls it."""
    officer = make_user(Role.ADMIN, username="officer")
    record_access(officer, guest.person_id, "export", detail="guest's request")
    assert _rows() == [("officer", guest.person_id, "export", None)]


def test_an_unknown_kind_is_refused(guest):
    with pytest.raises(ValueError):
        record_access(make_user(Role.ADMIN), guest.person_id, "peeked")


def test_the_log_is_append_only(guest):
    record_access(make_user(Role.ADMIN), guest.person_id, Kind.GUEST_CARD)
    row = PersonalDataAccess.objects.get()
    row.kind = Kind.EXPORT
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        PersonalDataAccess.objects.filter(pk=row.pk).update(kind="export")
    with pytest.raises(AppendOnlyError):
        PersonalDataAccess.objects.all().delete()
    assert _rows()[0][2] == "guest_card"


def test_a_deleted_user_or_merged_person_keeps_their_rows(guest):
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    record_access(clerk, guest.person_id, Kind.GUEST_CARD)
    clerk.delete()
    guest.delete()
    guest.person.delete()
    assert _rows() == [("clerk", guest.person_id, "guest_card", None)]
