"""The guest card never overwrites nor loses (issue 10, items 2 and the
reloads): it carries the version it was opened with; a save over a newer
version writes only the clerk's changes, and when the clerk changed a field
that was changed elsewhere too nothing is saved and both values are shown;
a refresh (EMIS data arrived) keeps everything typed and not saved."""

import datetime as dt
import re

import pytest

from reservations.models import IdentityDocument, PersonChange
from reservations.services import person_update
from tests.factories import make_guest, make_legal_entity, make_reservation
from tests.support.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay():
    return make_guest(make_reservation(make_legal_entity()), surname="Репин")


def _url(stay, tail=""):
    return f"/reservations/{stay.reservation_id}/guests/{stay.pk}/{tail}"


def _opened(client, stay) -> dict:
    """The card as the clerk opened it: what the browser would post back."""
    page = client.get(_url(stay)).content.decode()
    data = form_data(page, "guest-form")
    assert data["version"].startswith('"')
    return data


def _emis_writes(stay, **values):
    person_update(
        person_id=stay.person_id, values=values, source=PersonChange.Source.WEBHOOK
    )


def test_stale_save_of_other_fields_writes_only_the_clerks_change(
    front_desk_client, stay
):
    data = _opened(front_desk_client, stay)
    _emis_writes(stay, birth_place="ГОР. МОСКВА")  # meanwhile
    data["person-phone"] = "+79123456789"
    answer = front_desk_client.post(_url(stay), data)
    assert answer.status_code == 302
    stay.person.refresh_from_db()
    assert stay.person.phone == "+79123456789"
    assert stay.person.birth_place == "ГОР. МОСКВА"  # not reverted


def test_stale_save_of_the_same_field_saves_nothing_and_shows_both(
    front_desk_client, stay, english
):
    data = _opened(front_desk_client, stay)
    _emis_writes(stay, birth_place="ГОР. МОСКВА")
    data["person-birth_place"] = "Тверь"
    data["person-phone"] = "+79123456789"
    answer = front_desk_client.post(_url(stay), data)

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Changed meanwhile" in page
    row = re.search(r"<tr><td>[^<]*</td><td>Тверь</td><td>ГОР\. МОСКВА</td></tr>", page)
    assert row, "the conflict row shows the clerk's and the stored value"
    stay.person.refresh_from_db()
    assert (stay.person.birth_place, stay.person.phone) == ("ГОР. МОСКВА", "")
    # Everything typed is still in the form, on the current version...
    again = form_data(page, "guest-form")
    assert again["person-birth_place"] == "Тверь"
    assert again["person-phone"] == "+79123456789"
    assert again["version"] != data["version"]
    # ... so saving again keeps the clerk's values.
    assert front_desk_client.post(_url(stay), again).status_code == 302
    stay.person.refresh_from_db()
    assert (stay.person.birth_place, stay.person.phone) == ("Тверь", "+79123456789")


def test_refresh_keeps_typing_and_shows_what_arrived(front_desk_client, stay):
    data = _opened(front_desk_client, stay)
    data["person-phone"] = "+79123456789"  # typed, not saved
    data["stay-note"] = "поздний заезд"
    # EMIS data arrives: a field and a new document.
    _emis_writes(stay, birth_place="ГОР. МОСКВА")
    IdentityDocument.objects.create(
        person=stay.person,
        kind="passport_rf",
        series="4510",
        number="123456",
        issue_date=dt.date(2015, 1, 1),
    )
    answer = front_desk_client.post(_url(stay, "refresh/"), {**data, "_arrived": "1"})

    assert answer.status_code == 200
    page = answer.content.decode()
    shown = form_data(page, "guest-form")
    assert shown["person-phone"] == "+79123456789"
    assert shown["stay-note"] == "поздний заезд"
    assert shown["person-birth_place"] == "ГОР. МОСКВА"
    assert shown["documents-0-number"] == "123456"  # the list, as stored
    assert "data-emis-arrived" in page
    # Nothing was saved by the refresh; a save now writes the typing only.
    stay.person.refresh_from_db()
    assert stay.person.phone == ""
    assert front_desk_client.post(_url(stay), shown).status_code == 302
    stay.person.refresh_from_db()
    assert (stay.person.phone, stay.person.birth_place) == (
        "+79123456789",
        "ГОР. МОСКВА",
    )
    assert IdentityDocument.objects.filter(person=stay.person).count() == 1


