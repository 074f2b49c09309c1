"""The webhook delivery log (emis/deliveries/): every delivery recorded with
its outcome, never a passport value; the admins' API, Стыковки, the guest
card's notice, and pruning."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from emis import webhook
from emis.deliveries import services
from emis.deliveries.selectors import with_last_delivery
from emis.deliveries.services import deliveries_prune
from emis.models import EmisDelivery, WebhookDelivery
from emis.tasks import prune_delivery_log
from reservations.models import Person
from reservations.services import stay_create
from tests.emis.conftest import post_webhook, russian, webhook_body
from tests.factories import make_guest, make_legal_entity, make_reservation

pytestmark = pytest.mark.django_db

# Every value below is one a rejected or accepted body carries; none of them
# may reach the log table.
PASSPORT = {
    "number": "7531594",
    "series": "ЖЖ",
    "surname": "Зюзюкин",
    "surname_latin": "ZIUZIUKIN",
    "given": "Евлампий",
    "given_latin": "EVLAMPII",
    "birth_date": "1963-08-17",
    "birth_place": "ГОР. КРАСНОУФИМСК",
    "issuer": "ОТДЕЛОМ УФМС ПО ГОР. КРАСНОУФИМСКУ",
}


def person_data(person_id: int, **overrides) -> dict:
    data = russian(person_id, **overrides)
    data["surname"] = {
        "cyrillic": PASSPORT["surname"],
        "latin": PASSPORT["surname_latin"],
    }
    data["given_names"] = {
        "cyrillic": PASSPORT["given"],
        "latin": PASSPORT["given_latin"],
    }
    data["birth_date"] = PASSPORT["birth_date"]
    data["birth_place"] = PASSPORT["birth_place"]
    document = data["documents"][0]
    document.update(
        number=PASSPORT["number"], series=PASSPORT["series"], issuer=PASSPORT["issuer"]
    )
    return data


def logged() -> list[EmisDelivery]:
    return list(EmisDelivery.objects.order_by("id"))


def only_row() -> EmisDelivery:
    (row,) = logged()
    return row


def outcome(row: EmisDelivery) -> tuple:
    return (
        row.delivery_id,
        row.status,
        row.http_status,
        row.error_code,
        row.person_id,
        row.legal_entity_id,
    )


# --- what is recorded ------------------------------------------------------------


def test_applied_unchanged_duplicate_and_stale_are_each_recorded(anon, target):
    le, stay = target
    pid = stay.person_id
    body = webhook_body(person_data(pid, version=3), le.pk)
    post_webhook(anon, body, delivery="d-1")
    post_webhook(anon, body, delivery="d-2")
    post_webhook(anon, body, delivery="d-1")
    post_webhook(anon, webhook_body(person_data(pid, version=2), le.pk), delivery="d-3")
    assert [outcome(r) for r in logged()] == [
        ("d-1", "applied", 200, "", pid, le.pk),
        ("d-2", "unchanged", 200, "", pid, le.pk),
        ("d-1", "duplicate", 200, "", pid, le.pk),
        ("d-3", "stale", 200, "", pid, le.pk),
    ]
    assert [r.version for r in logged()] == [3, 3, 3, 2]
    assert all(r.bad_fields == [] for r in logged())
    assert WebhookDelivery.objects.count() == 3  # the claims are unchanged


def test_a_400_records_each_bad_field_with_its_reason_and_whom_it_was_about(
    anon, target
):
    le, stay = target
    data = person_data(stay.person_id, sex="X")
    data["documents"][0]["number"] = None
    data["documents"][0]["issue_date"] = "17.08.2008"
    response = post_webhook(anon, webhook_body(data, le.pk), delivery="d-bad")
    assert response.status_code == 400
    row = only_row()
    assert outcome(row) == (
        "d-bad",
        "rejected",
        400,
        "invalid_payload",
        stay.person_id,
        le.pk,
    )
    assert row.version == data["version"]
    assert sorted(row.bad_fields, key=lambda f: f["path"]) == [
        {
            "path": "person.documents[0].issue_date",
            "reason": "must be a date YYYY-MM-DD",
        },
        {"path": "person.documents[0].number", "reason": "required"},
        {"path": "person.sex", "reason": "must be one of F, M"},
    ]
    # The answer EMIS gets is the contract's, as before.
    assert response.json()["error"]["fields"]["person.sex"] == ["must be one of F, M"]
    assert not WebhookDelivery.objects.exists()


def test_a_400_with_unreadable_ids_records_none(anon, target):
    le, stay = target
    data = person_data("16O848", version="4")
    body = json.dumps(
        {"event": "person.documents_saved", "legal_entity_id": 17, "person": data}
    ).encode()
    assert post_webhook(anon, body, delivery="d-ids").status_code == 400
    row = only_row()
    assert (row.person_id, row.legal_entity_id, row.version) == (None, None, None)
    assert {f["path"] for f in row.bad_fields} >= {
        "person.person_id",
        "legal_entity_id",
        "person.version",
    }


def test_a_bad_delivery_header_is_recorded_without_an_id(anon, target):
    le, stay = target
    body = webhook_body(person_data(stay.person_id), le.pk)
    response = post_webhook(anon, body, HTTP_X_EMIS_DELIVERY="")
    assert response.status_code == 400
    row = only_row()
    assert outcome(row) == (
        "",
        "rejected",
        400,
        "invalid_payload",
        stay.person_id,
        le.pk,
    )
    assert row.bad_fields == [
        {
            "path": "X-Emis-Delivery",
            "reason": "required, 1 to 100 printable ASCII characters",
        }
    ]


def test_an_unsigned_delivery_is_recorded_but_names_nobody(anon, target):
    """The body of a request whose signature failed is not trusted: it must
    not put a notice on a guest's card."""
    le, stay = target
    body = webhook_body(person_data(stay.person_id), le.pk)
    response = post_webhook(anon, body, delivery="d-401", secret="wrong")
    assert response.status_code == 401
    assert outcome(only_row()) == (
        "d-401",
        "rejected",
        401,
        "bad_signature",
        None,
        None,
    )


