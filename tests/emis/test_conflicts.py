"""Scan-vs-profile conflicts (issue 10, item 3) and names that carry their
source (item 6): a field staff changed after EMIS's value is never silently
reverted nor hidden behind "unchanged"; staff decide, and the history says
who did."""

import copy
import datetime as dt

import pytest
from django.test import Client

from emis.models import EmisConflict, EmisJob, NamePolicy
from emis.names.reapply import reapply_job_run
from pms.roles import Role
from reservations.models import IdentityDocument, Person, PersonChange
from reservations.services import stay_create
from tests.factories import make_legal_entity, make_person, make_reservation, make_user

from .conftest import foreigner, post_webhook, russian, webhook_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest(connection):
    le, person = make_legal_entity(), make_person("Крупкин")
    stay_create(reservation=make_reservation(le), person=person)
    return le, person


def deliver(le, person, data) -> dict:
    answer = post_webhook(Client(), webhook_body(data, le.pk))
    assert answer.status_code == 200, answer.content
    return answer.json()


def conflicts(api, person) -> list[dict]:
    answer = api.get(f"/api/v1/persons/{person.pk}/emis/conflicts/")
    assert answer.status_code == 200
    return answer.json()


def test_staff_change_then_new_emis_value_is_a_conflict_not_a_revert(
    guest, api_front_desk
):
    le, person = guest
    assert deliver(le, person, russian(person.pk, version=3))["status"] == "applied"
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"birth_place": "Тверь"}, format="json"
    )

    answer = deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))

    assert answer == {"status": "applied", "conflicts": ["birth_place"]}
    person.refresh_from_db()
    assert person.birth_place == "Тверь"  # the profile keeps staff's value
    [open_one] = conflicts(api_front_desk, person)
    assert {k: open_one[k] for k in ("field", "profile", "emis")} == {
        "field": "birth_place",
        "profile": "Тверь",
        "emis": "Казань",
    }
    assert open_one["since"]


def test_since_carries_the_servers_offset_like_every_timestamp(
    guest, api_front_desk
):
    """docs/api.md: timestamps in answers carry the server's offset, not Z —
    ``since`` as the person's ``updated_at`` is written."""
    le, person = guest
    deliver(le, person, russian(person.pk, version=3))
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"birth_place": "Тверь"}, format="json"
    )
    deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))

    [open_one] = conflicts(api_front_desk, person)

    assert open_one["since"].endswith("+03:00")
    since = dt.datetime.fromisoformat(open_one["since"])
    assert since == EmisConflict.objects.get().since
    shown = api_front_desk.get(f"/api/v1/persons/{person.pk}/").json()
    assert shown["updated_at"][-6:] == open_one["since"][-6:]


def test_an_untouched_field_still_takes_the_new_emis_value(guest, api_front_desk):
    le, person = guest
    deliver(le, person, russian(person.pk, version=3))
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"phone": "+79123456789"}, format="json"
    )
    answer = deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))
    assert answer == {"status": "applied"}
    person.refresh_from_db()
    assert (person.birth_place, person.phone) == ("Казань", "+79123456789")
    assert conflicts(api_front_desk, person) == []


def test_an_api_revert_of_a_webhook_is_not_hidden_behind_unchanged(
    guest, api_front_desk
):
    """The measured case: a client read the guest, a webhook landed, the
    client's PATCH of documents put the old values back. The re-delivery of
    the same EMIS version must not answer "unchanged"."""
    le, person = guest
    first = russian(person.pk, version=3)
    deliver(le, person, first)
    stale_read = api_front_desk.get(f"/api/v1/persons/{person.pk}/").json()
    newer = copy.deepcopy(first)
    newer["version"] = 4
    newer["documents"][0]["expiry_date"] = "2035-05-20"
    deliver(le, person, newer)
    api_front_desk.patch(  # no If-Match: the old client
        f"/api/v1/persons/{person.pk}/",
        {"documents": stale_read["documents"]},
        format="json",
    )
    assert IdentityDocument.objects.get(person=person).expiry_date is None

    again = deliver(le, person, newer)  # EMIS re-delivers version 4
    assert again["status"] == "applied"
    [path] = again["conflicts"]
    assert path.startswith("documents[passport_rf 4510 ****56]") and path.endswith(
        ".expiry_date"
    )
    assert conflicts(api_front_desk, person)[0]["emis"] == "2035-05-20"


