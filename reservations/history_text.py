"""A value as the change history stores it (text). Apart from ``history``,
which imports the models, so that ``rules`` (imported by the models) can
compare a field with the EMIS value it holds without an import cycle."""

from __future__ import annotations

from typing import Any

__all__ = ["as_text"]


def as_text(value: Any) -> str:
    # Called for every history row (~30 per person in a sync): strings, the
    # common case, return first.
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
