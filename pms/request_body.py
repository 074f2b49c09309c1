"""Reading a raw request body with a ceiling, whatever its framing.

Django reads a body only as far as ``Content-Length`` says, so a chunked
body (``Transfer-Encoding: chunked``, no length) reads as empty. A WSGI
server that decodes the chunks itself says so with ``wsgi.input_terminated``
(gunicorn does; so does this project's runserver, ``pms/devserver``): then
``wsgi.input`` is the decoded body and ends where it ends, and is read here
directly — never more than the ceiling plus one byte, so an endless body
costs no memory.
"""

from __future__ import annotations

from django.http import HttpRequest

_STEP = 64 * 1024


def body_read_bounded(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` bytes (a declared
    ``Content-Length`` first, then the bytes: a client may lie in it)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            pass
        body = request.read(limit + 1)
    elif request.META.get("wsgi.input_terminated"):
        body = _read_up_to(request.META["wsgi.input"], limit + 1)
    else:
        body = request.read(limit + 1)  # a server that cannot say: empty
    return None if len(body) > limit else body


def _read_up_to(stream, size: int) -> bytes:
    """Up to ``size`` bytes: a stream may hand out fewer per read."""
    parts, left = [], size
    while left > 0:
        data = stream.read(min(left, _STEP))
        if not data:
            break
        parts.append(data)
        left -= len(data)
    return b"".join(parts)
