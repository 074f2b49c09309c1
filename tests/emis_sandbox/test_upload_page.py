"""The one-time upload page: single use, expiry, prefill, MRZ scan and save."""

import hashlib
import hmac

import pytest
import requests

from tests.emis_sandbox.helpers import WebhookReceiver, form_values
from tests.support.sandbox import sample_foreigner, sample_person

pytestmark = pytest.mark.sandbox

SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
SPECIMEN_TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n"
    "7408122F1204159UTO<<<<<<<<<<<6\n"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


def browser():
    session = requests.Session()
    session.trust_env = False
    return session


def open_page(sandbox, person_id="160848", **kwargs):
    url = sandbox.open_web_session(person_id, **kwargs)
    tab = browser()
    resp = tab.get(url, timeout=10)
    assert resp.status_code == 200, resp.text
    return tab, url, resp


def submit(tab, url, html, action, **changes):
    values = form_values(html)
    values.update(changes)
    values["action"] = action
    return tab.post(url, data=values, timeout=30)


def test_link_works_once_then_410(emis_sandbox):
    url = emis_sandbox.open_web_session("160848")

    first = browser().get(url, timeout=10)
    second = browser().get(url, timeout=10)

    assert first.status_code == 200
    assert "EMIS SANDBOX" in first.text
    assert "emis_sandbox_page=" in first.headers["Set-Cookie"]
    assert second.status_code == 410
    assert "ссылка уже использована или устарела" in second.text


def test_link_expires_after_the_session_ttl(emis_sandbox):
    emis_sandbox.configure(session_ttl=0)
    url = emis_sandbox.open_web_session("160848")

    resp = browser().get(url, timeout=10)

    assert resp.status_code == 410
    assert "ссылка уже использована или устарела" in resp.text


def test_expires_at_follows_the_session_ttl(emis_sandbox):
    with emis_sandbox.api() as api:
        body = {
            "login": emis_sandbox.web_login,
            "password": emis_sandbox.web_password,
            "legal_entity_id": "17",
            "person_id": "1",
        }
        emis_sandbox.configure(session_ttl=0)
        soon = api.post(f"{emis_sandbox.base_url}/api/v1/web-sessions", json=body)
        emis_sandbox.configure(session_ttl=3600)
        later = api.post(f"{emis_sandbox.base_url}/api/v1/web-sessions", json=body)
    assert later.json()["expires_at"] > soon.json()["expires_at"]


def test_unknown_token_is_404(emis_sandbox):
    resp = browser().get(f"{emis_sandbox.base_url}/s/not-a-real-token", timeout=10)
    assert resp.status_code == 404


def test_page_shows_ids_banner_and_prefills_the_hint(emis_sandbox):
    _, _, resp = open_page(
        emis_sandbox,
        person_id="160848",
        legal_entity_id="17",
        reservation_id="5708",
        hint={"surname": "Репин", "given_names": "Ilya"},
    )

    assert "EMIS SANDBOX" in resp.text
    assert 'id="person-id">160848<' in resp.text
    assert 'id="legal-entity-id">17<' in resp.text
    assert 'id="reservation-id">5708<' in resp.text
    values = form_values(resp.text)
    assert values["surname_cyrillic"] == "Репин"
    assert values["given_names_latin"] == "Ilya"
    assert values["surname_latin"] == ""


def test_page_has_every_person_field_and_two_rows_each(emis_sandbox):
    _, _, resp = open_page(emis_sandbox)
    names = set(form_values(resp.text))

    for part in ("surname", "given_names", "patronymic"):
        assert {f"{part}_cyrillic", f"{part}_latin"} <= names
    assert {"sex", "birth_date", "birth_place", "citizenship", "mrz"} <= names
    for i in (0, 1):
        assert {
            f"doc-{i}-{k}"
            for k in [
                "kind",
                "series",
                "number",
                "issue_date",
                "expiry_date",
                "issuer",
                "issuer_code",
                "issuing_country",
                "source",
            ]
        } <= names
        assert {
            f"visa-{i}-{k}"
            for k in [
                "series",
                "number",
                "category",
                "entries",
                "valid_from",
                "valid_to",
                "issuing_country",
            ]
        } <= names
    assert {
        f"mc-{k}"
        for k in ["series", "number", "entry_date", "valid_to", "visit_purpose"]
    } <= names
    assert 'value="scan">Сканировать (MRZ)</button>' in resp.text
    assert 'value="save">Сохранить</button>' in resp.text
    for kind in ("passport_rf", "foreign_passport_rf", "national_passport", "other"):
        assert f'<option value="{kind}"' in resp.text


