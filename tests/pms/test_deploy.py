"""`check --deploy` is clean with production values (run as a subprocess so
the settings module is read fresh from that environment)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process.
    dropped = {"DEBUG", "PMS_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = _check(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "PMS_PUBLIC_URL": "https://pms.hotel.example",
            "ALLOWED_HOSTS": "pms.hotel.example",
            "PMS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PMS_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key(tmp_path):
    result = _check(
        {"DEBUG": "false", "PMS_PUBLIC_URL": "https://x.example", "PMS_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
