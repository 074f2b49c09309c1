"""The name policy in the Django admin: support only, preview, re-apply."""

import re

import pytest
from django.test import Client

from emis.models import EmisJob, NamePolicy, NamePolicyOverride
from pms.roles import Role
from reservations.models import Person
from tests.factories import make_legal_entity, make_person, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/emis/namepolicy/"
REAPPLY = CHANGELIST + "reapply/"


def change_url() -> str:
    return f"{CHANGELIST}{NamePolicy.load().pk}/change/"


def form(**values) -> dict:
    data = {
        "script": "cyrillic",
        "letter_case": "title",
        "latin_standard": "icao_doc_9303",
    }
    data.update(values)
    return data


def test_changelist_opens_the_single_record(support_client):
    response = support_client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == change_url()


def test_change_form_previews_every_option(support_client):
    html = support_client.get(change_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = html[html.index("name-policy-preview") :]
    rows = re.findall(r'<tr data-script="(\w+)" data-letter-case="(\w+)"', table)
    assert len(rows) == 12  # 2 scripts × 2 cases × 3 standards
    assert table.count('class="current"') == 1
    assert "Щукин Илья Борисович" in table
    assert "SHCHUKIN ILIA BORISOVICH" in table
    assert "ERIKSSON ANNA MARIA" in table
    assert "Il&#x27;ya" in table  # MVD 310, from the Cyrillic-only sample
    assert "<mark" in table  # derived parts are marked


def test_no_add_or_delete_of_the_singleton(support_client):
    assert support_client.get(CHANGELIST + "add/").status_code == 403
    policy = NamePolicy.load()
    assert support_client.get(f"{CHANGELIST}{policy.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN, None])
def test_non_staff_cannot_reach_the_admin(role):
    client = Client()
    client.force_login(make_user(role))
    for url in (CHANGELIST, change_url(), REAPPLY):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_staff_without_support_role_is_refused():
    client = Client()
    client.force_login(make_user(None, is_staff=True))
    assert client.get(change_url()).status_code == 403
    assert client.get(REAPPLY).status_code == 403


def test_saving_a_change_offers_a_reapply(
    support_client, django_capture_on_commit_callbacks
):
    person = make_person(
        surname="Крупкин", surname_cyrillic="Крупкин", surname_latin="KRUPKIN"
    )
    untouched = make_person(surname="Петров")

    response = support_client.post(change_url(), form(script="latin"))
    assert response.status_code == 302
    assert response["Location"] == REAPPLY
    assert NamePolicy.load().script == "latin"
    assert Person.objects.get(pk=person.pk).surname == "Крупкин"  # nothing silent

    page = support_client.get(REAPPLY)
    assert page.context["would_change"] == 1
    assert 'data-would-change="1"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = support_client.post(REAPPLY)
    job = EmisJob.objects.get(kind="reapply_names")
    assert started["Location"] == f"{REAPPLY}{job.pk}/"
    progress = support_client.get(started["Location"]).content.decode()
    # Done already (the task ran on commit): the page shows it, asks no more.
    assert "<progress" in progress and 'data-job-status="succeeded"' in progress
    assert f"{REAPPLY}{job.pk}/status/" not in progress
    status = support_client.get(f"{REAPPLY}{job.pk}/status/").content.decode()
    assert 'data-job-status="succeeded"' in status and 'value="100"' in status
    assert "hx-trigger=" not in status  # final: the page asks no more
    assert Person.objects.get(pk=person.pk).surname == "Krupkin"
    assert Person.objects.get(pk=untouched.pk).surname == "Петров"


def test_saving_without_a_change_does_not_offer_a_reapply(support_client):
    response = support_client.post(change_url(), form())
    assert response.status_code == 302
    assert response["Location"] != REAPPLY


def test_an_override_change_offers_a_reapply(support_client):
    entity = make_legal_entity()
    response = support_client.post(
        "/admin/emis/namepolicyoverride/add/",
        form(legal_entity=entity.pk, letter_case="upper"),
    )
    assert response.status_code == 302
    assert response["Location"] == REAPPLY
    assert NamePolicyOverride.objects.get().letter_case == "upper"


def test_reapply_page_shows_the_running_job_instead_of_a_second_button(support_client):
    job = EmisJob.objects.create(kind="reapply_names", status="running")
    html = support_client.get(REAPPLY).content.decode()
    assert f"{REAPPLY}{job.pk}/" in html
    assert '<form method="post">' not in html


def test_status_of_another_kind_of_job_is_404(support_client):
    pull = EmisJob.objects.create(kind="pull")
    assert support_client.get(f"{REAPPLY}{pull.pk}/status/").status_code == 404


def test_queued_job_fragment_asks_again_and_preview_marks_the_chosen_row(support_client):
    job = EmisJob.objects.create(kind="reapply_names")
    status = support_client.get(f"{REAPPLY}{job.pk}/status/").content.decode()
    assert 'data-job-status="queued"' in status
    assert f'hx-get="{REAPPLY}{job.pk}/status/"' in status
    # The change form's selects ask for the preview with their values marked
    # (before saving); a value that is not a choice keeps the saved one.
    preview = "/admin/emis/namepolicy/preview/"
    page = support_client.get(
        preview, {"script": "latin", "letter_case": "upper", "latin_standard": "mvd_310"}
    ).content.decode()
    marked = re.findall(r'<tr data-script="(\w+)" data-letter-case="(\w+)"\s+'
                        r'data-latin-standard="(\w+)" class="current">', page)
    assert marked == [("latin", "upper", "mvd_310")]
    page = support_client.get(preview, {"script": "klingon"}).content.decode()
    assert page.count('class="current"') == 1 and 'data-script="cyrillic"' in page