def test_refresh_is_front_desk_only(support_client, stay):
    assert support_client.post(_url(stay, "refresh/"), {}).status_code == 403


def test_a_save_over_a_document_deleted_meanwhile_says_so(front_desk_client, stay):
    IdentityDocument.objects.create(
        person=stay.person, kind="passport_rf", series="4510", number="123456"
    )
    data = _opened(front_desk_client, stay)
    IdentityDocument.objects.filter(person=stay.person).delete()  # elsewhere
    data["documents-0-issuer"] = "ОВД"
    data["person-phone"] = "+79123456789"
    answer = front_desk_client.post(_url(stay), data)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "data-not-saved" in page and "data-unshown-error" in page
    assert form_data(page, "guest-form")["person-phone"] == "+79123456789"
    stay.person.refresh_from_db()
    assert stay.person.phone == ""


def test_refresh_shows_a_records_new_stored_value_the_clerk_did_not_touch(
    front_desk_client, stay
):
    # The card lists a document; the clerk types elsewhere; EMIS changes the
    # document's expiry meanwhile. The card drawn again shows EMIS's expiry
    # (the posted form once wrote the old value onto the rows the page reads
    # the stored ones from).
    document = IdentityDocument.objects.create(
        person=stay.person,
        kind="passport_rf",
        number="123456",
        expiry_date=dt.date(2032, 1, 1),
    )
    data = _opened(front_desk_client, stay)
    assert data["documents-0-expiry_date"] == "01.01.2032"
    data["person-phone"] = "+79123456789"
    IdentityDocument.objects.filter(pk=document.pk).update(
        expiry_date=dt.date(2033, 5, 5)
    )
    answer = front_desk_client.post(_url(stay, "refresh/"), {**data, "_arrived": "1"})

    shown = form_data(answer.content.decode(), "guest-form")
    assert shown["documents-0-expiry_date"] == "05.05.2033"
    assert shown["person-phone"] == "+79123456789"


def test_the_stored_value_is_shown_beside_the_field_changed_on_both_sides(
    front_desk_client, stay, english
):
    # Issue 12: a field the clerk is typing in keeps the clerk's text and shows
    # EMIS's value beside it (and in the table at the top).
    data = _opened(front_desk_client, stay)
    data["person-birth_place"] = "Тверь"
    _emis_writes(stay, birth_place="ГОР. МОСКВА")
    answer = front_desk_client.post(_url(stay, "refresh/"), {**data, "_arrived": "1"})
    page = answer.content.decode()
    group = page.split('name="person-birth_place"')[1].split('<div class="field')[0]
    assert "Stored now: ГОР. МОСКВА" in group
    assert form_data(page, "guest-form")["person-birth_place"] == "Тверь"
    # Only there: a field changed on one side alone has no note.
    phone = page.split('name="person-phone"')[1].split('<div class="field')[0]
    assert "Stored now" not in phone


def test_the_stored_value_beside_a_field_is_escaped(front_desk_client, stay):
    data = _opened(front_desk_client, stay)
    data["person-birth_place"] = "Тверь"
    _emis_writes(stay, birth_place="<b>x</b>")
    page = front_desk_client.post(_url(stay, "refresh/"), data).content.decode()
    assert "<b>x</b>" not in page
    assert "Сохранено сейчас: &lt;b&gt;x&lt;/b&gt;" in page
