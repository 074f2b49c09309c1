"""Masking of document numbers for logs and for roles that may not see them."""

import re

# At most this many stars before the last two characters: a mask is at most
# 10 characters wherever it is shown (API, history, duplicates, conflicts),
# so a long number masks identically on every page and label.
MAX_STARS = 8


def mask_number(value: str | None) -> str:
    """Keep the last two characters: enough to tell documents apart. The one
    mask of a document number: every page, label and answer uses it."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * min(len(value) - 2, MAX_STARS) + value[-2:]


def mask_document(series: str | None, number: str | None) -> str:
    """A document's series and number masked as one number: a Russian
    passport's series (the region and year of issue) narrows the guest down
    as much as the number, so only the last two characters of the whole
    show ("4510 123456" → "********56"). Spaces do not count."""
    return mask_number(f"{series or ''}{number or ''}".replace(" ", ""))


# A run of 6+ digits (optionally spaced, like "45 10 123456") is treated as a
# document number in free log text. Person and reservation IDs are shorter
# than that in practice and are logged as key=value, which this leaves alone.
_NUMBER_RE = re.compile(r"(?<![\w=])(?:\d[ -]?){5,}\d(?!\w)")


def mask_text(text: str) -> str:
    return _NUMBER_RE.sub(lambda m: mask_number(re.sub(r"[ -]", "", m.group(0))), text)