def test_an_inactive_integration_and_a_too_large_body_are_recorded(
    anon, target, connection
):
    le, stay = target
    big = b"{" + b" " * (1024 * 1024) + b"}"
    assert post_webhook(anon, big, delivery="d-413").status_code == 413
    connection.is_active = False
    connection.save()
    body = webhook_body(person_data(stay.person_id), le.pk)
    assert post_webhook(anon, body, delivery="d-403").status_code == 403
    assert [outcome(r) for r in logged()] == [
        ("d-413", "rejected", 413, "payload_too_large", None, None),
        ("d-403", "rejected", 403, "integration_inactive", None, None),
    ]


def test_a_404_is_recorded_and_survives_the_rolled_back_claim(anon, target):
    le, stay = target
    other_le = make_legal_entity(name="ООО Другое")
    body = webhook_body(person_data(stay.person_id), other_le.pk)
    assert post_webhook(anon, body, delivery="d-404").status_code == 404
    assert not WebhookDelivery.objects.exists()  # the claim rolled back …
    row = only_row()  # … the log row did not
    assert outcome(row) == (
        "d-404",
        "rejected",
        404,
        "not_found",
        stay.person_id,
        other_le.pk,
    )
    # EMIS retries the same delivery once the guest stays with that entity.
    stay_create(reservation=make_reservation(other_le), person=stay.person)
    assert post_webhook(anon, body, delivery="d-404").json() == {"status": "applied"}
    assert [r.status for r in logged()] == ["rejected", "applied"]


def test_an_inactive_legal_entity_is_recorded_with_the_ids(anon, target):
    le, stay = target
    le.is_active = False
    le.save()
    body = webhook_body(person_data(stay.person_id), le.pk)
    assert post_webhook(anon, body, delivery="d-le").status_code == 403
    assert outcome(only_row()) == (
        "d-le",
        "rejected",
        403,
        "integration_inactive",
        stay.person_id,
        le.pk,
    )


