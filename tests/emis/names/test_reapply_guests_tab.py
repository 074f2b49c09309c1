"""After a re-apply to Latin the Гости tab mixes "Krupkin Ilia" with
"Сидоров": the guest whose name stayed Cyrillic says why (issue 12)."""

import pytest

from emis.names.policy import policy_scripts
from reservations.name_scripts import name_not_in_script
from reservations.services import stay_create
from tests.factories import make_legal_entity, make_person, make_reservation

from .test_reapply import run_job, russian, set_policy

pytestmark = pytest.mark.django_db
NOTE = 'data-code="name_not_in_policy_script"'


def _row(html: str, stay) -> str:
    start = html.index(f'data-stay="{stay.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_guest_left_in_cyrillic_says_no_latin_spelling_is_known(
    front_desk_client, django_capture_on_commit_callbacks
):
    reservation = make_reservation()
    krupkin = stay_create(reservation=reservation, person=russian())
    sidorov = stay_create(reservation=reservation, person=make_person("Сидоров"))
    tab = f"/reservations/{reservation.pk}/?tab=guests"
    assert NOTE not in front_desk_client.get(tab).content.decode()  # Cyrillic policy

    set_policy(script="latin")
    run_job(django_capture_on_commit_callbacks)
    html = front_desk_client.get(tab).content.decode()

    assert "Krupkin Ilia" in _row(html, krupkin) and NOTE not in _row(html, krupkin)
    row = _row(html, sidorov)
    assert "Сидоров" in row and NOTE in row
    assert "латинское написание неизвестно" in row


def test_only_a_name_without_a_spelling_in_the_policys_script_is_named():
    typed = make_person("Сидоров")
    known = make_person("Репин", surname_latin="REPIN")  # not re-applied yet
    mixed = make_person("MUELLER", given_names="Ханс")
    persons = [typed, known, mixed]
    assert [name_not_in_script(p, "latin") for p in persons] == [True, False, True]
    # "MUELLER" has no Cyrillic form.
    assert [name_not_in_script(p, "cyrillic") for p in persons] == [False, False, True]
    assert not name_not_in_script(mixed, None)  # no policy known: nothing said


def test_the_policys_script_per_legal_entity_in_one_query(django_assert_num_queries):
    from emis.models import NamePolicyOverride

    plain, own = make_legal_entity(), make_legal_entity(name="Другое")
    NamePolicyOverride.objects.create(legal_entity=own, script="latin")
    set_policy(script="cyrillic")
    with django_assert_num_queries(1):
        scripts = policy_scripts(legal_entity_ids={plain.pk, own.pk})
    assert scripts == {plain.pk: "cyrillic", own.pk: "latin"}
    set_policy(script="latin")
    assert policy_scripts(legal_entity_ids={plain.pk})[plain.pk] == "latin"