def test_page_prefills_the_stored_latest_version(emis_sandbox):
    emis_sandbox.save_person("17", sample_foreigner("160902"))
    emis_sandbox.save_person("17", sample_foreigner("160902", birth_place="STOCKHOLM"))

    _, _, resp = open_page(emis_sandbox, person_id="160902")
    values = form_values(resp.text)

    assert "сохранённая версия 2" in resp.text
    assert values["surname_latin"] == "ERIKSSON"
    assert values["birth_place"] == "STOCKHOLM"
    assert values["doc-0-kind"] == "national_passport"
    assert values["doc-0-number"] == "L898902C3"
    assert values["visa-1-number"] == "2222222"
    assert values["visa-1-entries"] == "multiple"
    assert values["mc-number"] == "1234567"
    assert "visa-2-number" in values  # a spare row after the two stored visas


def test_post_without_the_page_cookie_is_refused(emis_sandbox):
    tab, url, resp = open_page(emis_sandbox)

    stranger = browser().post(url, data={"action": "save"}, timeout=10)

    assert stranger.status_code == 403


def test_mrz_scan_fills_the_form_from_a_valid_td3(emis_sandbox):
    tab, url, resp = open_page(emis_sandbox, person_id="160902")

    scanned = submit(tab, url, resp.text, "scan", mrz=SPECIMEN_TD3)
    values = form_values(scanned.text)

    assert scanned.status_code == 200
    assert "MRZ прочитана (TD3): все контрольные цифры верны." in scanned.text
    assert values["surname_latin"] == "ERIKSSON"
    assert values["given_names_latin"] == "ANNA MARIA"
    assert values["sex"] == "F"
    assert values["birth_date"] == "1974-08-12"
    assert values["citizenship"] == "UTO"
    assert values["doc-0-number"] == "L898902C3"
    assert values["doc-0-expiry_date"] == "2012-04-15"
    assert values["doc-0-issuing_country"] == "UTO"
    assert values["doc-0-kind"] == "national_passport"
    assert values["doc-0-source"] == "mrz"
    assert emis_sandbox.deliveries() == []  # scanning saves nothing


def test_mrz_of_a_russian_passport_is_a_foreign_passport_rf_in_a_free_row(
    emis_sandbox,
):
    emis_sandbox.save_person("17", sample_person("160848"))
    tab, url, resp = open_page(emis_sandbox)
    mrz = (
        "P<RUSKRUPKIN<<ILIA<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
        "7512345672RUS8504124M3001019<<<<<<<<<<<<<<00"
    )

    scanned = submit(tab, url, resp.text, "scan", mrz=mrz)
    values = form_values(scanned.text)

    assert scanned.status_code == 200, scanned.text
    assert values["doc-0-kind"] == "passport_rf"  # the internal passport stays
    assert values["doc-0-number"] == "123456"
    assert values["doc-1-kind"] == "foreign_passport_rf"
    assert values["doc-1-number"] == "751234567"
    assert values["doc-1-expiry_date"] == "2030-01-01"
    assert values["birth_date"] == "1985-04-12"
    assert values["surname_cyrillic"] == "Крупкин"  # untouched by the MRZ


def test_mrz_scan_accepts_a_td1_id_card(emis_sandbox):
    tab, url, resp = open_page(emis_sandbox)

    values = form_values(submit(tab, url, resp.text, "scan", mrz=SPECIMEN_TD1).text)

    assert values["doc-0-number"] == "D23145890"
    assert values["doc-0-kind"] == "id_card"
    assert values["surname_latin"] == "ERIKSSON"


def test_mrz_with_a_bad_check_digit_is_reported_not_ignored(emis_sandbox):
    tab, url, resp = open_page(emis_sandbox)
    corrupted = SPECIMEN_TD3.replace("7408122F", "7408123F")

    scanned = submit(tab, url, resp.text, "scan", mrz=corrupted, surname_latin="")

    assert scanned.status_code == 400
    assert (
        "неверна контрольная цифра даты рождения (строка 2, позиция 20)" in scanned.text
    )
    assert "Форма не изменена." in scanned.text
    values = form_values(scanned.text)
    assert values["surname_latin"] == ""  # nothing filled from a bad MRZ
    assert values["mrz"].strip() == corrupted  # kept for correction


def test_mrz_of_the_wrong_shape_is_reported(emis_sandbox):
    tab, url, resp = open_page(emis_sandbox)

    scanned = submit(tab, url, resp.text, "scan", mrz=SPECIMEN_TD3[:-3])

    assert scanned.status_code == 400
    assert "из 2 строк по 44 символа" in scanned.text