def test_a_lost_key_and_a_crash_are_recorded_as_failed(
    anon, target, settings, tmp_path, monkeypatch
):
    le, stay = target
    body = webhook_body(person_data(stay.person_id), le.pk)

    def crash(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(webhook, "person_apply_documents", crash)
    anon.raise_request_exception = False
    assert post_webhook(anon, body, delivery="d-500").status_code == 500
    settings.PMS_ENCRYPTION_KEY_FILE = tmp_path / "another.key"
    assert post_webhook(anon, body, delivery="d-503").status_code == 503
    assert [outcome(r) for r in logged()] == [
        ("d-500", "failed", 500, "internal_error", stay.person_id, le.pk),
        ("d-503", "failed", 503, "secrets_unreadable", None, None),
    ]


def test_a_log_the_database_refuses_does_not_change_the_refusal(
    anon, target, monkeypatch
):
    le, stay = target

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "delivery_record", broken)
    body = webhook_body(person_data(stay.person_id, sex="X"), le.pk)
    response = post_webhook(anon, body, delivery="d-x")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


def test_no_passport_value_from_any_body_is_stored(anon, target):
    le, stay = target
    pid = stay.person_id
    broken = person_data(pid, sex="X")
    broken["documents"][0]["expiry_date"] = "never"
    broken["visas"] = [{"number": "7777777", "valid_to": "31.12.2030"}]
    bodies = [
        webhook_body(person_data(pid), le.pk),  # applied
        webhook_body(broken, le.pk),  # 400
        webhook_body(person_data(987654321), le.pk),  # 404
    ]
    for i, body in enumerate(bodies):
        post_webhook(anon, body, delivery=f"d-{i}")
    post_webhook(anon, bodies[0], delivery="d-401", secret="wrong")
    assert [r.status for r in logged()] == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
    ]
    # Every column of every row, as the database holds it.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {EmisDelivery._meta.db_table}")  # noqa: S608
        stored = json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)
    for value in [*PASSPORT.values(), "7777777", "31.12.2030", "never", "1963"]:
        assert value not in stored, value


# --- the API ------------------------------------------------------------------------


def _rejections(anon, target) -> tuple[int, int]:
    le, stay = target
    other = make_guest(make_reservation(le), "Другой").person_id
    for pid, delivery in ((stay.person_id, "r-1"), (other, "r-2")):
        post_webhook(
            anon, webhook_body(person_data(pid, sex="X"), le.pk), delivery=delivery
        )
    post_webhook(
        anon, webhook_body(person_data(stay.person_id), le.pk), delivery="ok-1"
    )
    return stay.person_id, other


