import logging
import re

from .masking import mask_text

# A path followed by its query string: the query goes, the path stays.
_QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def strip_query_strings(text: str) -> str:
    """``GET /guests/?q=Иванов HTTP/1.1`` → ``GET /guests/ HTTP/1.1``."""
    return _QUERY_STRING.sub(r"\1", text)


class MaskDocumentNumbersFilter(logging.Filter):
    """Last line of defence: no full document number reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class StripQueryStringFilter(logging.Filter):
    """Request lines in access logs keep the path, never the query string.

    The guest search sends surnames as ``?q=`` and a list's filters may name
    a guest: personal data that has no place in runserver's ``django.server``
    log (gunicorn's access log leaves the query out by its format instead).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        stripped = strip_query_strings(message)
        if stripped != message:
            record.msg, record.args = stripped, None
        return True
