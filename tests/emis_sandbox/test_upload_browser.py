"""The upload page in a real browser (Debian chromium through Playwright)."""

import pytest

from tests.emis_sandbox.helpers import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.sandbox]

SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def test_operator_scans_mrz_fills_cyrillic_and_saves(emis_sandbox, page):
    with WebhookReceiver() as receiver:
        emis_sandbox.configure(webhook_url=receiver.url)
        url = emis_sandbox.open_web_session(
            "160902", reservation_id="5708", hint={"surname": "Эрикссон"}
        )

        page.goto(url)
        assert page.locator(".banner").inner_text().startswith("EMIS SANDBOX")
        assert page.get_by_label("Фамилия (кириллица)").input_value() == "Эрикссон"
        page.fill("[name=mrz]", SPECIMEN_TD3)
        page.get_by_role("button", name="Сканировать (MRZ)").click()
        assert page.input_value("[name=surname_latin]") == "ERIKSSON"
        assert page.input_value("[name=doc-0-number]") == "L898902C3"
        page.fill("[name=given_names_cyrillic]", "Анна Мария")
        page.fill("[name=citizenship]", "SWE")
        page.select_option("[name=doc-0-kind]", "national_passport")
        page.fill("[name=visa-0-number]", "2222222")
        page.select_option("[name=visa-0-entries]", "multiple")
        page.fill("[name=mc-number]", "1234567")
        page.get_by_role("button", name="Сохранить").click()

        assert page.get_by_text("PMS приняла данные (applied)").is_visible()
        assert page.get_by_text("Сохранена версия 1.").is_visible()

    [hook] = receiver.received
    person = hook.json()["person"]
    assert person["surname"] == {"cyrillic": "Эрикссон", "latin": "ERIKSSON"}
    assert person["given_names"] == {"cyrillic": "Анна Мария", "latin": "ANNA MARIA"}
    assert person["visas"][0]["entries"] == "multiple"
    assert person["migration_card"]["number"] == "1234567"
