"""The icon: every page links it, and /favicon.ico (asked for by browsers
whatever the page says) leads to it instead of a 404 logged on every page."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

ICON = "/static/img/favicon.svg"


def test_favicon_ico_leads_to_the_icon_without_a_login(client):
    answer = client.get("/favicon.ico")
    assert (answer.status_code, answer["Location"]) == (301, ICON)
    assert client.head("/favicon.ico").status_code == 301
    assert client.post("/favicon.ico").status_code == 405


def test_the_icon_is_a_small_svg():
    path = finders.find("img/favicon.svg")
    assert path
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"


def test_pages_link_the_icon(client):
    page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{ICON}" type="image/svg+xml">' in page