def test_take_emis_for_one_field_writes_it_with_who_decided(
    guest, api_front_desk, front_desk
):
    le, person = guest
    deliver(le, person, russian(person.pk, version=3))
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/",
        {"birth_place": "Тверь", "sex": "F"},
        format="json",
    )
    deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))
    assert {c["field"] for c in conflicts(api_front_desk, person)} == {
        "birth_place",
        "sex",
    }

    answer = api_front_desk.post(
        f"/api/v1/persons/{person.pk}/emis/conflicts/resolve/",
        {"keep": "emis", "field": "birth_place"},
        format="json",
    )
    assert answer.status_code == 200
    assert [c["field"] for c in answer.json()] == ["sex"]  # still open
    person.refresh_from_db()
    assert person.birth_place == "Казань"
    row = PersonChange.objects.filter(field="birth_place").latest("pk")
    assert (row.source, row.old_value, row.new_value) == ("keep_emis", "Тверь", "Казань")
    assert row.user is not None


def _keep_profile_against_kazan(le, person, api) -> None:
    """Staff typed "Тверь", EMIS then sent "Казань": the profile's kept."""
    deliver(le, person, russian(person.pk, version=3))
    api.patch(f"/api/v1/persons/{person.pk}/", {"birth_place": "Тверь"}, format="json")
    deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))
    api.post(
        f"/api/v1/persons/{person.pk}/emis/conflicts/resolve/",
        {"keep": "profile"},
        format="json",
    )


def test_keep_profile_holds_for_that_emis_value_only(guest, api_front_desk):
    le, person = guest
    _keep_profile_against_kazan(le, person, api_front_desk)
    row = PersonChange.objects.filter(field="birth_place").latest("pk")
    assert (row.source, row.old_value, row.new_value) == ("keep_prof", "Казань", "Тверь")
    assert conflicts(api_front_desk, person) == []

    # The same EMIS value again: decided, nothing reopens.
    assert deliver(le, person, russian(person.pk, version=5, birth_place="Казань")) == {
        "status": "unchanged"
    }
    # A newer one: asked again.
    answer = deliver(le, person, russian(person.pk, version=6, birth_place="Омск"))
    assert answer["conflicts"] == ["birth_place"]
    person.refresh_from_db()
    assert person.birth_place == "Тверь"
    assert EmisConflict.objects.get().emis_value == "Омск"


def test_resolve_refuses_what_it_cannot_do(guest, api_front_desk, api_support):
    _le, person = guest
    url = f"/api/v1/persons/{person.pk}/emis/conflicts/resolve/"
    assert api_front_desk.post(url, {"keep": "both"}, format="json").status_code == 400
    no_such = api_front_desk.post(url, {"keep": "emis", "field": "sex"}, format="json")
    assert no_such.status_code == 400 and "field" in no_such.json()
    assert api_support.post(url, {"keep": "emis"}, format="json").status_code == 403
    assert api_front_desk.get("/api/v1/persons/987654/emis/conflicts/").status_code == 404


def test_a_pull_says_so_in_its_result(guest, api_front_desk, front_desk):
    from emis.apply import person_apply_documents
    from emis.payload import parse_person

    le, person = guest
    deliver(le, person, russian(person.pk, version=3))
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"birth_place": "Тверь"}, format="json"
    )
    result = person_apply_documents(
        person_id=person.pk,
        legal_entity_id=le.pk,
        data=parse_person(russian(person.pk, version=4, birth_place="Казань")),
        source="pull",
    )
    assert (result.status, result.conflicts) == ("applied", ["birth_place"])
    assert result.changed_fields == []
    job = EmisJob.objects.create(person=person, legal_entity=le)
    assert "conflicts" in api_front_desk.get(f"/api/v1/emis/jobs/{job.pk}/").json()


