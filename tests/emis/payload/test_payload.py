import datetime as dt
import json

import pytest

from emis.payload import (
    PayloadError,
    content_hash,
    parse_changes_page,
    parse_person,
    parse_webhook,
)
from tests.emis.conftest import EXAMPLES, example, foreigner, russian


@pytest.mark.parametrize(
    "name", ["person-russian-citizen.json", "person-foreigner-two-visas.json"]
)
def test_every_person_example_passes(name):
    person = parse_person(example(name))
    assert person.version >= 1
    assert person.updated_at.tzinfo is not None


def test_webhook_example_parses_to_typed_data():
    event = parse_webhook((EXAMPLES / "webhook-documents-saved.json").read_bytes())
    assert event.legal_entity_id == 17
    person = event.person
    assert person.pms_person_id == 160848
    assert person.surname.cyrillic == "Крупкин"
    assert person.patronymic.latin is None
    assert person.birth_date == dt.date(1985, 4, 12)
    doc = person.documents[0]
    assert (doc.kind, doc.series, doc.number) == ("passport_rf", "4510", "123456")
    assert doc.expiry_date is None and doc.issue_date == dt.date(2010, 5, 20)
    assert person.migration_card is None


def test_changes_page_example_parses():
    page = parse_changes_page(example("changes-page.json"))
    assert [p.person_id for p in page.items] == ["160848", "160902"]
    assert page.next_cursor == "c-000042" and page.has_more is False
    eriksson = page.items[1]
    assert [v.number for v in eriksson.visas] == ["1111111", "2222222"]
    assert eriksson.migration_card.visit_purpose == "business"
    assert eriksson.given_names.cyrillic is None


def errors_of(data, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(PayloadError) as info:
        parse_person(data, **kwargs)
    return info.value.errors


def test_each_bad_field_is_named_with_its_path():
    data = russian()
    data["version"] = -1
    data["sex"] = "X"
    data["birth_date"] = "12.04.1985"
    data["citizenship"] = "RU"
    data["documents"][0]["number"] = None
    data["documents"][0]["issuing_country"] = "QQQ"
    data["documents"].append({"kind": "passport_rf", "series": "1"})
    errors = errors_of(data)
    assert set(errors) == {
        "person.version",
        "person.sex",
        "person.birth_date",
        "person.citizenship",
        "person.documents[0].number",
        "person.documents[0].issuing_country",
        "person.documents[1].number",
    }
    assert errors["person.documents[0].number"] == ["required"]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("person_id"), "person.person_id"),
        (lambda d: d.update(person_id=160848), "person.person_id"),
        (lambda d: d.update(person_id="16a"), "person.person_id"),
        (lambda d: d.update(version="4"), "person.version"),
        (lambda d: d.update(version=True), "person.version"),
        (lambda d: d.update(updated_at="2026-11-27 12:00"), "person.updated_at"),
        (
            lambda d: d.update(updated_at="2026-11-27T09:12:45+03:00"),
            "person.updated_at",
        ),
        (lambda d: d.pop("updated_at"), "person.updated_at"),
        (lambda d: d.update(surname=None), "person.surname"),
        (
            lambda d: d.update(surname={"cyrillic": None, "latin": None}),
            "person.surname",
        ),
        (lambda d: d.update(surname={"cyrillic": "", "latin": " "}), "person.surname"),
        (lambda d: d.update(given_names="Илья"), "person.given_names"),
        (lambda d: d.update(birth_place="Ж" * 201), "person.birth_place"),
        (lambda d: d.update(birth_date="2026-02-30"), "person.birth_date"),
        (lambda d: d.update(birth_date="19850412"), "person.birth_date"),
        (lambda d: d.update(citizenship="rus"), "person.citizenship"),
        (lambda d: d.update(citizenship="XYZ"), "person.citizenship"),
        (lambda d: d.update(visas=[{"number": str(i)} for i in range(51)]), "person.visas"),
        (
            lambda d: d.update(documents=d["documents"] * 21),
            "person.documents",
        ),
        (lambda d: d.pop("sex"), "person.sex"),
        (lambda d: d.update(documents={}), "person.documents"),
        (lambda d: d.update(visas=[{"series": "25"}]), "person.visas[0].number"),
        (
            lambda d: d.update(visas=[{"number": "1", "entries": "many"}]),
            "person.visas[0].entries",
        ),
        (
            lambda d: d.update(migration_card={"number": "1", "entry_date": "x"}),
            "person.migration_card.entry_date",
        ),
        (lambda d: d.update(migration_card=[]), "person.migration_card"),
        (
            lambda d: d["documents"][0].update(source="scanner"),
            "person.documents[0].source",
        ),
        (lambda d: d["documents"][0].update(issuer=5), "person.documents[0].issuer"),
        (lambda d: d["documents"].append("passport"), "person.documents[1]"),
    ],
)
def test_contract_breaks_are_named(mutate, path):
    data = russian()
    mutate(data)
    assert path in errors_of(data)


def test_allowed_nulls_unknown_keys_and_icao_codes():
    data = russian(
        given_names=None,
        patronymic={"cyrillic": None, "latin": None},
        birth_date=None,
        birth_place=None,
        citizenship="XXA",
        future_field={"anything": 1},
    )
    data["documents"][0].update(kind="driving_licence", source=None, extra="x")
    data["surname"] = {"cyrillic": None, "latin": "KRUPKIN"}
    person = parse_person(data)
    assert person.documents[0].kind == "other"
    assert person.documents[0].source is None
    assert person.citizenship == "XXA"
    assert person.names("cyrillic") == {
        "surname": None,
        "given_names": None,
        "patronymic": None,
    }


