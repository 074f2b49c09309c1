"""What the name policy's admin pages say in Russian: the preview's
standard column in the words of the radio buttons above it, and the
re-apply result as one sentence."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import strip_tags

from emis.models import EmisJob, NamePolicy
from emis.names import reapply
from pms.roles import Role
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_client() -> Client:
    client = Client()
    client.force_login(make_user(Role.SUPPORT))
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


def test_the_preview_names_each_standard_as_the_radio_buttons_do(support_client):
    policy = NamePolicy.load()
    page = support_client.get(f"/admin/emis/namepolicy/{policy.pk}/change/")
    html = page.content.decode()
    table = _text(html[html.index("name-policy-preview") :])

    for label in ("ICAO Doc 9303", "ГОСТ Р 52535.1-2006", "Приказ МВД № 310"):
        assert html.count(label) > table.count(label) > 0  # radio + column
    assert "GOST" not in table
    assert "MVD" not in table


def test_the_reapply_result_reads_as_one_sentence(support_client):
    make_person(surname="Щукин", surname_latin="SHCHUKIN")
    policy = NamePolicy.load()
    policy.script = "latin"
    policy.save()
    job = EmisJob.objects.create(kind="reapply_names")
    reapply.reapply_job_run(job_id=job.pk)

    page = support_client.get(f"/admin/emis/namepolicy/reapply/{job.pk}/status/")

    assert "Готово: проверено профилей — 1 из 1, изменено — 1." in _text(
        page.content.decode()
    )
