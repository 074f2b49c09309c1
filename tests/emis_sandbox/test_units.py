"""Pure sandbox code (no process): MRZ reading and Person validation."""

import json
import re

import pytest

from emis_sandbox import texts_ru
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
        (9, "7", "контрольная цифра номера документа (строка 2, позиция 10)"),
        (19, "3", "контрольная цифра даты рождения (строка 2, позиция 20)"),
        (27, "8", "контрольная цифра срока действия (строка 2, позиция 28)"),
        (42, "2", "контрольная цифра личного номера (строка 2, позиция 43)"),
        (43, "1", "итоговая контрольная цифра (строка 2, позиция 44)"),
    ],
)
def test_each_bad_check_digit_is_named(position, digit, named):
    line1, line2 = SPECIMEN_TD3.split("\n")
    bad = line1 + "\n" + line2[:position] + digit + line2[position + 1 :]
    with pytest.raises(MrzError, match=re.escape(named)):
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


INVALID_EVERY_WAY = {
    "person_id": 1,
    "surname": {"cyrillic": None, "latin": None},
    "given_names": "Anna",
    "sex": "m",
    "birth_date": "1985-13-01",
    "birth_place": "x" * 201,
    "citizenship": None,
    "documents": [
        {"kind": "passport_rf", "issuing_country": "Russia", "source": "ocr"},
        "not a row",
    ],
    "visas": "none",
    "migration_card": {"number": "1", "visit_purpose": 7},
}


def test_every_validation_message_reads_russian_on_the_page():
    """The page shows persons.py's messages in Russian, while its exception
    (and so the control API's JSON) keeps the English ones."""
    with pytest.raises(PersonInvalid) as info:
        normalize_person({**sample_person("1"), **INVALID_EVERY_WAY})
    with pytest.raises(PersonInvalid) as not_an_object:
        normalize_person([])
    messages = {m for _, m in info.value.errors + not_an_object.value.errors}

    assert {
        "must be a string of digits",
        "needs a Cyrillic or a Latin value",
        "must be an object",
        'must be "M" or "F"',
        "must be a date YYYY-MM-DD",
        "is longer than 200 characters",
        "is required",
        "must be a 3-letter code such as RUS",
        "must be one of rfid, mrz, visual, manual",
        "must be a list",
        "must be a string or null",
        "person must be an object",
    } == messages
    for message in messages:
        russian = texts_ru.field_error(message)
        assert re.search("[а-яё]", russian), message
        # Only the contract's own values (codes, choices) stay Latin.
        assert not re.search(r"\b(must|is|be|needs|required|longer)\b", russian)
    assert texts_ru.field_error("is longer than 200 characters") == (
        "длиннее 200 символов"
    )
    assert texts_ru.field_error("must be one of single, double, multiple") == (
        "допустимые значения: single, double, multiple"
    )


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


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("applied", "PMS приняла данные (applied)"),
        ("unchanged", "PMS уже хранит эти данные (unchanged)"),
        ("duplicate", "PMS уже получила эту доставку (duplicate)"),
        # Outside re-check: "PMS приняла данные (stale)" read as taken.
        ("stale", "PMS не взяла данные: у неё версия новее (stale)"),
    ],
)
def test_the_pms_answer_is_said_as_what_it_means(status, says):
    from emis_sandbox.upload import webhook_notice
    from emis_sandbox.webhooks import Attempt

    body = json.dumps({"status": status})
    attempt = Attempt("d-1", 1, 200, None, body)
    assert webhook_notice((attempt, False), 1)[:2] == ("ok", says)