@pytest.mark.parametrize("code", ["XXC", "UNO", "GBD", "EUE", "RKS"])
def test_every_icao_special_code_of_the_pms_list_is_accepted(code):
    # One list for the model, the forms and the contract (reservations/countries.py).
    assert parse_person(russian(citizenship=code)).citizenship == code


def test_a_payload_at_the_row_limits_is_accepted():
    data = russian(visas=[{"number": str(i)} for i in range(50)])
    data["documents"] = [
        dict(data["documents"][0], number=str(100000 + i)) for i in range(20)
    ]
    person = parse_person(data)
    assert (len(person.documents), len(person.visas)) == (20, 50)


def test_too_many_rows_is_a_plain_message():
    errors = errors_of(russian(visas=[{"number": str(i)} for i in range(51)]))
    assert errors["person.visas"] == ["at most 50 items"]


def test_text_of_exactly_200_characters_is_accepted():
    person = parse_person(russian(birth_place="Ж" * 200))
    assert len(person.birth_place) == 200


def test_content_hash_ignores_version_timestamp_and_list_order():
    a = foreigner()
    b = foreigner(version=9, updated_at="2027-01-01T00:00:00Z")
    b["visas"].reverse()
    assert content_hash(parse_person(a)) == content_hash(parse_person(b))
    c = foreigner()
    c["visas"][0]["valid_to"] = "2025-07-01"
    assert content_hash(parse_person(a)) != content_hash(parse_person(c))


def test_webhook_envelope_errors():
    with pytest.raises(PayloadError) as info:
        parse_webhook(b"not json")
    assert "body" in info.value.errors
    with pytest.raises(PayloadError) as info:
        parse_webhook(b"\xff\xfe")
    assert "body" in info.value.errors
    body = json.dumps(
        {"event": "person.deleted", "legal_entity_id": 17, "person": None}
    )
    with pytest.raises(PayloadError) as info:
        parse_webhook(body.encode())
    assert set(info.value.errors) == {"event", "legal_entity_id", "person"}
    with pytest.raises(PayloadError) as info:
        parse_webhook(b"[1, 2]")
    assert "body" in info.value.errors


def test_changes_page_errors_name_the_envelope_and_each_broken_item_apart():
    page = example("changes-page.json")
    page["items"][1]["sex"] = "?"
    page["has_more"] = "no"
    page["next_cursor"] = 42
    with pytest.raises(PayloadError) as info:
        parse_changes_page(page)
    assert set(info.value.errors) == {"has_more", "next_cursor"}
    # A sound envelope: the broken item is set apart, the others parsed.
    page["has_more"], page["next_cursor"] = False, "c"
    parsed = parse_changes_page(page)
    assert [p.person_id for p in parsed.items] == ["160848"]
    (refused,) = parsed.refused
    assert (refused.index, refused.person_id) == (1, 160902)
    assert refused.version == page["items"][1]["version"]
    assert set(refused.error.errors) == {"items[1].sex"}


def test_each_bad_field_has_a_reason_and_one_text_names_them_all():
    data = russian(sex="X")
    data["documents"][0]["number"] = None
    with pytest.raises(PayloadError) as info:
        parse_person(data)
    error = info.value
    assert [(f.path, f.reason) for f in error.fields] == [
        ("person.sex", "must be one of F, M"),
        ("person.documents[0].number", "required"),
    ]
    assert error.describe() == (
        "person.sex — must be one of F, M; person.documents[0].number — required"
    )
    assert error.describe(limit=40) == "person.sex — must be one of F, M; …"


def test_a_refused_webhook_says_whom_it_was_about_when_it_can():
    data = russian(160848, version=7, sex="X")
    body = json.dumps(
        {"event": "person.documents_saved", "legal_entity_id": "17", "person": data}
    ).encode()
    with pytest.raises(PayloadError) as info:
        parse_webhook(body)
    assert (info.value.person_id, info.value.legal_entity_id, info.value.version) == (
        160848,
        17,
        7,
    )
    for broken in (b"[]", b"{not json", b'{"person": "160848"}'):
        with pytest.raises(PayloadError) as info:
            parse_webhook(broken)
        assert info.value.person_id is info.value.legal_entity_id is None


def _every_reason() -> set[str]:
    """Reasons from payloads breaking every kind of rule."""
    from emis.payload import parse_changes_page

    bad = russian(version=-1, sex="X", birth_date="1.1.1980", citizenship="RU")
    bad.update(updated_at="yesterday", person_id=5, surname={"cyrillic": None})
    bad["given_names"] = "ИЛЬЯ"
    bad["documents"] = [{"number": "", "source": "scan", "series": "x" * 201}] * 21
    bad["visas"] = [None, {"number": "1", "entries": "many"}]
    bad["migration_card"] = {"number": "1\x00"}
    reasons = set()
    for parse, value in (
        (parse_person, bad),
        (parse_person, {**russian(), "documents": "none"}),
        (parse_changes_page, {"items": [], "next_cursor": "", "has_more": "no"}),
        (parse_changes_page, {"items": [], "next_cursor": "c" * 501, "has_more": 1}),
        (parse_webhook, b"{not json"),
        (parse_webhook, b"[" * 100_000),
        (parse_webhook, b'{"event": "person.deleted", "legal_entity_id": "1"}'),
    ):
        with pytest.raises(PayloadError) as info:
            parse(value)
        reasons.update(f.reason for f in info.value.fields)
    return reasons


def test_every_reason_is_in_plain_words_in_russian_too():
    from django.utils import translation

    from emis.payload.fields import reason_text

    reasons = _every_reason()
    assert len(reasons) >= 15, reasons
    with translation.override("ru"):
        untranslated = {r for r in reasons if reason_text(r) == r}
    assert untranslated == set()
