"""``python -m emis_sandbox``: prepare the DB, print the account, serve."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from emis_sandbox.config import parse_config
from emis_sandbox.db import connection, init_db
from emis_sandbox.runtime import init_settings
from emis_sandbox.server import SandboxServer


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_config(argv)
    logging.basicConfig(
        level=logging.WARNING if config.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    init_db(config.db)
    with connection(config.db) as conn:
        init_settings(conn, config)
    server = SandboxServer(config)
    base = server.app.base_url
    # This is a sandbox: printing its own test credentials is the point.
    lines = [
        f"EMIS sandbox base_url: {base}",
        f"EMIS sandbox api_login: {config.api_login}",
        f"EMIS sandbox api_password: {config.api_password}",
        f"EMIS sandbox web_login: {config.web_login}",
        f"EMIS sandbox web_password: {config.web_password}",
        "EMIS sandbox webhook_url: "
        + (config.webhook_url if config.webhook_enabled else "(disabled)"),
        f"EMIS sandbox ready on {base}",
    ]
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
