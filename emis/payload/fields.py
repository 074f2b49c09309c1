"""Bad fields named one way everywhere: ``<path> — <reason>``.

The webhook's 400, the delivery log, a failed pull and a failed sync page all
name each field EMIS got wrong by its path in the payload
(``person.documents[0].number``) and a short reason in plain words
(``required``). Reasons are the contract's English messages, stored as they
are; screens translate them when shown (``reason_text``). Neither a path nor
a reason ever holds a value from the payload, so they may be stored and shown
where passport data may not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

SEPARATOR = " — "  # between a path and its reason
JOINER = "; "  # between two fields
MORE = "…"  # the end of a text cut short


@dataclass(frozen=True)
class FieldError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}{SEPARATOR}{self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


def field_errors(errors: Mapping[str, Iterable[str]]) -> list[FieldError]:
    """``{"path": ["reason", ...]}`` (a ``PayloadError``'s, the 400's
    ``fields``) as one ``FieldError`` per reason, in order."""
    return [
        FieldError(path, reason)
        for path, reasons in errors.items()
        for reason in reasons
    ]


def from_dicts(rows: Iterable[Mapping]) -> list[FieldError]:
    """Stored ``{"path", "reason"}`` rows back as ``FieldError``s."""
    return [FieldError(str(r.get("path", "")), str(r.get("reason", ""))) for r in rows]


def reason_text(reason: str) -> str:
    """The reason in the reader's language (the contract's messages are in
    the emis catalog; anything else is shown as it came)."""
    return gettext(reason) if reason else reason


def fields_text(
    fields: Iterable[FieldError], *, translate: bool = False, limit: int | None = None
) -> str:
    """``a — b; c — d``; with ``limit``, only whole fields that fit, then "…"."""
    parts = [
        f"{f.path}{SEPARATOR}{reason_text(f.reason) if translate else f.reason}"
        for f in fields
    ]
    text = JOINER.join(parts)
    if limit is None or len(text) <= limit:
        return text
    kept: list[str] = []
    for part in parts:
        if len(JOINER.join([*kept, part, MORE])) > limit:
            break
        kept.append(part)
    return JOINER.join([*kept, MORE])


def parse_fields_text(text: str) -> list[FieldError]:
    """A stored ``fields_text`` back as fields (parts without a reason, such
    as the "…" of a cut text or an older free-text message, are skipped)."""
    found = []
    for part in text.split(JOINER):
        path, sep, reason = part.partition(SEPARATOR)
        if sep and path and reason:
            found.append(FieldError(path, reason))
    return found
