"""OWASP ASVS 4.0.3 level 1: the items no other module of tests/security/
covers on its own. ``docs/security.md`` lists every applicable item with the
test that shows it; the last test here keeps that list true.

Production values are read in a subprocess, so the settings module is built
from that environment exactly as gunicorn would build it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from pms.roles import Role
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
PASSWORD = "pass-12345"  # tests/factories.py


def _production_settings(tmp_path, names: list[str]) -> dict:
    dropped = {"DEBUG", "PMS_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 64,
            "PMS_PUBLIC_URL": "https://pms.hotel.example",
            "ALLOWED_HOSTS": "pms.hotel.example",
            "PMS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PMS_VAR_DIR": str(tmp_path),
        }
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "pms.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- V2 Authentication ----------------------------------------------------------


@pytest.mark.parametrize("password", ["short-pw-1", "password1234", "qwerty123456"])
def test_v2_1_short_or_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_v2_1_long_passphrases_without_composition_rules_are_accepted():
    validate_password("correct horse battery staple " * 4)  # 116 characters
    validate_password("всё лучшее — гостям")  # any Unicode, no class rules


# --- V3 Session management ------------------------------------------------------


@pytest.mark.django_db
def test_v3_2_1_login_issues_a_new_session_key(client):
    make_user(Role.FRONT_DESK, username="clerk")
    client.get(reverse("login"))
    session = client.session  # an anonymous session exists before login
    session["probe"] = 1
    session.save()
    before = session.session_key
    response = client.post(
        reverse("login"), {"username": "clerk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.session_key != before


@pytest.mark.django_db
def test_v3_3_1_logout_kills_the_session_on_the_server(client):
    user = make_user(Role.FRONT_DESK, username="clerk")
    client.force_login(user)
    stolen = client.cookies["sessionid"].value
    assert client.get(reverse("home")).status_code in (200, 302)
    client.post(reverse("logout"))
    client.cookies["sessionid"] = stolen  # replaying the old cookie
    response = client.get(reverse("reservations:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_v3_4_session_cookie_flags_in_production(tmp_path):
    values = _production_settings(
        tmp_path,
        [
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "SESSION_COOKIE_NAME",
            "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_HTTPONLY",
            "CSRF_COOKIE_NAME",
        ],
    )
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_SECURE"] is True
    # No script reads the CSRF cookie (htmx sends the token from a header).
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")


# --- V5 Validation: no open redirect --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_v5_1_5_login_never_redirects_off_site(client, target):
    make_user(Role.FRONT_DESK, username="clerk")
    response = client.post(
        reverse("login") + "?next=" + target,
        {"username": "clerk", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_v5_1_5_language_switch_never_redirects_off_site(front_desk_client):
    response = front_desk_client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- V7 Errors: nothing technical reaches the user -----------------------------


def test_v7_4_1_the_error_page_is_generic():
    request = RequestFactory().get("/")
    body = server_error(request).content.decode()
    assert "Traceback" not in body
    assert "settings" not in body.lower()


# --- V9 Communications --------------------------------------------------------------


def test_v9_1_1_https_only_in_production(tmp_path):
    values = _production_settings(
        tmp_path,
        ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS"],
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


# --- V13/V14 HTTP: methods, headers, CORS -------------------------------------------


def _pages() -> list[str]:
    return [
        reverse("home"),
        reverse("reservations:list"),
        reverse("integrations:list"),
        "/api/v1/reservations/",
        "/api/v1/legal-entities/",
    ]


@pytest.mark.django_db
def test_v14_4_every_answer_names_its_type_and_refuses_sniffing_and_framing(
    admin_client_,
):
    for path in _pages():
        response = admin_client_.get(path, follow=True)
        assert response.status_code == 200, path
        kind = response["Content-Type"].lower()
        # text/* names its charset; JSON is UTF-8 by definition (RFC 8259).
        assert "charset=utf-8" in kind or kind == "application/json", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["X-Frame-Options"] == "DENY", path


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
def test_v14_5_1_unusual_methods_are_refused(admin_client_, method):
    for path in _pages():
        response = admin_client_.generic(method, path)
        assert response.status_code in (403, 405), (path, response.status_code)


@pytest.mark.django_db
def test_v14_5_3_no_cross_origin_reads(admin_client_):
    for path in _pages():
        response = admin_client_.get(path, HTTP_ORIGIN="https://evil.example")
        assert "Access-Control-Allow-Origin" not in response, path
        assert "Access-Control-Allow-Credentials" not in response, path


# --- The map: docs/security.md points only at tests that exist ----------------------

_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_named_in_docs_security_exists():
    text = DOC.read_text(encoding="utf-8")
    refs = _REF.findall(text)
    assert len(refs) >= 30, "docs/security.md should map every ASVS item to a test"
    missing = [
        f"{path}::{name}"
        for path, name in refs
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []


# --- V10.3.2: nothing is loaded from another origin (no CDN) -----------------------

_ASSET = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']([^"']+)""")


@pytest.mark.django_db
def test_v10_3_2_every_asset_comes_from_this_server(admin_client_):
    for path in [reverse("login"), *_pages()[:3], "/api/schema/swagger/"]:
        body = admin_client_.get(path, follow=True).content.decode()
        foreign = [u for u in _ASSET.findall(body) if re.match(r"(https?:)?//", u)]
        assert foreign == [], (path, foreign)
