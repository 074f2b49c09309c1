"""The EMIS button (emis/_guest_card_emis.html, inside the guest form) and
its dialog (emis/_guest_card_emis_dialog.html, after the guest form)."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from pms.context_processors import roles
from pms.roles import Role
from reservations.services import stay_create
from tests.factories import make_legal_entity, make_reservation, make_user


def render_card(user, *, person=None, stay=None, reservation=None, query=""):
    request = RequestFactory().get("/reservations/1/guests/1/" + query)
    request.user = user
    context = {"person": person, "stay": stay, "reservation": reservation}
    context.update(roles(request))
    # Rendered outside a request: pin the default language (the thread may
    # still hold another test's).
    with translation.override("ru"):
        return "".join(
            render_to_string(name, context, request=request)
            for name in ("emis/_guest_card_emis.html", "emis/_guest_card_emis_dialog.html")
        )


def options(html):
    return re.findall(r'<option value="(\d*)"( selected)?>', html)


@pytest.mark.django_db
def test_inactive_integration_disables_button_and_says_so(stay):
    html = render_card(
        make_user(Role.FRONT_DESK),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
    )
    assert re.search(r'<button type="button" class="emis-button" disabled', html)
    assert "EMIS не подключён" in html
    assert "<dialog" not in html
    # Front desk cannot set the integration up: no link to the admin page.
    assert 'class="emis-setup"' not in html


@pytest.mark.django_db
def test_inactive_integration_links_admins_to_integrations_page(stay):
    html = render_card(
        make_user(Role.ADMIN),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
    )
    assert 'class="emis-setup" href="/integrations/"' in html


@pytest.mark.django_db
def test_unsaved_guest_gets_save_first_submit_button(emis_connection, stay):
    html = render_card(make_user(Role.FRONT_DESK), reservation=stay.reservation)
    assert re.search(r'<button type="submit" name="_emis" value="1"', html)
    # No dialog, hence no link or job, without a person ID.
    assert "<dialog" not in html
    assert "/emis/persons/" not in html


@pytest.mark.django_db
def test_saved_guest_button_opens_dialog_for_that_person(emis_connection, stay):
    html = render_card(
        make_user(Role.FRONT_DESK),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
    )
    pk = stay.person.pk
    assert 'data-dialog="emis-dialog"' in html
    assert 'name="_emis"' not in html
    assert f'action="/emis/persons/{pk}/upload/" target="_blank"' in html
    assert f'hx-post="/emis/persons/{pk}/pull/"' in html
    assert f'name="reservation" value="{stay.reservation.pk}"' in html
    for label in (
        '<h2 id="emis-dialog-title">EMIS Service</h2>',  # issue 12: not "Emis"
        "выбрать",
        "Загрузить новые документы",
        "Получить данные документов",
        "Отмена",
    ):
        assert label in html
    assert "data-autoopen" not in html
    # The button sits inside the guest form: it must submit nothing itself.
    button = html[: html.index("<dialog")]
    assert "name=" not in button and 'type="submit"' not in button
    # The dialog holds its own POST form (issue 8, item 9): its one submit
    # button that posts is "Загрузить новые документы"; "Отмена" only closes
    # the dialog (formmethod=dialog), the pull posts through htmx.
    dialog = html[html.index("<dialog") : html.index("</dialog>")]
    assert dialog.count("<form ") == 1 and 'method="post"' in dialog
    assert dialog.count('type="submit"') == 2
    assert re.search(r'<button type="submit" class="primary" data-emis-upload>', dialog)
    assert re.search(r'<button type="submit" formmethod="dialog"[^>]*data-emis-cancel>', dialog)
    names = set(re.findall(r'name="([^"]+)"', dialog))
    assert names == {"csrfmiddlewaretoken", "legal_entity", "reservation"}


@pytest.mark.django_db
def test_dialog_opens_by_itself_after_save_first(emis_connection, stay):
    html = render_card(
        make_user(Role.FRONT_DESK),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
        query="?emis=1",
    )
    assert "data-autoopen" in html


@pytest.mark.django_db
def test_select_lists_the_guests_active_entities_with_reservations_preselected(
    emis_connection, stay, entity
):
    """Only legal entities the guest stays with: EMIS may write nowhere else
    (emis/scope.py), so offering others would only lead to a refusal."""
    other = make_legal_entity(name="ООО Астра")
    inactive = make_legal_entity(name="ООО Закрыто", is_active=False)
    make_legal_entity(name="ООО Чужая")  # active, but no stay: not offered
    for extra in (other, inactive):
        stay_create(reservation=make_reservation(extra), person=stay.person)
    html = render_card(
        make_user(Role.FRONT_DESK),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
    )
    listed = dict(options(html))
    assert set(listed) == {"", str(entity.pk), str(other.pk)}
    assert str(inactive.pk) not in listed
    assert listed[str(entity.pk)] == " selected"
    assert listed[str(other.pk)] == ""
    assert "ООО Закрыто" not in html and "ООО Чужая" not in html


@pytest.mark.django_db
def test_inactive_reservation_entity_is_not_preselected(emis_connection, stay, entity):
    entity.is_active = False
    entity.save()
    html = render_card(
        make_user(Role.FRONT_DESK),
        person=stay.person,
        stay=stay,
        reservation=stay.reservation,
    )
    # The select is there, with nothing to choose but the empty option.
    assert options(html) == [("", "")]


@pytest.mark.django_db
def test_card_renders_no_credentials(emis_connection, stay, front_desk_client):
    response = front_desk_client.get(
        reverse("reservations:guest", args=[stay.reservation_id, stay.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The whole card, EMIS dialog included, is there...
    assert "Репин" in html and "Загрузить новые документы" in html
    assert f'action="/emis/persons/{stay.person_id}/upload/"' in html
    # ...and no login or password of the connection.
    for secret in ("web-secret-1", "api-secret-1", "hotel-web", "hotel-api"):
        assert secret not in html
