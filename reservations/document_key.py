"""The key that tells whether two identity documents are the same one,
whoever typed them (``duplicates.py`` finds persons by it)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Concat, Replace, Upper

from .rules import is_hidden


def number_key(series: str | None, number: str | None) -> str:
    """``number_key_field`` computed in Python, for a record not yet stored
    (an API item without ``id``, EMIS's item): upper case, without spaces,
    and without invisible characters (``rules.is_hidden``) that older data
    may hold, so "C01X\u00adT47" is the document "C01XT47"."""
    text = f"{series or ''}{number or ''}"
    return "".join(c for c in text if not c.isspace() and not is_hidden(c)).upper()


def _chars(first: int, last: int) -> str:
    return "".join(map(chr, range(first, last + 1)))


# What the database's key leaves out: spaces and the hidden characters that
# pasting brings most into older rows (staff rules refuse them now): soft
# hyphen, zero-width ones and joiners, bidi marks and embeddings, invisible
# operators, Hangul fillers, BOM. A short fixed list: SQLite has no
# character classes, and its parser refuses a deeper nest of REPLACE calls;
# ``rules.is_hidden`` covers all of them, which the Python key skips.
KEY_SKIPS = (
    " \u00ad\u034f\u115f\u180e\u2060\u2062\u2066\u2067\u3164\ufeff"
    + _chars(0x200B, 0x200F)
    + _chars(0x202A, 0x202E)
)


def number_key_field() -> models.GeneratedField:
    """Series and number as one key, upper case, without spaces: "4510
    123456" typed in the number is EMIS's "4510" / "123456". Computed by the
    database, so every writer, bulk ones included, keeps it true."""
    expression = Concat("series", "number")
    for char in KEY_SKIPS:
        expression = Replace(expression, models.Value(char))
    return models.GeneratedField(
        expression=Upper(expression),
        output_field=models.CharField(max_length=400),
        db_persist=True,
    )


def number_key_index() -> models.Index:
    return models.Index(fields=["number_key", "kind"], name="document_duplicate_key")
