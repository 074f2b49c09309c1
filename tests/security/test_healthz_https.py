"""The production compose `web` is healthy (issue 8, item 8).

With HTTPS on, every plain-HTTP request is redirected to https, except
``/healthz``: the compose healthcheck asks gunicorn directly over plain HTTP,
so a redirect there kept `web` unhealthy forever. The healthcheck's Host
header must also be one ALLOWED_HOSTS lets in, or Django answers 400.
"""

import json
import subprocess
import sys

import pytest

from tests.security.compose_web import (
    PUBLIC_HOST,
    ROOT,
    compose_service,
    compose_web,
    production_env,
)

# Run in a fresh interpreter: the settings module is read from the production
# environment, as gunicorn would read it.
CLIENT_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST=%(host)r)
answers = {}
for path in ("/healthz", "/", "/accounts/login/", "/api/v1/", "/healthz/x"):
    response = client.get(path)
    answers[path] = [response.status_code, response.get("Location", "")]
print(json.dumps({"answers": answers, "redirect": settings.SECURE_SSL_REDIRECT}))
"""


def _production_answers(tmp_path) -> dict:
    env = production_env(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "pms.settings"
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT % {"host": PUBLIC_HOST}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_plain_http_while_other_pages_redirect(tmp_path):
    found = _production_answers(tmp_path)
    answers = found["answers"]

    assert found["redirect"] is True
    assert answers["/healthz"][0] == 200
    for path in ("/", "/accounts/login/", "/api/v1/", "/healthz/x"):
        status, location = answers[path]
        assert status == 301, path
        assert location == f"https://{PUBLIC_HOST}{path}"


def test_healthz_needs_no_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_compose_healthcheck_passes_against_the_compose_web_command(tmp_path):
    with compose_web(tmp_path) as web:
        healthy = web.healthcheck()
        page = web.get("/reservations/")
        redirected = subprocess.run(
            [sys.executable, "-m", "pms.healthcheck", web.base_url + "/reservations/"],
            cwd=ROOT,
            env=web.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        web.env["PMS_PUBLIC_URL"] = "https://not-allowed.example"
        refused = web.healthcheck()

    assert healthy.returncode == 0, healthy.stdout + healthy.stderr + web.log()
    assert page.status_code == 301
    assert page.headers["Location"] == f"https://{PUBLIC_HOST}/reservations/"
    # A redirect is never followed (it would test the proxy, not the
    # container), and a Host outside ALLOWED_HOSTS is a failure, not a pass.
    assert (redirected.returncode, refused.returncode) == (1, 1)
    assert "HTTP 301" in redirected.stderr
    assert "HTTP 400" in refused.stderr


def test_the_compose_healthcheck_is_plain_http_to_the_container():
    test = compose_service("web")["healthcheck"]["test"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(test)


@pytest.mark.parametrize(
    ("public_url", "host"),
    [
        ("https://pms.hotel.example", "pms.hotel.example"),
        ("https://pms.hotel.example:8443/", "pms.hotel.example:8443"),
        ("", "localhost"),
    ],
)
def test_the_healthcheck_sends_the_public_host(monkeypatch, public_url, host):
    from pms import healthcheck

    monkeypatch.setenv("PMS_PUBLIC_URL", public_url)
    assert healthcheck.public_host() == host
