"""The container health check (docker-compose.yml): ``python -m pms.healthcheck``.

Asks this container's gunicorn for ``/healthz`` over plain HTTP, as it must:
TLS ends at the hotel's proxy. The request carries the Host of
PMS_PUBLIC_URL, the name ALLOWED_HOSTS lets in (``127.0.0.1`` would be a 400).
A redirect counts as a failure and is never followed: following it would
test the proxy, not this container. Exit status 0 only for a 200.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000/healthz"
TIMEOUT = 4.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is raised as an HTTPError


def public_host() -> str:
    netloc = urlsplit(os.environ.get("PMS_PUBLIC_URL", "")).netloc
    return netloc.rpartition("@")[2] or "localhost"


def check(url: str = DEFAULT_URL) -> str | None:
    """None when healthy, else what went wrong."""
    if urlsplit(url).scheme != "http":
        return f"{url}: the health check speaks plain http only"
    # No proxy from the environment: this is a call to ourselves.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    request = urllib.request.Request(  # noqa: S310 - http only, checked above
        url, headers={"Host": public_host()}
    )
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:  # URLError, refused, timed out
        return f"{url}: {exc}"
    return None if status == 200 else f"{url}: HTTP {status}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    problem = check(args[0] if args else DEFAULT_URL)
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
