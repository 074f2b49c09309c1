"""The threaded HTTP server and the top-level router.

``http.server`` (not WSGI) because fault injection needs the raw socket: to
drop a connection without answering, or to cut a body short.
"""

from __future__ import annotations

import logging
import re
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from emis_sandbox import contract, control, page, upload
from emis_sandbox.config import Config
from emis_sandbox.context import Context
from emis_sandbox.db import connection
from emis_sandbox.httpkit import (
    ApiError,
    Request,
    Response,
    error_response,
    html_response,
    parse_query,
)

log = logging.getLogger("emis_sandbox")
# Bulk seeding of 10,000 persons is a few MiB; anything far larger is a mistake.
MAX_BODY = 64 * 1024 * 1024
UPLOAD_PATH = re.compile(r"^/s/(?P<token>[A-Za-z0-9_-]{1,200})/?$")

INDEX = (
    "<h1>Песочница EMIS Service</h1><p>API по договору — под "
    "<code>/api/v1/</code> (HTTP Basic), управляющий API — под "
    "<code>/_sandbox/</code> (заголовок <code>X-Sandbox-Token</code>: "
    "управляющий токен, напечатанный при запуске), одноразовые страницы "
    "загрузки — под <code>/s/&lt;token&gt;</code>. См. docs/sandbox.md.</p>"
)


class SandboxApp:
    def __init__(self, config: Config, base_url: str) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")

    def handle(self, req: Request) -> Response:
        with connection(self.config.db) as conn:
            ctx = Context(config=self.config, base_url=self.base_url, conn=conn)
            try:
                return self._route(ctx, req)
            except ApiError as exc:
                return error_response(exc)

    def _route(self, ctx: Context, req: Request) -> Response:
        if req.path.startswith("/api/"):
            return contract.handle(ctx, req)
        if req.path.startswith("/_sandbox/"):
            return control.handle(ctx, req)
        match = UPLOAD_PATH.match(req.path)
        if match:
            return upload.handle(ctx, req, match.group("token"))
        if req.path == "/":
            return html_response(page.layout("Песочница EMIS", INDEX))
        raise ApiError(404, "not_found", f"nothing at {req.path}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, keep-alive clients
    # wait ~40 ms on every answer (Nagle vs. delayed ACK).
    disable_nagle_algorithm = True
    server_version = "EMIS-Sandbox/1"
    server: SandboxServer

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET  # noqa: N815

    def _handle(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            # Unread chunks would be parsed as the next request: refuse, hang up.
            self.close_connection = True
            err = ApiError(411, "bad_request", "send a Content-Length, not chunked")
            self._send(error_response(err))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._send(
                error_response(ApiError(413, "payload_too_large", "body too large"))
            )
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        req = Request(
            self.command, parts.path, parse_query(parts.query), self.headers, body
        )
        try:
            resp = self.server.app.handle(req)
        except Exception:
            log.exception("unhandled error on %s %s", self.command, parts.path)
            resp = error_response(ApiError(500, "internal_error", "sandbox error"))
        self._send(resp)

    def _send(self, resp: Response) -> None:
        if resp.drop_connection:
            self._hang_up()
            return
        body = resp.body
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.truncate_body:
            # Promise more than we send, then hang up mid-body.
            self.send_header("Content-Length", str(len(body) + 1024))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self._hang_up()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.app.config.quiet:
            return
        # One-time tokens are bearer credentials: keep them out of the log.
        line = re.sub(r"/s/[A-Za-z0-9_-]{6,}", "/s/<token>", format % args)
        sys.stderr.write(f"{self.address_string()} - {line}\n")


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, config: Config) -> None:
        super().__init__((config.host, config.port), Handler)
        self.app = SandboxApp(config, public_base_url(config, self.server_port))


def public_base_url(config: Config, port: int) -> str:
    if config.public_url:
        return config.public_url.rstrip("/")
    host = config.host
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - just naming a wildcard
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
