"""Pure sandbox code (no process): MRZ reading and Person validation."""

import pytest

from emis_sandbox.mrz_scan import MrzError, read_mrz
from emis_sandbox.persons import PersonInvalid, normalize_person
from emis_sandbox.webhooks import sign
from tests.support.sandbox import sample_foreigner, sample_person

SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def test_specimen_td3_is_read():
    data = read_mrz(SPECIMEN_TD3)
    assert data.format == "TD3"
    assert (data.surname, data.given_names, data.sex) == ("ERIKSSON", "ANNA MARIA", "F")
    assert (data.birth_date, data.expiry_date) == ("1974-08-12", "2012-04-15")
    assert (data.document_number, data.nationality) == ("L898902C3", "UTO")
    assert data.document_kind == "national_passport"


def test_pasted_mrz_with_spaces_and_lower_case_is_read():
    messy = "\n  " + SPECIMEN_TD3.lower().replace("<<anna", "<< anna") + "\n\n"
    assert read_mrz(messy).document_number == "L898902C3"


@pytest.mark.parametrize(
    ("position", "digit", "named"),
    [
        (9, "7", "document number check digit"),
        (19, "3", "birth date check digit"),
        (27, "8", "expiry date check digit"),
        (42, "2", "personal number check digit"),
        (43, "1", "composite check digit"),
    ],
)
def test_each_bad_check_digit_is_named(position, digit, named):
    line1, line2 = SPECIMEN_TD3.split("\n")
    bad = line1 + "\n" + line2[:position] + digit + line2[position + 1 :]
    with pytest.raises(MrzError, match=named):
        read_mrz(bad)


def test_german_d_code_becomes_deu():
    from mrz.generator.td3 import TD3CodeGenerator

    mrz = str(
        TD3CodeGenerator(
            "P",
            "D",
            "MUSTERMANN",
            "ERIKA",
            "C01X00T47",
            "D",
            "640812",
            "F",
            "310101",
            "",
        )
    )
    data = read_mrz(mrz)
    assert (data.nationality, data.issuing_country) == ("DEU", "DEU")


def test_samples_are_valid_persons():
    assert normalize_person(sample_person("1"))["documents"][0]["kind"] == "passport_rf"
    assert len(normalize_person(sample_foreigner("2"))["visas"]) == 2


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"person_id": 1}, "person_id"),
        ({"surname": {"cyrillic": None, "latin": None}}, "surname"),
        ({"surname": None}, "surname"),
        ({"sex": "m"}, "sex"),
        ({"birth_date": "1985-13-01"}, "birth_date"),
        ({"citizenship": "Russia"}, "citizenship"),
        ({"birth_place": "x" * 201}, "birth_place"),
        ({"documents": [{"kind": "passport_rf"}]}, "documents[0].number"),
        ({"documents": [{"number": "1", "source": "ocr"}]}, "documents[0].source"),
        ({"visas": [{"number": "1", "entries": "many"}]}, "visas[0].entries"),
        (
            {"migration_card": {"number": "1", "entry_date": "x"}},
            "migration_card.entry_date",
        ),
        ({"documents": "none"}, "documents"),
    ],
)
def test_invalid_persons_name_the_bad_field(changes, path):
    person = {**sample_person("1"), **changes}
    with pytest.raises(PersonInvalid) as info:
        normalize_person(person)
    assert path in str(info.value)


def test_200_characters_is_fine():
    person = normalize_person(sample_person("1", birth_place="x" * 200))
    assert len(person["birth_place"]) == 200


def test_signature_matches_the_worked_example():
    body = b'{"event": "person.documents_saved"}'
    expected = (
        "sha256="
        + __import__("hmac")
        .new(b"s3cret-api", b"1795770000." + body, "sha256")
        .hexdigest()
    )
    assert sign("s3cret-api", "1795770000", body) == expected
