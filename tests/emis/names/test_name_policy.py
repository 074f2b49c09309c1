"""The name policy: script, case, standard, overrides per legal entity."""

import pytest

from emis.models import NamePolicy, NamePolicyOverride
from emis.names.policy import (
    PolicyFields,
    apply_case,
    apply_policy,
    policy_for,
    resolve_names,
    resolve_names_with,
)
from tests.factories import make_legal_entity

LATIN = {"surname": "KRUPKIN", "given_names": "ILIA", "patronymic": None}
CYRILLIC = {"surname": "Крупкин", "given_names": "Илья", "patronymic": "Борисович"}
CYRILLIC_POLICY = PolicyFields("cyrillic", "title", "icao_doc_9303")
LATIN_POLICY = PolicyFields("latin", "title", "icao_doc_9303")


def test_document_script_is_used_and_only_its_case_changes():
    resolved = apply_policy(
        PolicyFields("cyrillic", "title", "icao_doc_9303"),
        {"surname": "KRUPKIN"},
        {"surname": "КРУПКИН", "given_names": "ИЛЬЯ"},
    )
    assert resolved.main == {
        "surname": "Крупкин",
        "given_names": "Илья",
        "patronymic": "",
    }
    assert resolved.transliterated == []


def test_missing_cyrillic_is_derived_and_flagged():
    resolved = apply_policy(
        CYRILLIC_POLICY,
        {"surname": "SHCHUKIN", "given_names": "ILIA", "patronymic": "BORISOVICH"},
        {"surname": None, "given_names": "Илья"},
    )
    assert resolved.main == {
        "surname": "Щукин",
        "given_names": "Илья",
        "patronymic": "Борисович",
    }
    assert resolved.transliterated == ["surname", "patronymic"]


def test_latin_given_by_the_document_is_never_regenerated():
    # An older passport keeps its MVD 310 spelling; ICAO would say IULIIA.
    resolved = apply_policy(
        PolicyFields("latin", "upper", "icao_doc_9303"),
        {"surname": "SHCHEGLOVA", "given_names": "YULIYA"},
        {"surname": "Щеглова", "given_names": "Юлия", "patronymic": "Петровна"},
    )
    assert resolved.main == {
        "surname": "SHCHEGLOVA",
        "given_names": "YULIYA",
        "patronymic": "PETROVNA",
    }
    assert resolved.transliterated == ["patronymic"]


@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        ("icao_doc_9303", "Tsarev Ilia"),
        ("gost_52535", "Tcarev Ilia"),
        ("mvd_310", "Tsarev Il'ya"),
    ],
)
def test_latin_is_derived_by_the_chosen_standard(standard, expected):
    resolved = apply_policy(
        PolicyFields("latin", "title", standard),
        {},
        {"surname": "ЦАРЁВ", "given_names": "ИЛЬЯ"},
    )
    assert f"{resolved.main['surname']} {resolved.main['given_names']}" == expected
    assert resolved.transliterated == ["surname", "given_names"]


@pytest.mark.parametrize(
    ("value", "case", "expected"),
    [
        ("КРУПКИН ИЛЬЯ", "title", "Крупкин Илья"),
        ("ANNA MARIA", "title", "Anna Maria"),
        ("РИМСКИЙ-КОРСАКОВ", "title", "Римский-Корсаков"),
        ("Il'ya", "title", "Il'ya"),
        ("O'BRIEN", "title", "O'Brien"),
        ("Римский-Корсаков", "upper", "РИМСКИЙ-КОРСАКОВ"),
        ("Anna Maria", "upper", "ANNA MARIA"),
    ],
)
def test_letter_case(value, case, expected):
    assert apply_case(value, case) == expected


def test_whitespace_is_collapsed_and_empty_parts_are_not_flagged():
    resolved = apply_policy(
        CYRILLIC_POLICY, {"surname": "  ERIKSSON ", "patronymic": "  "}, {}
    )
    assert resolved.main["surname"] == "Эрикссон"
    assert resolved.main["patronymic"] == ""
    assert resolved.transliterated == ["surname"]


def test_apply_policy_accepts_a_mapping():
    resolved = apply_policy(
        {"script": "latin", "letter_case": "upper"}, LATIN, CYRILLIC
    )
    assert resolved.main == {
        "surname": "KRUPKIN",
        "given_names": "ILIA",
        "patronymic": "BORISOVICH",
    }


@pytest.mark.django_db
def test_policy_for_prefers_the_legal_entity_override():
    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    special = make_legal_entity()
    plain = make_legal_entity()
    NamePolicyOverride.objects.create(
        legal_entity=special, script="cyrillic", letter_case="upper"
    )
    assert policy_for(special.pk) == PolicyFields("cyrillic", "upper", "icao_doc_9303")
    assert policy_for(plain.pk) == PolicyFields("latin", "title", "icao_doc_9303")
    assert policy_for(None) == PolicyFields("latin", "title", "icao_doc_9303")


@pytest.mark.django_db
def test_resolve_names_reads_the_policy_in_force():
    entity = make_legal_entity()
    NamePolicyOverride.objects.create(legal_entity=entity, script="latin")
    default = resolve_names(latin=LATIN, cyrillic=CYRILLIC)
    overridden = resolve_names(
        latin=LATIN, cyrillic=CYRILLIC, legal_entity_id=entity.pk
    )
    assert default.main["surname"] == "Крупкин"
    assert overridden.main["surname"] == "Krupkin"
    assert overridden.main["patronymic"] == "Borisovich"
    assert overridden.transliterated == ["patronymic"]


@pytest.mark.django_db
def test_resolve_names_with_a_loaded_policy_makes_no_query(django_assert_num_queries):
    policy = policy_for(None)
    with django_assert_num_queries(0):
        for _ in range(200):
            resolved = resolve_names_with(policy, latin=LATIN, cyrillic={})
    assert resolved.main["surname"] == "Крупкин"
    assert resolved.transliterated == ["surname", "given_names"]