def test_staff_typed_names_survive_policy_round_trips(guest, api_front_desk):
    """The measured case: Latin-only "WANG LI", corrected by staff to "Ван
    Ли", came back as "Ванг Ли" after the policy went Latin and back."""
    le, person = guest
    wang = foreigner(
        person.pk,
        version=3,
        surname={"cyrillic": None, "latin": "WANG"},
        given_names={"cyrillic": None, "latin": "LI"},
    )
    deliver(le, person, wang)
    person.refresh_from_db()
    assert person.name_sources == {"surname": "policy", "given_names": "policy"}
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/",
        {"surname": "Ван", "given_names": "Ли"},
        format="json",
    )
    person.refresh_from_db()
    assert person.name_sources["surname"] == "staff"

    # Only the surname was corrected ("Ли" was right): the given name stays
    # the policy's, the typed surname stays as typed.
    expected = {"latin": ("Ван", "Li"), "cyrillic": ("Ван", "Ли")}
    for script in ("latin", "cyrillic", "latin", "cyrillic"):
        policy = NamePolicy.load()
        policy.script = script
        policy.save()
        job = EmisJob.objects.create(kind="reapply_names")
        reapply_job_run(job_id=job.pk)
        person.refresh_from_db()
        assert (person.surname, person.given_names) == expected[script]
    assert Person.objects.get(pk=person.pk).surname_latin == "WANG"


def _conflicted(le, person, api):
    deliver(le, person, russian(person.pk, version=3))
    api.patch(f"/api/v1/persons/{person.pk}/", {"birth_place": "Тверь"}, format="json")
    deliver(le, person, russian(person.pk, version=4, birth_place="Казань"))


def test_the_card_compares_and_decides_keeping_typing(
    guest, api_front_desk, front_desk_client
):
    le, person = guest
    _conflicted(le, person, api_front_desk)
    stay = person.stays.get()
    card = front_desk_client.get(stay.get_absolute_url()).content.decode()
    section = card[card.index("data-emis-conflicts") :]
    assert "Место рождения" in section and "Тверь" in section and "Казань" in section
    assert 'name="keep" value="emis"' in section

    tab = front_desk_client.get(f"/reservations/{stay.reservation_id}/?tab=guests")
    assert "data-emis-conflict" in tab.content.decode()

    url = f"/emis/persons/{person.pk}/conflicts/resolve/"
    answer = front_desk_client.post(
        url, {"keep": "emis", "field": "birth_place"}, HTTP_HX_REQUEST="true"
    )
    # With htmx: the card draws itself again (typing kept), no navigation.
    assert answer.status_code == 204 and answer["HX-Trigger"] == "guest-card-changed"
    person.refresh_from_db()
    assert person.birth_place == "Казань"
    assert "data-emis-conflicts" not in front_desk_client.get(stay.get_absolute_url()).content.decode()
    # Without htmx: back to the card named (never another site).
    plain = front_desk_client.post(url, {"keep": "profile", "next": "https://evil.example/"})
    assert plain.status_code == 302 and plain["Location"] == "/reservations/"


