"""After a re-apply to Latin the Гости tab mixes "Krupkin Ilia" with
"Сидоров": the guest whose name stayed Cyrillic says why (issue 12)."""

import pytest
from django.utils.translation import override

from emis.names.policy import policy_scripts
from reservations.name_scripts import name_script_message
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


@override("en")
def test_a_name_in_the_other_script_is_named_with_what_is_known():
    """Every main name in the other script than the policy's is named: with
    "no spelling known", or with the one on file (issue 12, second review:
    "Ван Ли" typed, WANG LI from the passport, said nothing)."""
    typed = make_person("Сидоров")
    known = make_person(
        "Ван", given_names="Ли", surname_latin="WANG", given_names_latin="LI"
    )
    mixed = make_person("MUELLER", given_names="Ханс")
    latin_ok = make_person("MUELLER", given_names="HANS")
    unknown = "The name stays in Cyrillic: no Latin spelling is known"
    assert name_script_message(typed, "latin").startswith(unknown)
    assert name_script_message(known, "latin") == (
        "The name was typed by staff in Cyrillic; the Latin spelling on file: "
        "WANG LI. The name policy does not replace a name typed by staff: "
        "correct the name on the card if needed."
    )
    # "Ханс" has no Latin form: one part unknown is "no spelling known".
    assert name_script_message(mixed, "latin").startswith(unknown)
    assert name_script_message(latin_ok, "latin") is None
    # Under a Cyrillic policy: "MUELLER" has no Cyrillic form.
    assert name_script_message(typed, "cyrillic") is None
    assert name_script_message(mixed, "cyrillic").startswith(
        "The name stays in Latin: no Cyrillic spelling is known"
    )
    latin_typed = make_person(
        "WANG", given_names="LI", surname_cyrillic="Ван", given_names_cyrillic="Ли"
    )
    assert "the Cyrillic spelling on file: Ван Ли." in name_script_message(
        latin_typed, "cyrillic"
    )
    assert name_script_message(mixed, None) is None  # no policy known


def test_a_typed_name_with_a_known_latin_spelling_says_so_after_a_reapply(
    front_desk_client, django_capture_on_commit_callbacks
):
    """Re-apply keeps what staff typed ("Ван Ли") though the passport gave
    WANG LI; the Гости tab says so instead of mixing names silently."""
    reservation = make_reservation()
    wang = stay_create(
        reservation=reservation,
        person=make_person(
            "Ван",
            given_names="Ли",
            surname_latin="WANG",
            given_names_latin="LI",
            name_sources={"surname": "staff", "given_names": "staff"},
        ),
    )
    set_policy(script="latin")
    run_job(django_capture_on_commit_callbacks)
    wang.person.refresh_from_db()
    assert (wang.person.surname, wang.person.given_names) == ("Ван", "Ли")
    row = _row(
        front_desk_client.get(
            f"/reservations/{reservation.pk}/?tab=guests"
        ).content.decode(),
        wang,
    )
    assert NOTE in row
    assert "известно латинское написание: WANG LI" in row


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
