import logging
import re

from .masking import mask_text

# A path followed by its query string: the query goes, the path stays.
_QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def strip_query_strings(text: str) -> str:
    """``GET /guests/?q=Иванов HTTP/1.1`` → ``GET /guests/ HTTP/1.1``."""
    return _QUERY_STRING.sub(r"\1", text)


class _RewriteFilter(logging.Filter):
    """Passes every record, with its message rewritten by ``rewrite``."""

    @staticmethod
    def rewrite(message: str) -> str:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        rewritten = self.rewrite(message)
        if rewritten != message:
            # The args are already merged into the message.
            record.msg, record.args = rewritten, None
        return True


class MaskDocumentNumbersFilter(_RewriteFilter):
    """Last line of defence: no full document number reaches a log line."""

    rewrite = staticmethod(mask_text)


class StripQueryStringFilter(_RewriteFilter):
    """Request lines in access logs keep the path, never the query string.

    The guest search sends surnames as ``?q=`` and a list's filters may name
    a guest: personal data that has no place in runserver's ``django.server``
    log (gunicorn's access log leaves the query out by its format instead).
    """

    rewrite = staticmethod(strip_query_strings)
