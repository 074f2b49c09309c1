"""Support checks a policy's effect without guest cards (issue 12): the name
policy admin previews a few guests it would rename, read-only and masked."""

import re

import pytest

from emis.models import NamePolicy
from emis.names.affected import affected_guests
from emis.names.policy import PolicyFields
from reservations.models import IdentityDocument
from tests.factories import make_person

pytestmark = pytest.mark.django_db
PREVIEW = "/admin/emis/namepolicy/preview/"


def _krupkin(**extra):
    person = make_person(
        "Крупкин",
        given_names="Илья",
        surname_latin="KRUPKIN",
        given_names_latin="ILIA",
        surname_cyrillic="Крупкин",
        given_names_cyrillic="Илья",
        phone="+79123456789",
        birth_place="ГОР. МОСКВА",
        **extra,
    )
    IdentityDocument.objects.create(
        person=person, kind="passport_rf", series="4510", number="123456"
    )
    return person


def _section(html: str) -> str:
    start = html.index("data-affected-guests")
    return html[start : html.index("</fieldset>", start)]


def test_support_sees_who_a_latin_policy_would_rename_masked(support_client):
    krupkin = _krupkin()
    make_person("Ручной")  # typed by staff, no document forms: not renamed

    html = support_client.get(PREVIEW, {"script": "latin"}).content.decode()

    section = _section(html)
    row = re.search(rf'<tr data-person="{krupkin.pk}">(.*?)</tr>', section, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells == [str(krupkin.pk), "Крупкин Илья", "Krupkin Ilia", "****56"]
    assert "Ручной" not in section
    # No other personal value, and never the document number itself.
    for value in ("123456", "4510", "+79123456789", "МОСКВА"):
        assert value not in section


def test_the_saved_policy_renames_nobody_and_says_so(support_client):
    _krupkin()
    NamePolicy.load()  # Cyrillic: Крупкин stays Крупкин
    page = support_client.get(f"/admin/emis/namepolicy/{NamePolicy.load().pk}/change/")
    assert "data-affected-none" in _section(page.content.decode())


def test_at_most_ten_guests_are_shown():
    for _ in range(12):
        _krupkin()
    shown = affected_guests(PolicyFields(script="latin"))
    assert len(shown) == 10
    assert [g.person_id for g in shown] == sorted(g.person_id for g in shown)


def test_front_desk_cannot_open_the_preview(front_desk_client):
    assert front_desk_client.get(PREVIEW, {"script": "latin"}).status_code == 302