def test_save_stores_a_version_and_sends_the_signed_webhook(emis_sandbox):
    with WebhookReceiver() as receiver:
        emis_sandbox.configure(webhook_url=receiver.url)
        tab, url, resp = open_page(emis_sandbox, person_id="160902")
        scanned = submit(tab, url, resp.text, "scan", mrz=SPECIMEN_TD3)

        saved = submit(
            tab,
            url,
            scanned.text,
            "save",
            citizenship="swe",
            **{
                "doc-0-issuing_country": "SWE",
                "visa-0-number": "1111111",
                "visa-0-entries": "single",
                "visa-0-valid_to": "2026-12-31",
                "mc-number": "7654321",
                "mc-entry_date": "2026-11-20",
            },
        )

    assert saved.status_code == 200, saved.text
    assert "Сохранена версия 1." in saved.text
    assert "PMS приняла данные (applied)" in saved.text
    with emis_sandbox.api() as api:
        person = api.get(
            f"{emis_sandbox.base_url}/api/v1/persons/160902?legal_entity_id=17"
        ).json()
    assert person["version"] == 1
    assert person["surname"] == {"cyrillic": None, "latin": "ERIKSSON"}
    assert person["citizenship"] == "SWE"
    assert person["documents"] == [
        {
            "kind": "national_passport",
            "series": None,
            "number": "L898902C3",
            "issue_date": None,
            "expiry_date": "2012-04-15",
            "issuer": None,
            "issuer_code": None,
            "issuing_country": "SWE",
            "source": "mrz",
        }
    ]
    assert person["visas"][0]["number"] == "1111111"
    assert person["migration_card"]["number"] == "7654321"
    [hook] = receiver.received
    assert hook.json() == {
        "event": "person.documents_saved",
        "legal_entity_id": "17",
        "person": person,
    }
    expected = hmac.new(
        emis_sandbox.api_password.encode(),
        hook.headers["X-Emis-Timestamp"].encode() + b"." + hook.body,
        hashlib.sha256,
    ).hexdigest()
    assert hook.headers["X-Emis-Signature"] == f"sha256={expected}"


def test_second_save_on_the_same_page_is_the_next_version(emis_sandbox):
    emis_sandbox.save_person("17", sample_person("160848"))
    tab, url, resp = open_page(emis_sandbox)

    first = submit(tab, url, resp.text, "save", birth_place="ГОР. ТВЕРЬ")
    second = submit(tab, url, first.text, "save", birth_place="ГОР. КЛИН")

    assert "Сохранена версия 2." in first.text
    assert "Сохранена версия 3." in second.text
    assert "Отправка вебхуков в этой песочнице выключена" in second.text


def test_save_shows_the_pms_rejection(emis_sandbox):
    with WebhookReceiver() as receiver:
        receiver.script.append((404, {"detail": "unknown person_id"}))
        emis_sandbox.configure(webhook_url=receiver.url)
        tab, url, resp = open_page(emis_sandbox, person_id="77")
        saved = submit(
            tab,
            url,
            resp.text,
            "save",
            surname_latin="Doe",
            sex="M",
            citizenship="USA",
        )

    assert "PMS отклонила вебхук: HTTP 404" in saved.text
    assert "unknown person_id" in saved.text


def test_save_with_pms_down_says_retries_continue(emis_sandbox):
    emis_sandbox.configure(webhook_url="http://127.0.0.1:9/api/v1/emis/webhook/")
    tab, url, resp = open_page(emis_sandbox, person_id="77")

    saved = submit(
        tab, url, resp.text, "save", surname_latin="DOE", sex="M", citizenship="USA"
    )

    assert "Сохранена версия 1." in saved.text
    assert (
        "PMS не приняла вебхук: не удалось подключиться (PMS недоступна)" in saved.text
    )
    assert "Повторные попытки продолжаются в фоне" in saved.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"surname_cyrillic": "", "surname_latin": ""}, "Фамилия"),
        (
            {"birth_date": "12.04.1985"},
            "Дата рождения: нужна дата в формате ГГГГ-ММ-ДД",
        ),
        ({"birth_date": "1985-02-30"}, "Дата рождения"),
        ({"birth_place": "Я" * 201}, "Место рождения: длиннее 200 символов"),
        ({"sex": ""}, "Пол: выберите М или Ж"),
        ({"citizenship": "RU"}, "Гражданство: нужен трёхбуквенный код страны"),
        ({"doc-0-number": ""}, "Документ 1: Номер: обязательное поле"),
        (
            {"doc-1-number": "1", "doc-1-kind": ""},
            "Документ 2: Вид документа: выберите вид документа",
        ),
        ({"doc-0-issue_date": "2010/05/20"}, "Документ 1: Дата выдачи"),
        ({"visa-0-series": "25"}, "Виза 1: Номер: обязательное поле"),
        ({"mc-entry_date": "yesterday", "mc-number": "1"}, "Миграционная карта"),
    ],
)
def test_save_validates_and_stores_nothing_on_errors(emis_sandbox, changes, message):
    emis_sandbox.save_person("17", sample_person("160848"))
    tab, url, resp = open_page(emis_sandbox)

    saved = submit(tab, url, resp.text, "save", **changes)

    assert saved.status_code == 400
    assert message in saved.text
    assert "Сохранена версия" not in saved.text
    with emis_sandbox.api() as api:
        person = api.get(
            f"{emis_sandbox.base_url}/api/v1/persons/160848?legal_entity_id=17"
        ).json()
    assert person["version"] == 1
    # The operator's input is kept on the re-rendered form.
    values = form_values(saved.text)
    for name, value in changes.items():
        assert values[name] == value
