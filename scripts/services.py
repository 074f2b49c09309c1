"""Tell which of PostgreSQL and Redis answer, for scripts/test.sh.

Prints shell assignments. With PMS_REQUIRE_SERVICES=1 (CI) a missing service
is an error, so tests that need it never skip silently.
"""

import os
import socket
import sys
from typing import NamedTuple


class Service(NamedTuple):
    label: str  # the test.sh variable that describes what the tests use
    env: str  # set by the caller: use it as given
    name: str
    port: int
    url: str  # exported when the local service answers
    found: str
    fallback: str


SERVICES = (
    Service(
        "PMS_TEST_DB",
        "DATABASE_URL",
        "PostgreSQL",
        5432,
        "postgres://postgres@127.0.0.1:5432/test",
        "PostgreSQL at 127.0.0.1:5432",
        "SQLite (PostgreSQL not reachable)",
    ),
    Service(
        "PMS_TEST_BROKER",
        "PMS_TEST_REDIS_URL",
        "Redis",
        6379,
        "redis://127.0.0.1:6379/15",
        "Redis at 127.0.0.1:6379 (real Celery worker tests run)",
        "in-process tasks (Redis not reachable; worker tests skip)",
    ),
)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    out = []
    require = os.environ.get("PMS_REQUIRE_SERVICES") == "1"
    missing = []
    for s in SERVICES:
        if os.environ.get(s.env):
            out.append(f"{s.label}='from {s.env}'")
        elif reachable("127.0.0.1", s.port):
            out.append(f"export {s.env}={s.url}")
            out.append(f"{s.label}='{s.found}'")
        else:
            missing.append(f"{s.name} (127.0.0.1:{s.port})")
            out.append(f"{s.label}='{s.fallback}'")
    if require and missing:
        print(f"echo 'missing services: {', '.join(missing)}' >&2; exit 1")
        return 0
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