def test_admins_list_rejected_deliveries_of_one_person(anon, target, api_admin):
    person_id, _other = _rejections(anon, target)
    response = api_admin.get(
        "/api/v1/emis/deliveries/", {"status": "rejected", "person": person_id}
    )
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    (row,) = page["results"]
    assert row["delivery_id"] == "r-1"
    assert (row["status"], row["http_status"], row["code"]) == (
        "rejected",
        400,
        "invalid_payload",
    )
    assert row["person_id"] == person_id
    assert row["bad_fields"] == [
        {"path": "person.sex", "reason": "must be one of F, M"}
    ]
    everything = api_admin.get("/api/v1/emis/deliveries/", {"limit": 2}).json()
    assert everything["count"] == 3 and len(everything["results"]) == 2
    assert everything["results"][0]["delivery_id"] == "ok-1"  # newest first
    assert everything["next"]


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"person": "abc"}, {"person": "0"}, {"legal_entity": "-1"}],
)
def test_bad_filters_are_a_400_naming_them(api_admin, query):
    response = api_admin.get("/api/v1/emis/deliveries/", query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_only_admins_read_the_log(api_front_desk, api_support, api_anonymous):
    url = "/api/v1/emis/deliveries/"
    assert api_front_desk.get(url).status_code == 403
    assert api_support.get(url).status_code == 403
    assert api_anonymous.get(url).status_code == 401


# --- Стыковки -------------------------------------------------------------------------


def test_integrations_page_shows_the_last_rejected_deliveries(
    anon, target, admin_client_, english
):
    person_id, other = _rejections(anon, target)
    page = admin_client_.get(reverse("integrations:list")).content.decode()
    assert "Rejected EMIS delivery r-2" in page
    assert f"person {other}" in page
    assert "person.sex — must be one of F, M" in page
    assert "ok-1" not in page  # accepted deliveries are not listed


def test_integrations_page_in_russian_translates_the_reasons(
    anon, target, admin_client_
):
    _rejections(anon, target)
    page = admin_client_.get(reverse("integrations:list")).content.decode()
    assert "Отклонена доставка EMIS r-2" in page
    assert "person.sex — должно быть одним из: F, M" in page


# --- the guest card -----------------------------------------------------------------


def _card_url(stay) -> str:
    return reverse("reservations:guest", args=[stay.reservation_id, stay.pk])


def test_the_guest_card_names_each_rejected_field(anon, target, front_desk_client):
    le, stay = target
    data = person_data(stay.person_id, sex="X")
    data["documents"][0]["number"] = None
    post_webhook(anon, webhook_body(data, le.pk))
    page = front_desk_client.get(_card_url(stay)).content.decode()
    notice = page.split("data-emis-rejected>", 1)[1].split("</span>", 1)[0]
    assert "EMIS прислал данные этого гостя, но они отклонены:" in notice
    # By the card's names of the fields, not their paths in the payload.
    assert "Пол — должно быть одним из: F, M" in notice
    assert "документ, удостоверяющий личность № 1: номер — обязательно" in notice
    assert "person." not in notice


def _uto_webhook(anon, le, stay) -> None:
    """What the sandbox sends when its operator saves ICAO's specimen
    passport of Utopia ("UTO", no ISO code): the PMS refuses it (400)."""
    data = person_data(stay.person_id, citizenship="UTO")
    data["documents"][0]["issuing_country"] = "UTO"
    response = post_webhook(anon, webhook_body(data, le.pk))
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        (
            "ru",
            "EMIS прислал данные этого гостя, но они отклонены: Гражданство — "
            "неизвестный код страны; документ, удостоверяющий личность № 1: "
            "страна выдачи — неизвестный код страны",
        ),
        (
            "en",
            "EMIS sent data for this guest that was rejected: Citizenship — "
            "unknown country code; identity document no. 1: issuing country — "
            "unknown country code",
        ),
    ],
)
def test_a_country_code_the_pms_refuses_is_said_in_a_clerks_words(
    anon, target, front_desk_client, language, reason
):
    le, stay = target
    if language == "en":
        front_desk_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _uto_webhook(anon, le, stay)
    # Tied to the guest: the open card's poll brings it, and so does the card.
    (row,) = logged()
    assert (row.person_id, row.http_status) == (stay.person_id, 400)
    state = reverse("emis:person_state", args=[stay.person_id])
    polled = front_desk_client.get(state, {"v": "", "d": ""}).content.decode()
    card = front_desk_client.get(_card_url(stay)).content.decode()
    for page in (polled, card):
        notice = " ".join(
            page.split("data-emis-rejected>", 1)[1].split("<span", 1)[0].split()
        )
        assert notice == reason


def test_the_card_says_why_when_the_guest_has_no_stay_with_that_entity(
    anon, target, front_desk_client, english
):
    le, stay = target
    other_le = make_legal_entity(name="ООО Другое")
    post_webhook(anon, webhook_body(person_data(stay.person_id), other_le.pk))
    page = front_desk_client.get(_card_url(stay)).content.decode()
    assert (
        "EMIS sent data for this guest that was rejected: "
        f"the guest has no stay with legal entity {other_le.pk}"
    ) in page


