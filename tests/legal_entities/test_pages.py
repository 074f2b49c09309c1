import pytest
from django.urls import reverse
from django.utils.html import escape

from legal_entities.models import LegalEntity
from tests.factories import VALID_INN, VALID_OGRN, make_legal_entity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_russian_by_default")]


def _post(client, url, **overrides):
    data = {
        "name": "ООО Ромашка",
        "inn": VALID_INN,
        "kpp": "770701001",
        "ogrn": VALID_OGRN,
        "address": "Москва",
        "is_active": "on",
    }
    data.update(overrides)
    return client.post(url, data)


def test_add_with_bad_inn_shows_clear_message_and_saves_nothing(admin_client_):
    response = _post(admin_client_, reverse("legal_entities:add"), inn="7707083894")
    assert response.status_code == 200
    assert escape(_msg("inn_checksum")) in response.content.decode()
    assert not LegalEntity.objects.exists()


def test_add_with_wrong_length_and_bad_ogrn(admin_client_):
    response = _post(
        admin_client_, reverse("legal_entities:add"), inn="12345", ogrn="1027700132194"
    )
    errors = response.context["form"].errors
    assert errors["inn"][0].startswith(str(_msg("inn_length")))
    assert errors["ogrn"][0] == str(_msg("ogrn_checksum"))


def _msg(code):
    from django.core.exceptions import ValidationError

    from legal_entities import validators

    fn, value = {
        "inn_length": (validators.validate_inn, "12345"),
        "inn_checksum": (validators.validate_inn, "7707083894"),
        "ogrn_checksum": (validators.validate_ogrn, "1027700132194"),
    }[code]
    with pytest.raises(ValidationError) as info:
        fn(value)
    return info.value.messages[0]


def test_add_good_entity_redirects_to_edit_page_with_id_and_server(
    admin_client_, settings
):
    settings.PMS_PUBLIC_URL = "https://apart.example.ru"
    response = _post(admin_client_, reverse("legal_entities:add"), inn="77 0708 3893")
    entity = LegalEntity.objects.get()
    assert entity.inn == VALID_INN  # spaces from a pasted number are dropped
    assert response["Location"] == reverse("legal_entities:edit", args=[entity.pk])

    page = admin_client_.get(response["Location"]).content.decode()
    assert f'id="entity-id">{entity.pk}</span>' in page
    assert 'id="server-url">https://apart.example.ru</span>' in page
    assert 'data-copy="entity-id"' in page
    assert 'data-copy="server-url"' in page
    assert 'data-copy="emis-email"' in page
    # The ready-to-send e-mail holds both values.
    email = page.split('id="emis-email"')[1].split("</textarea>")[0]
    assert str(entity.pk) in email and "https://apart.example.ru" in email


def test_edit_saves_changed_fields_and_validates_ogrn(admin_client_):
    entity = make_legal_entity(name="Старое имя")
    url = reverse("legal_entities:edit", args=[entity.pk])
    bad = _post(admin_client_, url, ogrn="1027700132194")
    assert bad.status_code == 200 and "ogrn" in bad.context["form"].errors
    good = _post(admin_client_, url, name="Новое имя")
    assert good.status_code == 302
    entity.refresh_from_db()
    assert entity.name == "Новое имя"


def test_list_shows_entities_and_add_link(admin_client_):
    entity = make_legal_entity(name="ООО Лист")
    page = admin_client_.get(reverse("legal_entities:list")).content.decode()
    assert "ООО Лист" in page
    assert reverse("legal_entities:edit", args=[entity.pk]) in page
    assert "Добавить юридическое лицо" in page


@pytest.mark.parametrize("name", ["list", "add", "edit"])
def test_front_desk_gets_403(front_desk_client, name):
    entity = make_legal_entity()
    args = [entity.pk] if name == "edit" else []
    response = front_desk_client.get(reverse(f"legal_entities:{name}", args=args))
    assert response.status_code == 403


@pytest.mark.parametrize("page", ["legal_entity", "emis_connection"])
def test_one_box_holds_both_addresses_and_the_email(admin_client_, settings, page):
    """Issue 12: the server address (legal entity page) and the webhook
    address (Стыковки → EMIS) were shown apart; both pages now show one
    "Данные для EMIS" box with both and an e-mail text holding both."""
    settings.PMS_PUBLIC_URL = "https://apart.example.ru"
    entity = make_legal_entity(name="ООО Апарт")
    make_legal_entity(name="ООО Закрыто", is_active=False)
    url = {
        "legal_entity": reverse("legal_entities:edit", args=[entity.pk]),
        "emis_connection": "/integrations/emis/",
    }[page]
    admin_client_.cookies["django_language"] = "ru"

    html = admin_client_.get(url).content.decode()

    assert html.count("data-emis-details") == 1
    box = html[
        html.index("data-emis-details") : html.index(
            "</section>", html.index("data-emis-details")
        )
    ]
    assert "Данные для EMIS" in box
    assert 'id="server-url">https://apart.example.ru</span>' in box
    hook = "https://apart.example.ru/api/v1/emis/webhook/"
    assert f'id="emis-webhook-url">{hook}</code>' in box
    for copied in ("server-url", "emis-webhook-url", "emis-email"):
        assert f'data-copy="{copied}"' in box
    email = box.split('id="emis-email"')[1].split("</textarea>")[0]
    assert "https://apart.example.ru\n" in email and hook in email
    assert f"ООО Апарт (ИНН {entity.inn}), ID юридического лица {entity.pk}" in email
    assert "Закрыто" not in email


def test_the_form_refuses_a_bidi_control_in_the_name_like_the_api(admin_client_):
    entity = make_legal_entity(name="ООО Нева")
    url = reverse("legal_entities:edit", args=[entity.pk])
    response = _post(admin_client_, url, name="ООО \u202eНева")
    assert response.status_code == 200
    [error] = response.context["form"].errors["name"]
    assert "U+202E" in error and error.startswith("Содержит невидимый символ")
    entity.refresh_from_db()
    assert entity.name == "ООО Нева"
