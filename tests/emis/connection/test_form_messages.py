"""What the EMIS connection form says when it refuses a save: the "all
five values" message only when a value is missing, a request to retype
the passwords it did not keep, and the checkbox named as the page names it."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from emis.models import EmisConnection
from tests.support.emis_connection import (
    API_PASSWORD,
    WEB_PASSWORD,
    connection_form,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]

EDIT = "/integrations/emis/"
ALL_FIVE = "Стыковку нельзя включить, пока не заполнены все пять значений."
RETYPE_BOTH = "Не сохранено, поэтому введённые пароли не запомнены"
RETYPE_ONE = "Не сохранено, поэтому пароль, введённый в поле «Пароль API», не запомнен"


def _text(page) -> str:
    return re.sub(r"\s+", " ", strip_tags(page.content.decode()))


def test_a_bad_address_with_every_value_typed_is_not_called_missing(admin_client_):
    page = admin_client_.post(EDIT, connection_form(base_url="not a url"))

    assert page.status_code == 200
    text = _text(page)
    assert "Введите правильный URL." in text
    assert ALL_FIVE not in text
    assert RETYPE_BOTH in " ".join(page.context["form"].non_field_errors())
    assert API_PASSWORD not in page.content.decode()  # still never echoed
    assert WEB_PASSWORD not in page.content.decode()
    assert not EmisConnection.objects.filter(is_active=True).exists()


def test_a_missing_value_still_says_all_five(admin_client_):
    page = admin_client_.post(EDIT, connection_form(base_url="not a url", api_login=""))
    text = _text(page)
    assert ALL_FIVE in text
    assert "Введите правильный URL." in text


def test_no_password_typed_no_request_to_retype(admin_client_):
    data = connection_form(base_url="not a url", web_password="", api_password="")
    page = admin_client_.post(EDIT, data)
    assert "не запомнен" not in _text(page)


def test_one_password_typed_is_named(admin_client_):
    data = connection_form(base_url="not a url", web_password="")
    page = admin_client_.post(EDIT, data)
    assert RETYPE_ONE in _text(page)


def test_the_refusal_quotes_the_checkbox_as_the_page_labels_it(admin_client_, http):
    http.get(
        "https://emis.test/api/v1/ping",
        status=401,
        json={"error": {"code": "api_auth_failed", "message": "wrong"}},
    )
    page = admin_client_.post(EDIT, connection_form())

    form = page.context["form"]
    label = str(form.fields["is_active"].label)
    assert label == "Активна"  # a стыковка, not the legal entity's «Активно»
    assert f'<label class="inline">{form["is_active"]} {label}</label>' in (
        page.content.decode()
    )
    assert f"со снятой отметкой «{label}»" in " ".join(form.non_field_errors())