def test_the_notice_goes_once_newer_data_is_accepted(anon, target, front_desk_client):
    le, stay = target
    post_webhook(
        anon, webhook_body(person_data(stay.person_id, version=5, sex="X"), le.pk)
    )
    assert (
        "data-emis-rejected" in front_desk_client.get(_card_url(stay)).content.decode()
    )
    post_webhook(anon, webhook_body(person_data(stay.person_id, version=5), le.pk))
    assert (
        "data-emis-rejected"
        not in front_desk_client.get(_card_url(stay)).content.decode()
    )


def test_the_notice_goes_when_a_pull_brought_that_version(
    anon, target, front_desk_client
):
    le, stay = target
    post_webhook(
        anon, webhook_body(person_data(stay.person_id, version=5, sex="X"), le.pk)
    )
    Person.objects.filter(pk=stay.person_id).update(emis_version=5)  # as a pull does
    assert (
        "data-emis-rejected"
        not in front_desk_client.get(_card_url(stay)).content.decode()
    )


def test_other_guests_rejections_are_not_shown(anon, target, front_desk_client):
    le, stay = target
    other = make_guest(make_reservation(le), "Другой")
    post_webhook(anon, webhook_body(person_data(other.person_id, sex="X"), le.pk))
    post_webhook(
        anon, webhook_body(person_data(stay.person_id), le.pk), secret="wrong"
    )  # unsigned: names nobody
    assert (
        "data-emis-rejected"
        not in front_desk_client.get(_card_url(stay)).content.decode()
    )


def test_the_card_reads_the_log_once(anon, target, front_desk_client):
    le, stay = target
    for version in (3, 4):
        body = webhook_body(
            person_data(stay.person_id, version=version, sex="X"), le.pk
        )
        post_webhook(anon, body)
    with CaptureQueriesContext(connection) as queries:
        front_desk_client.get(_card_url(stay))
    table = EmisDelivery._meta.db_table
    assert sum(table in q["sql"] for q in queries.captured_queries) == 1


def test_an_open_card_learns_of_a_rejection_when_it_asks_again(
    anon, target, front_desk_client
):
    le, stay = target
    state = reverse("emis:person_state", args=[stay.person_id])
    assert front_desk_client.get(state, {"v": "", "d": ""}).status_code == 204
    post_webhook(anon, webhook_body(person_data(stay.person_id, sex="X"), le.pk))
    row = only_row()
    notice = front_desk_client.get(state, {"v": "", "d": ""})
    assert notice.status_code == 200
    # The poller is drawn again in its place, asking from this row on.
    assert notice["HX-Reswap"] == "outerHTML"
    page = notice.content.decode()
    assert f"d={row.pk}" in page and "data-emis-flash" in page
    assert "Пол — должно быть одним из: F, M" in page
    # Asked again by the redrawn poller: nothing new, one read.
    with CaptureQueriesContext(connection) as queries:
        again = front_desk_client.get(state, {"v": "", "d": str(row.pk)})
    assert again.status_code == 204
    assert (
        len([q for q in queries.captured_queries if "emis_emisdelivery" in q["sql"]])
        == 1
    )


def test_a_stale_delivery_leaves_the_notice_a_newer_one_takes_it_away(
    anon, target, front_desk_client
):
    """Only data at least as new as the refused version clears the notice:
    an older version (stale) does not bring what was refused."""
    le, stay = target
    post_webhook(
        anon, webhook_body(person_data(stay.person_id, version=5, sex="X"), le.pk)
    )
    rejected = only_row()
    Person.objects.filter(pk=stay.person_id).update(emis_version=4)
    assert post_webhook(
        anon, webhook_body(person_data(stay.person_id, version=3), le.pk)
    ).json() == {"status": "stale"}
    state = reverse("emis:person_state", args=[stay.person_id])
    redrawn = front_desk_client.get(state, {"v": "4", "d": str(rejected.pk)})
    assert redrawn.status_code == 200  # a new row: drawn again
    assert "data-emis-rejected" in redrawn.content.decode()  # still due
    assert "data-emis-rejected" in front_desk_client.get(_card_url(stay)).content.decode()

    assert post_webhook(
        anon, webhook_body(person_data(stay.person_id, version=5), le.pk)
    ).json() == {"status": "applied"}
    assert (
        "data-emis-rejected"
        not in front_desk_client.get(_card_url(stay)).content.decode()
    )