def test_the_guests_tab_asks_once_for_all_conflicts(
    guest, api_front_desk, front_desk_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    le, person = guest
    reservation = person.stays.get().reservation
    url = f"/reservations/{reservation.pk}/?tab=guests"

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert front_desk_client.get(url).status_code == 200
        return len(seen)

    _conflicted(le, person, api_front_desk)
    one = queries()
    for n in range(4):
        other = make_person(f"Гость{n}")
        stay_create(reservation=reservation, person=other)
        _conflicted(le, other, api_front_desk)
    assert queries() == one


def test_a_value_typed_where_emis_had_none_is_not_overwritten(guest, api_front_desk):
    """Outside review: EMIS sent no birth place, staff typed one, EMIS then
    sent another — that is a conflict too, not a silent overwrite."""
    le, person = guest
    deliver(le, person, russian(person.pk, version=3, birth_place=None))
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"birth_place": "ТУЛА"}, format="json"
    )
    answer = deliver(le, person, russian(person.pk, version=4, birth_place="ОРЁЛ"))
    assert answer["conflicts"] == ["birth_place"]
    person.refresh_from_db()
    assert person.birth_place == "ТУЛА"


def test_open_conflicts_follow_later_staff_edits(guest, api_front_desk):
    le, person = guest
    _conflicted(le, person, api_front_desk)  # profile Тверь, EMIS Казань
    url = f"/api/v1/persons/{person.pk}/"
    api_front_desk.patch(url, {"birth_place": "Тула"}, format="json")
    assert conflicts(api_front_desk, person)[0]["profile"] == "Тула"
    # Staff typed EMIS's value: nothing left to decide.
    api_front_desk.patch(url, {"birth_place": "Казань"}, format="json")
    assert conflicts(api_front_desk, person) == []


def test_a_decision_on_a_value_emis_has_replaced_since_is_refused(guest, api_front_desk):
    le, person = guest
    _conflicted(le, person, api_front_desk)  # the clerk sees EMIS "Казань"
    deliver(le, person, russian(person.pk, version=5, birth_place="Омск"))
    answer = api_front_desk.post(
        f"/api/v1/persons/{person.pk}/emis/conflicts/resolve/",
        {"keep": "emis", "field": "birth_place", "emis": "Казань"},
        format="json",
    )
    assert answer.status_code == 400 and "emis" in answer.json()
    person.refresh_from_db()
    assert person.birth_place == "Тверь"
    [open_one] = conflicts(api_front_desk, person)
    assert open_one["emis"] == "Омск"


def test_a_reapply_keeps_the_check_flag_of_a_typed_part(db):
    from emis.names.policy import PolicyFields
    from emis.names.reapply import planned_values

    person = make_person(
        "Мюллер",
        given_names="Ханс",
        surname_latin="MUELLER",
        given_names_latin="HANS",
        transliterated_parts=["surname", "given_names"],
        name_sources={"surname": "staff", "given_names": "policy"},
    )
    values = planned_values(person, PolicyFields(script="latin"))
    # The typed surname and its flag stay; the policy's part follows it.
    assert "surname" not in values
    assert values["given_names"] == "Hans"
    assert values["transliterated_parts"] == ["surname"]


def test_a_typed_name_is_never_replaced_nor_contested_by_a_guess(guest, api_front_desk):
    """Outside review: «Пафнутьева» typed by staff became the guess
    «Пафнутева» when EMIS sent the name in Latin only; a later correction
    was raised as a conflict against the PMS's own guess."""
    le, person = guest
    api_front_desk.patch(
        f"/api/v1/persons/{person.pk}/", {"surname": "Пафнутьева"}, format="json"
    )
    latin_only = russian(
        person.pk, version=3, surname={"cyrillic": None, "latin": "PAFNUTEVA"}
    )
    answer = deliver(le, person, latin_only)
    assert "conflicts" not in answer
    person.refresh_from_db()
    assert person.surname == "Пафнутьева" and person.surname_latin == "PAFNUTEVA"
    assert "surname" not in person.transliterated_parts
    assert "conflicts" not in deliver(le, person, {**latin_only, "version": 4, "birth_place": "Тверь"})


