"""Issue 11, item 1: the access log's API (admins), its page under
Администрирование with filters and CSV, and the Django admin, read-only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from personal_data.access_log import record_access
from personal_data.models import PersonalDataAccess
from pms.roles import Role
from reservations.services import person_merge
from tests.factories import make_person, make_user

from .conftest import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]
Kind = PersonalDataAccess.Kind
PAGE = reverse("personal_data:access_log")
CSV = reverse("personal_data:access_log_csv")


def _read(user, person_id, kind, at: dt.datetime) -> None:
    record_access(user, person_id, kind)
    _backdate(at)


def _backdate(at: dt.datetime) -> None:
    """The app refuses updates; the test moves its last row in time by SQL."""
    last = PersonalDataAccess.objects.latest("id").pk
    table = PersonalDataAccess._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET at = %s WHERE id = %s", [at, last])  # noqa: S608


@pytest.fixture
def log(guest):
    """Three reads: clerk read the guest on 1 and 20 November, nurse read
    another person on 10 November."""
    clerk = make_user(Role.FRONT_DESK, username="clerk")
    nurse = make_user(Role.FRONT_DESK, username="nurse")
    other = make_person("Другой")
    tz = timezone.get_current_timezone()
    _read(
        clerk,
        guest.person_id,
        Kind.GUEST_CARD,
        at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=tz),
    )
    _read(
        nurse, other.pk, Kind.HISTORY, at=dt.datetime(2026, 11, 10, 23, 59, tzinfo=tz)
    )
    _read(
        clerk,
        guest.person_id,
        Kind.PERSON_API,
        at=dt.datetime(2026, 11, 20, 0, 1, tzinfo=tz),
    )
    return {"guest": guest.person_id, "other": other.pk}


# --- API ----------------------------------------------------------------------


def _api(person_id: int) -> str:
    return reverse("api-person-access-log", args=[person_id])


def test_the_api_lists_a_persons_reads_newest_first_paginated(log, api_admin):
    answer = api_admin.get(_api(log["guest"]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    data = answer.json()
    assert data["count"] == 2 and "next" in data
    assert [(r["user"], r["kind"]) for r in data["results"]] == [
        ("clerk", "person_api"),
        ("clerk", "guest_card"),
    ]
    assert set(data["results"][0]) == {
        "id",
        "at",
        "user",
        "user_id",
        "person_id",
        "kind",
        "address",
        "detail",
    }
    assert api_admin.get(_api(log["guest"]), {"limit": 1}).json()["next"]


@pytest.mark.parametrize("client_name", ["api_front_desk", "api_support"])
def test_the_api_is_403_json_for_other_roles(log, client_name, request):
    answer = request.getfixturevalue(client_name).get(_api(log["guest"]))
    assert answer.status_code == 403 and answer.json()["detail"]


def test_the_api_is_401_without_login(log, api_anonymous):
    assert api_anonymous.get(_api(log["guest"])).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_changes_nothing(log, api_admin, method):
    answer = getattr(api_admin, method)(_api(log["guest"]), {})
    assert answer.status_code == 405
    assert PersonalDataAccess.objects.count() == 3


def test_the_api_includes_reads_under_a_merged_id(log, api_admin):
    survivor = make_person("Репин")
    person_merge(person_id=log["guest"], into_id=survivor.pk)
    data = api_admin.get(_api(survivor.pk)).json()
    assert data["count"] == 2 and {r["person_id"] for r in data["results"]} == {
        log["guest"]
    }


def test_the_api_is_404_for_nobody(db, api_admin):
    assert api_admin.get(_api(999999)).status_code == 404


# --- The page and its CSV -------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.SUPPORT])
@pytest.mark.parametrize("url", [PAGE, CSV])
def test_page_and_csv_are_for_admins_only(log, role, url):
    assert logged_in(role).get(url).status_code == 403
    assert PersonalDataAccess.objects.count() == 3  # a refused CSV is no export


def test_the_page_is_under_administration_for_admins_only(log):
    menu = reverse("reservations:list")
    assert PAGE in logged_in(Role.ADMIN).get(menu).content.decode()
    assert PAGE not in logged_in(Role.FRONT_DESK).get(menu).content.decode()


def _page_rows(client: Client, **filters) -> list[tuple[str, str]]:
    response = client.get(PAGE, filters)
    assert response.status_code == 200
    return [(r.username, r.kind) for r in response.context["page"].object_list]


def test_the_page_filters_by_person_user_and_period(log):
    admin = logged_in(Role.ADMIN)
    assert len(_page_rows(admin)) == 3
    assert _page_rows(admin, person=log["guest"]) == [
        ("clerk", "person_api"),
        ("clerk", "guest_card"),
    ]
    assert _page_rows(admin, user="nurse") == [("nurse", "history")]
    # Local days, both ends included: 23:59 on the 10th is in, 00:01 on the 20th too.
    assert _page_rows(admin, date_from="2026-11-10", date_to="2026-11-20") == [
        ("clerk", "person_api"),
        ("nurse", "history"),
    ]
    assert _page_rows(admin, date_to="2026-11-09") == [("clerk", "guest_card")]
    assert _page_rows(admin, user="clerk", date_from="2026-11-02") == [
        ("clerk", "person_api")
    ]


def test_the_page_shows_labels_in_russian(log):
    page = logged_in(Role.ADMIN).get(PAGE).content.decode()
    assert "Журнал доступа к персональным данным" in page
    assert "чтение через API персоны" in page and "clerk" in page


def test_a_reversed_period_is_an_error_on_the_form(log):
    response = logged_in(Role.ADMIN).get(
        PAGE, {"date_from": "2026-11-20", "date_to": "2026-11-01"}
    )
    assert response.context["filters"].errors["date_to"]


@pytest.mark.parametrize(
    "filters",
    [
        {"person": "abc"},
        {"date_from": "2026-11-20", "date_to": "2026-11-01"},
        {"date_from": "yesterday"},
    ],
)
def test_an_invalid_filter_lists_and_exports_no_row(log, filters):
    admin = logged_in(Role.ADMIN)
    response = admin.get(PAGE, filters)
    assert response.context["filters"].errors
    assert list(response.context["page"].object_list) == []
    exports = PersonalDataAccess.objects.count()
    csv_response = admin.get(CSV, filters)
    assert csv_response.status_code == 400
    assert csv_response["Content-Type"].startswith("text/plain")
    assert PersonalDataAccess.objects.count() == exports  # no file: no export


def _csv(client: Client, **filters) -> list[list[str]]:
    response = client.get(CSV, filters)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_has_the_filtered_rows(log):
    rows = _csv(logged_in(Role.ADMIN), person=log["guest"])
    assert rows[0] == ["when", "user", "person_id", "what", "kind", "address", "detail"]
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [
        ("clerk", str(log["guest"]), "person_api"),
        ("clerk", str(log["guest"]), "guest_card"),
    ]
    assert rows[1][3] == "чтение через API персоны"
    assert rows[1][0].startswith("2026-11-20T00:01:00")


def test_the_csv_export_is_itself_recorded(log):
    make_user(Role.ADMIN, username="dpo")
    client = Client()
    client.force_login(User.objects.get(username="dpo"))
    _csv(client, user="nurse")
    export = PersonalDataAccess.objects.latest("id")
    assert (export.username, export.kind, export.person_id) == (
        "dpo",
        "access_log_export",
        None,
    )
    assert export.detail == "username=nurse"
    assert [r[1] for r in _csv(client, user="dpo")[1:]] == ["dpo", "dpo"]


# --- The Django admin -------------------------------------------------------------


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(
        User.objects.create_superuser("root", "root@example.com", "pass-12345")
    )
    return client


def test_django_admin_lists_the_log_read_only_even_for_a_superuser(
    log, superuser_client
):
    row = PersonalDataAccess.objects.latest("id")
    base = "admin:personal_data_personaldataaccess"
    changelist = superuser_client.get(reverse(f"{base}_changelist"))
    assert changelist.status_code == 200 and "clerk" in changelist.content.decode()
    view = superuser_client.get(reverse(f"{base}_change", args=[row.pk]))
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    assert superuser_client.get(reverse(f"{base}_add")).status_code == 403
    assert superuser_client.post(reverse(f"{base}_add"), {}).status_code == 403
    delete = reverse(f"{base}_delete", args=[row.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk]}
    superuser_client.post(reverse(f"{base}_changelist"), bulk)
    assert PersonalDataAccess.objects.count() == 3


def test_support_does_not_see_the_log_in_the_django_admin(log):
    client = logged_in(Role.SUPPORT)
    url = reverse("admin:personal_data_personaldataaccess_changelist")
    assert client.get(url).status_code == 403


def test_django_admin_search_by_person_or_username(log, superuser_client):
    url = reverse("admin:personal_data_personaldataaccess_changelist")
    for query, found in [(str(log["other"]), "nurse"), ("clerk", "clerk"), ("x1", "")]:
        response = superuser_client.get(url, {"q": query})
        assert response.status_code == 200
        rows = response.context["cl"].result_list
        assert {r.username for r in rows} == ({found} if found else set())