def test_an_older_refusal_stays_due_behind_a_newer_cleared_one(anon, target, front_desk_client):
    le, stay = target
    for version in (6, 5):
        body = webhook_body(person_data(stay.person_id, version=version, sex="X"), le.pk)
        post_webhook(anon, body)
    post_webhook(anon, webhook_body(person_data(stay.person_id, version=5), le.pk))
    page = front_desk_client.get(_card_url(stay)).content.decode()
    assert "data-emis-rejected" in page  # version 6 never arrived


def test_a_refusal_for_a_merged_id_is_judged_by_that_id_s_versions(
    anon, target, front_desk_client
):
    """EMIS versions each person ID apart: a refusal sent to a merged
    guest's old ID is compared with the versions of that ID (the alias),
    never with the survivor's."""
    from reservations.services import person_merge

    le, stay = target
    merged = make_guest(make_reservation(le), "Дубль").person
    person_merge(person_id=merged.pk, into_id=stay.person_id)
    Person.objects.filter(pk=stay.person_id).update(emis_version=7)  # its own
    post_webhook(anon, webhook_body(person_data(merged.pk, version=5, sex="X"), le.pk))
    assert "data-emis-rejected" in front_desk_client.get(_card_url(stay)).content.decode()
    # The open card's poll sees the old ID's row as the guest's newest.
    polled = with_last_delivery(Person.objects.all()).get(pk=stay.person_id)
    assert polled.last_delivery_id == EmisDelivery.objects.latest("id").pk
    # That version for the old ID arrives (the survivor's 7 is not its own).
    assert post_webhook(
        anon, webhook_body(person_data(merged.pk, version=5), le.pk)
    ).json() == {"status": "applied"}
    assert (
        "data-emis-rejected"
        not in front_desk_client.get(_card_url(stay)).content.decode()
    )


# --- pruning --------------------------------------------------------------------------


def _row(days_ago: float) -> EmisDelivery:
    return EmisDelivery.objects.create(
        delivery_id=f"old-{days_ago}",
        status=EmisDelivery.Status.APPLIED,
        http_status=200,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_rows_older_than_the_setting_are_pruned(settings):
    settings.EMIS_DELIVERY_LOG_DAYS = 30
    _row(31), _row(45)
    kept = _row(29)
    assert deliveries_prune() == 2
    assert logged() == [kept]


def test_zero_days_keeps_everything(settings):
    settings.EMIS_DELIVERY_LOG_DAYS = 0
    _row(4000)
    assert deliveries_prune() == 0
    assert EmisDelivery.objects.count() == 1


def test_the_beat_task_and_the_command_prune(settings, capsys):
    settings.EMIS_DELIVERY_LOG_DAYS = 10
    _row(11)
    prune_delivery_log()
    assert not EmisDelivery.objects.exists()
    _row(6)
    call_command("prune_emis_deliveries", "--days", "5")
    assert not EmisDelivery.objects.exists()
    assert "1 delivery log rows deleted." in capsys.readouterr().out


def test_the_daily_prune_is_installed_in_beat():
    task = PeriodicTask.objects.get(name="EMIS: prune the delivery log")
    assert task.task == "emis.tasks.prune_delivery_log" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "days")


# --- the Django admin, for EMIS support ------------------------------------------------


def test_support_reads_the_log_in_the_admin_and_nobody_edits_it(
    anon, target, support_client, english
):
    _rejections(anon, target)
    url = "/admin/emis/emisdelivery/"
    page = support_client.get(url, {"q": "r-1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "r-1" in text and "r-2" not in text
    row = EmisDelivery.objects.get(delivery_id="r-1")
    detail = support_client.get(f"{url}{row.pk}/change/").content.decode()
    assert "person.sex — must be one of F, M" in detail
    assert 'name="_save"' not in detail
    assert support_client.get(f"{url}add/").status_code == 403
    assert (
        support_client.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert EmisDelivery.objects.filter(pk=row.pk).exists()