def test_typing_a_flagged_name_part_clears_its_check_flag(guest, api_front_desk):
    le, person = guest
    deliver(
        le,
        person,
        russian(person.pk, version=3, given_names={"cyrillic": None, "latin": "OKSANA"}),
    )
    person.refresh_from_db()
    assert "given_names" in person.transliterated_parts
    api_front_desk.patch(  # the clerk corrects it from the guest's word
        f"/api/v1/persons/{person.pk}/", {"given_names": "Аксана"}, format="json"
    )
    person.refresh_from_db()
    assert "given_names" not in person.transliterated_parts


def test_how_emis_read_a_document_is_never_a_conflict(guest, api_front_desk):
    """Outside review: the document's `source` (chip, MRZ, visual zone) was
    raised as a conflict against "manual" — staff never choose it."""
    le, person = guest
    IdentityDocument.objects.create(
        person=person, kind="passport_rf", series="4510", number="123456"
    )
    answer = deliver(le, person, russian(person.pk, version=3))
    assert "conflicts" not in answer
    assert IdentityDocument.objects.get(person=person).source == "visual"


def test_keep_profile_reads_as_a_decision_in_the_history(guest, api_front_desk):
    """Keeping the profile's value changes nothing: the history says what
    was decided against which EMIS value, not "Казань → Тверь"."""
    from reservations.guest_views import history_rows

    le, person = guest
    _keep_profile_against_kazan(le, person, api_front_desk)
    rows = history_rows(person.pk, make_user(Role.FRONT_DESK))
    decided = next(r for r in rows if r.source.startswith("Расхождение с EMIS"))
    assert decided.field == "Место рождения"
    assert (decided.old, decided.new) == ("", "")  # no change shown
    assert decided.decision == "Оставлено значение профиля: Тверь; EMIS: Казань"
    staff = next(r for r in rows if r.source == "Ручная правка" and "рождения" in r.field)
    assert staff.decision == ""


def _without_ids(items: list[dict], **values) -> list[dict]:
    return [{**{k: v for k, v in item.items() if k != "id"}, **values} for item in items]


def test_a_document_sent_back_without_its_id_keeps_its_emis_base(
    guest, api_front_desk
):
    """The tester's case: a client that drops the ids edits the same
    document; EMIS's re-delivery is a conflict, not a silent revert."""
    le, person = guest
    data = foreigner(person.pk, version=3)
    data["documents"][0].update(
        number="C01X00T47", issuing_country="DEU", expiry_date="2030-01-01"
    )
    deliver(le, person, data)
    url = f"/api/v1/persons/{person.pk}/"
    read = api_front_desk.get(url).json()
    [old_id] = [d["id"] for d in read["documents"]]
    body = {"documents": _without_ids(read["documents"], expiry_date="2032-02-02")}
    assert api_front_desk.patch(url, body, format="json").status_code == 200
    [doc] = IdentityDocument.objects.filter(person=person)
    assert (doc.pk, doc.expiry_date.isoformat()) == (old_id, "2032-02-02")

    again = deliver(le, person, data)  # the same payload, a new delivery ID

    [path] = again["conflicts"]
    assert path.endswith(".expiry_date")
    doc.refresh_from_db()
    assert doc.expiry_date.isoformat() == "2032-02-02"


def test_visas_sent_back_without_ids_keep_their_emis_base(guest, api_front_desk):
    le, person = guest
    data = foreigner(person.pk, version=3)
    deliver(le, person, data)
    url = f"/api/v1/persons/{person.pk}/"
    visas = api_front_desk.get(url).json()["visas"]
    ids = sorted(v["id"] for v in visas)
    body = {"visas": _without_ids(visas, category="work")}
    assert api_front_desk.patch(url, body, format="json").status_code == 200
    assert sorted(person.visas.values_list("pk", flat=True)) == ids

    again = deliver(le, person, data)

    assert sorted(again["conflicts"])[0].endswith(".category")
    assert len(again["conflicts"]) == 2
    assert set(person.visas.values_list("category", flat=True)) == {"work"}
