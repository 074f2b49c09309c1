"""Chunked request bodies for runserver (see the package's docstring)."""

from __future__ import annotations

from wsgiref import simple_server

from django.core.servers import basehttp

_LINE_MAX = 1024  # a chunk-size line (hex digits, extensions) or a trailer
_DRAIN_STEP = 64 * 1024


class ChunkedReader:
    """The decoded body of a chunked request, read from the socket as asked.
    A malformed chunk-size line ends the body (the app sees it cut short)."""

    def __init__(self, rfile) -> None:
        self._rfile = rfile
        self._left = 0  # bytes left in the current chunk
        self._done = False

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while not self._done and (size < 0 or len(out) < size):
            if self._left == 0 and not self._next_chunk():
                break
            want = self._left if size < 0 else min(self._left, size - len(out))
            data = self._rfile.read(want)
            if not data:
                self._done = True
                break
            out += data
            self._left -= len(data)
            if self._left == 0:
                self._rfile.readline(_LINE_MAX)  # the CRLF after a chunk
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        # Django's LimitedStream wants one; nothing here reads lines.
        return self.read(size)

    def _next_chunk(self) -> bool:
        line = self._rfile.readline(_LINE_MAX)
        digits = line.split(b";", 1)[0].strip()
        try:
            self._left = int(digits, 16) if digits.isalnum() else -1
        except ValueError:
            self._left = -1
        if self._left <= 0:  # the last chunk, or a broken line: the end
            self._done = True
            self._left = 0
            return False
        return True


def _chunked(environ) -> bool:
    encoding = environ.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in encoding.lower() and not environ.get("CONTENT_LENGTH")


class ServerHandler(basehttp.ServerHandler):
    def __init__(self, stdin, stdout, stderr, environ, **kwargs):
        self.chunked = _chunked(environ)
        if not self.chunked:
            super().__init__(stdin, stdout, stderr, environ, **kwargs)
            return
        environ["wsgi.input_terminated"] = True
        # Django's handler would wrap the socket in a 0-byte stream.
        simple_server.ServerHandler.__init__(
            self, ChunkedReader(stdin), stdout, stderr, environ, **kwargs
        )

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        if self.chunked:  # the connection ends with this answer
            self.headers["Connection"] = "close"
            self.request_handler.close_connection = True

    def close(self) -> None:
        if not self.chunked:
            return super().close()
        # Read what the app left (as runserver does for a body with a
        # length), a step at a time, so the client gets the answer.
        stdin = self.get_stdin()
        while stdin.read(_DRAIN_STEP):
            pass
        return simple_server.ServerHandler.close(self)


class WSGIRequestHandler(basehttp.WSGIRequestHandler):
    def handle_one_request(self) -> None:
        """Django's, with the handler above."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = ServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ()
        )
        handler.request_handler = self
        handler.run(self.server.get_app())


class WSGIServer(basehttp.WSGIServer):
    def __init__(self, server_address, handler_class, *args, **kwargs) -> None:
        super().__init__(server_address, WSGIRequestHandler, *args, **kwargs)
