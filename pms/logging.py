import logging

from .masking import mask_text


class MaskDocumentNumbersFilter(logging.Filter):
    """Last line of defence: no full document number reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
