"""Support in a real browser: the preview follows the selects, saving leads
to the re-apply offer, and the progress bar polls the job to its end. With
PMS_SCREENSHOT=1 it also saves docs/name-policy-admin.png and
docs/name-policy-reapply.png."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext

from emis.models import EmisJob, NamePolicy
from emis.names import reapply
from pms.roles import Role
from reservations.models import Person
from tests.factories import make_person, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page, name: str) -> None:
    if os.environ.get("PMS_SCREENSHOT") == "1":
        target = Path(settings.BASE_DIR) / "docs" / name
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


@pytest.fixture
def page(page, live_server):
    """The shared browser page, logged in to the Django admin as support."""
    # Transactional tests flush the role groups the migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    make_user(Role.SUPPORT, username="support")
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "support")
    page.fill("input[name=password]", "pass-12345")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_change_preview_and_reapply(page, live_server):
    from playwright.sync_api import expect

    person = make_person(
        surname="Крупкин", surname_cyrillic="Крупкин", surname_latin="KRUPKIN"
    )
    page.goto(live_server.url + "/admin/emis/namepolicy/")
    current = page.locator(".name-policy-preview tr.current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-script", "cyrillic")

    page.select_option("select[name=script]", "latin")
    page.select_option("select[name=latin_standard]", "mvd_310")
    expect(current).to_have_attribute("data-latin-standard", "mvd_310")
    expect(current).to_contain_text("Il'ya")
    screenshot(page, "name-policy-admin.png")

    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/emis/namepolicy/reapply/$"))
    assert Person.objects.get(pk=person.pk).surname == "Крупкин"
    page.locator("form input[type=submit]").click()
    page.wait_for_url(re.compile(r"/reapply/\d+/$"))
    expect(page.locator("progress")).to_have_attribute("value", "100")
    assert Person.objects.get(pk=person.pk).surname == "Krupkin"
    assert NamePolicy.load().latin_standard == "mvd_310"


def test_progress_bar_polls_until_the_job_ends(page, live_server):
    from playwright.sync_api import expect

    make_person(surname="Щукин", surname_latin="SHCHUKIN")
    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    job = EmisJob.objects.create(kind="reapply_names")  # queued, not dispatched
    page.goto(f"{live_server.url}/admin/emis/namepolicy/reapply/{job.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    box = page.locator(".reapply-progress")
    expect(box).to_have_attribute("data-status", "queued")

    reapply.reapply_job_run(job_id=job.pk)  # the "worker" runs it now

    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(box).to_have_attribute("data-status", "succeeded")
    with translation.override(settings.LANGUAGE_CODE):
        done = gettext("Done")
    expect(page.locator('[data-field="state"]')).to_have_text(done)
    expect(page.locator('[data-field="changed"]')).to_have_text("1")
    expect(page.locator('[data-field="total"]')).to_have_text("1")
    expect(page.locator('[data-field="error"]')).to_have_count(0)
    # Final: the fragment stops asking for itself.
    expect(page.locator("[data-job-status=succeeded]")).not_to_have_attribute(
        "hx-trigger", re.compile(".")
    )
    screenshot(page, "name-policy-reapply.png")
