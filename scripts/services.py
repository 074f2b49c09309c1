"""Tell which of PostgreSQL and Redis answer, for scripts/test.sh.

Prints shell assignments. With PMS_REQUIRE_SERVICES=1 (CI) a missing service
is an error, so tests that need it never skip silently.
"""

import os
import socket
import sys


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
    if os.environ.get("DATABASE_URL"):
        out.append("PMS_TEST_DB='from DATABASE_URL'")
    elif reachable("127.0.0.1", 5432):
        out.append("export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
        out.append("PMS_TEST_DB='PostgreSQL at 127.0.0.1:5432'")
    else:
        missing.append("PostgreSQL (127.0.0.1:5432)")
        out.append("PMS_TEST_DB='SQLite (PostgreSQL not reachable)'")
    if os.environ.get("PMS_TEST_REDIS_URL"):
        out.append("PMS_TEST_BROKER='from PMS_TEST_REDIS_URL'")
    elif reachable("127.0.0.1", 6379):
        out.append("export PMS_TEST_REDIS_URL=redis://127.0.0.1:6379/15")
        out.append("PMS_TEST_BROKER='Redis at 127.0.0.1:6379 (real Celery worker tests run)'")
    else:
        missing.append("Redis (127.0.0.1:6379)")
        out.append("PMS_TEST_BROKER='in-process tasks (Redis not reachable; worker tests skip)'")
    if require and missing:
        print(f"echo 'missing services: {', '.join(missing)}' >&2; exit 1")
        return 0
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
