"""var/, the embedded database and the key file are their owner's alone
(issue 8, item 13): 0700 for the directory, 0600 for every file, whatever the
umask, and an older checkout's wider modes are narrowed on the next start."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.sandbox import sample_person, start_sandbox

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter with the embedded defaults: settings, a write to the
# SQLite database and the generated key, then every mode under var/ while the
# connection is still open (SQLite deletes -wal and -shm at the last close).
SCRIPT = """
import json, os, stat, sys, django
django.setup()
from django.db import connection
from integrations.secrets import decrypt, encrypt
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
    cursor.execute("INSERT INTO t VALUES (1)")
assert decrypt(encrypt("secret")) == "secret"
var = sys.argv[1]
modes = {".": stat.S_IMODE(os.stat(var).st_mode)}
for root, dirs, files in os.walk(var):
    for name in dirs + files:
        path = os.path.join(root, name)
        modes[os.path.relpath(path, var)] = stat.S_IMODE(os.stat(path).st_mode)
print(json.dumps(modes))
"""


def _modes_after_start(var_dir: Path) -> dict[str, int]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PMS_ENCRYPTION_KEYS", "STATIC_ROOT"}
    }
    env.update({"PMS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "pms.settings"})
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(var_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        # The usual umask, which alone would make every file world-readable.
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_owner_only(modes: dict[str, int]) -> None:
    wider = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert not wider, f"readable by others: {wider}"


def test_a_fresh_var_dir_database_and_key_are_owner_only(tmp_path):
    modes = _modes_after_start(tmp_path / "var")

    assert modes["."] == 0o700
    for name in ("pms.sqlite3", "pms.sqlite3-wal", "pms.sqlite3-shm", "encryption.key"):
        assert modes.get(name) == 0o600, (name, modes)
    _assert_owner_only(modes)


def test_an_existing_wider_var_dir_and_database_are_narrowed(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    os.chmod(var, 0o755)
    for name in ("pms.sqlite3", "pms.sqlite3-wal", "pms.sqlite3-shm"):
        (var / name).touch()
        os.chmod(var / name, 0o644)
    (var / "pms.sqlite3-wal").unlink()  # SQLite recreates it, with the DB's mode
    (var / "pms.sqlite3-shm").unlink()

    modes = _modes_after_start(var)

    assert modes["."] == 0o700
    assert modes["pms.sqlite3"] == 0o600
    _assert_owner_only(modes)


def test_the_sandbox_database_is_owner_only(tmp_path):
    old_umask = os.umask(0o022)  # inherited by the sandbox process
    try:
        process = start_sandbox(tmp_path)
    finally:
        os.umask(old_umask)
    try:
        handle = process.handle()
        handle.save_person("17", sample_person("1"))
        with handle.api() as api:
            api.get(f"{process.base_url}/api/v1/persons/1?legal_entity_id=17")
        files = [process.db_path] + [
            process.db_path.with_name(process.db_path.name + suffix)
            for suffix in ("-wal", "-shm")
        ]
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
    finally:
        process.stop()

    assert modes == dict.fromkeys(modes, 0o600), modes


@pytest.mark.parametrize("existing_mode", [0o644, 0o600])
def test_the_sandbox_narrows_an_existing_database(tmp_path, existing_mode):
    workdir = tmp_path / "sandbox"
    workdir.mkdir()
    db = workdir / "emis-sandbox.sqlite3"
    db.touch()
    os.chmod(db, existing_mode)

    process = start_sandbox(workdir)
    try:
        assert requests.get(f"{process.base_url}/", timeout=10).ok
    finally:
        process.stop()

    assert stat.S_IMODE(db.stat().st_mode) == 0o600
