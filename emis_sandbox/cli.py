"""``python -m emis_sandbox``: prepare the DB, print the logins and the control
token (never a password), serve."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from emis_sandbox.config import Config, parse_config
from emis_sandbox.control import TOKEN_HEADER
from emis_sandbox.db import connection, init_db
from emis_sandbox.runtime import init_settings
from emis_sandbox.server import SandboxServer

# The DB holds passport data: its owner alone may read it. SQLite gives the
# -wal and -shm files the main file's mode when it creates them.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_config(argv)
    logging.basicConfig(
        level=logging.WARNING if config.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    make_private(config.db)
    init_db(config.db)
    with connection(config.db) as conn:
        init_settings(conn, config)
    server = SandboxServer(config)
    print("\n".join(banner(config, server.app.base_url)), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def banner(config: Config, base: str) -> list[str]:
    """The start-up lines; the last one is what the test fixtures wait for.

    Passwords stay out: stdout ends up in terminals, CI logs and `docker logs`.
    The defaults are in docs/sandbox.md; a caller that set others knows them.
    """
    hidden = "(password not printed; see docs/sandbox.md)"
    return [
        f"EMIS sandbox base_url: {base}",
        f"EMIS sandbox api_login: {config.api_login} {hidden}",
        f"EMIS sandbox web_login: {config.web_login} {hidden}",
        "EMIS sandbox webhook_url: "
        + (config.webhook_url if config.webhook_enabled else "(disabled)"),
        f"EMIS sandbox control_token: {config.control_token} "
        f"(send it as {TOKEN_HEADER} to /_sandbox/)",
        f"EMIS sandbox ready on {base}",
    ]


def make_private(db: str) -> None:
    """Create the DB file readable by its owner only, or narrow an existing one."""
    if db == ":memory:" or db.startswith("file:"):
        return
    Path(db).parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for path in (db, f"{db}-wal", f"{db}-shm"):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & ~PRIVATE_FILE:
                os.chmod(path, mode & PRIVATE_FILE)
