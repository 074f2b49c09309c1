"""Start-up configuration: command-line options, each also read from the env."""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

ENV_PREFIX = "EMIS_SANDBOX_"


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8001
    db: str = "var/emis-sandbox.sqlite3"
    webhook_url: str = "http://127.0.0.1:8000/api/v1/emis/webhook/"
    webhook_enabled: bool = True
    api_login: str = "pms-api"
    api_password: str = field(default="sandbox-api-secret", repr=False)
    web_login: str = "pms-web"
    web_password: str = field(default="sandbox-web-secret", repr=False)
    # Guards the control API (/_sandbox/), which can sign webhooks with the API
    # password. Empty here: parse_config() draws a random one per start.
    control_token: str = field(default="", repr=False)
    session_ttl: float = 600.0
    webhook_attempts: int = 5
    webhook_backoff: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    webhook_timeout: float = 10.0
    public_url: str = ""
    quiet: bool = False


def _env(name: str, default: object) -> object:
    return os.environ.get(ENV_PREFIX + name.upper(), default)


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _backoff(value: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            "comma-separated seconds, e.g. 0.5,1,2,4"
        ) from exc
    if not delays or min(delays) < 0:
        raise argparse.ArgumentTypeError("at least one non-negative delay")
    return delays


def build_parser() -> argparse.ArgumentParser:
    d = Config()
    p = argparse.ArgumentParser(
        prog="python -m emis_sandbox",
        description="EMIS Service sandbox (contract API v1, upload page, webhooks). "
        f"Every option can also be set as {ENV_PREFIX}<OPTION_NAME>.",
    )
    p.add_argument("--host", default=_env("host", d.host))
    p.add_argument(
        "--port",
        type=int,
        default=int(_env("port", d.port)),
        help="0 picks a free port (printed in the ready line)",
    )
    p.add_argument("--db", default=_env("db", d.db), help="SQLite file")
    p.add_argument("--webhook-url", default=_env("webhook_url", d.webhook_url))
    p.add_argument(
        "--no-webhook",
        dest="webhook_enabled",
        action="store_false",
        default=_flag(_env("webhook_enabled", d.webhook_enabled)),
        help="start with webhook sending switched off",
    )
    p.add_argument("--api-login", default=_env("api_login", d.api_login))
    p.add_argument("--api-password", default=_env("api_password", d.api_password))
    p.add_argument("--web-login", default=_env("web_login", d.web_login))
    p.add_argument("--web-password", default=_env("web_password", d.web_password))
    p.add_argument(
        "--control-token",
        default=_env("control_token", d.control_token),
        help="token the control API (/_sandbox/) requires in X-Sandbox-Token; "
        "random per start when not given (printed at start). Prefer the env "
        "variable: other local users can read a command line",
    )
    p.add_argument(
        "--session-ttl",
        type=float,
        default=float(_env("session_ttl", d.session_ttl)),
        help="seconds a one-time upload URL stays valid",
    )
    p.add_argument(
        "--webhook-attempts",
        type=int,
        default=int(_env("webhook_attempts", d.webhook_attempts)),
    )
    p.add_argument(
        "--webhook-backoff",
        type=_backoff,
        default=_backoff(str(_env("webhook_backoff", "0.5,1,2,4"))),
        help="delays before retries 2, 3, ... (seconds, comma-separated)",
    )
    p.add_argument(
        "--webhook-timeout",
        type=float,
        default=float(_env("webhook_timeout", d.webhook_timeout)),
    )
    p.add_argument(
        "--public-url",
        default=_env("public_url", ""),
        help="base of the one-time URLs (default http://<host>:<port>)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        default=_flag(_env("quiet", False)),
        help="no request log",
    )
    return p


def parse_config(argv: Sequence[str] | None = None) -> Config:
    ns = build_parser().parse_args(argv)
    if ns.webhook_attempts < 1:
        raise SystemExit("--webhook-attempts must be at least 1")
    config = Config(**vars(ns))
    if not config.control_token.strip():
        config = replace(config, control_token=secrets.token_urlsafe(24))
    return config
