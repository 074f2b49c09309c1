"""What a valid value of the EMIS contract is, and the contract's message when
it is not: the field types the models are built from.

Plain text is checked inside pydantic-core (no Python call per field). Its
failures come back as pydantic's errors, and ``message_of`` turns each into
the message of the first rule the value breaks, in the order below; every
other rule raises its message itself (``contract_error``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, PlainValidator, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from reservations.countries import COUNTRY_CODES

MAX_TEXT = 200
# The contract only says the version is an integer that grows: an EMIS may
# number saves by a millisecond clock (1.7e12). The columns are 64-bit
# (PositiveBigIntegerField); a larger version would fail at the database.
MAX_VERSION = 2**63 - 1
MAX_CURSOR = 500  # SyncState.cursor's width
NAME_PARTS = ("surname", "given_names", "patronymic")
# ISO 3166-1 alpha-3 and the ICAO Doc 9303 codes, from the PMS's one list
# (three letters only: the contract sends "DEU", never the MRZ's "D<<").
COUNTRIES = frozenset(code for code in COUNTRY_CODES if re.fullmatch("[A-Z]{3}", code))
# A person's documents and visas in one payload. The contract sets no limit;
# these are far above any real passport holder's (a frequent traveller's
# valid visas) and keep one payload from making a guest card unusable.
MAX_DOCUMENTS = 20
MAX_VISAS = 50
DOCUMENT_KINDS = frozenset(
    {
        "passport_rf",
        "foreign_passport_rf",
        "national_passport",
        "residence_permit",
        "temporary_residence_permit",
        "birth_certificate",
        "id_card",
        "other",
    }
)
DOCUMENT_SOURCES = frozenset({"rfid", "mrz", "visual", "manual"})
VISA_ENTRIES = frozenset({"single", "double", "multiple"})
SEXES = frozenset({"M", "F"})
WEBHOOK_EVENTS = frozenset({"person.documents_saved"})

UNSTORABLE = "must not contain NUL characters or lone surrogates"
NOT_A_COUNTRY = (
    "must be an ISO 3166-1 alpha-3 code or an ICAO Doc 9303 code (XXA, XXB, XXX, ...)"
)

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID_RE = re.compile(r"[0-9]{1,18}")
_TIMESTAMP_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)
_CONTRACT = "contract"  # the pydantic error type of a message written here


def contract_error(message: str) -> PydanticCustomError:
    return PydanticCustomError(_CONTRACT, message)


def storable(value: str) -> bool:
    """Text a database column can hold: PostgreSQL refuses NUL, and a lone
    surrogate (legal in JSON as "\\ud800") cannot be encoded as UTF-8."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(value: Any) -> str | None:
    """The first text rule ``value`` breaks, or None."""
    if not isinstance(value, str):
        return "must be a string"
    if not storable(value):
        return UNSTORABLE
    if len(value) > MAX_TEXT:
        return f"at most {MAX_TEXT} characters"
    return None


def message_of(error: dict) -> str:
    """The contract's message for one of pydantic's errors."""
    kind, value, loc = error["type"], error["input"], error["loc"]
    if kind == _CONTRACT:
        return error["msg"]
    if kind == "missing" or (value is None and loc and isinstance(loc[-1], str)):
        return "required"  # a field absent or null
    if kind == "model_type":
        return "must be an object"  # a null row of a list or payload too
    if kind == "tuple_type":  # Rows
        return "must be a list"
    # The rest are Text's: string_type, string_unicode, string_too_long and
    # string_pattern_mismatch (NUL).
    return text_problem(value) or "must be a string"


# --- rules beyond plain text -----------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise contract_error("required")
    return value


def _one_of(choices: frozenset[str], message: str = "", *, required: bool = False):
    message = message or "must be one of " + ", ".join(sorted(choices))

    def check(value: str) -> str:
        if value in choices:
            return value
        raise contract_error("required" if required and not value.strip() else message)

    return AfterValidator(check)


def at_most(limit: int):
    """A list of at most ``limit`` rows, with the contract's plain message."""

    def check(rows: tuple) -> tuple:
        if len(rows) > limit:
            raise contract_error(f"at most {limit} items")
        return rows

    return AfterValidator(check)


def _known_kind(value: str | None) -> str:
    # The contract stores a kind it does not know (or none) as "other".
    return value if value in DOCUMENT_KINDS else "other"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise contract_error("must be a date YYYY-MM-DD")


def _timestamp(value: Any) -> dt.datetime:
    if value is None:
        raise contract_error("required")
    parsed = None
    if isinstance(value, str) and _TIMESTAMP_RE.fullmatch(value):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            parsed = None
    if parsed is None or parsed.utcoffset() != dt.timedelta(0):
        raise contract_error("must be an RFC 3339 timestamp in UTC")
    return parsed.astimezone(dt.UTC)


def _digits(value: Any) -> str:
    if value is None:
        raise contract_error("required")
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise contract_error("must be a string of digits")
    return value


def _version(value: Any) -> int:
    if value is None:
        raise contract_error("required")
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_VERSION
    ):
        raise contract_error(f"must be an integer from 0 to {MAX_VERSION}")
    return value


def readable_id(value: Any) -> int | None:
    """An ID as the contract sends it ("160848"), or None if it is not one."""
    return int(value) if isinstance(value, str) and _ID_RE.fullmatch(value) else None


def readable_version(value: Any) -> int | None:
    try:
        return _version(value)
    except PydanticCustomError:
        return None


def _cursor(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise contract_error("must be a non-empty string")
    if len(value) > MAX_CURSOR:
        raise contract_error(f"at most {MAX_CURSOR} characters")
    if not storable(value):
        raise contract_error(UNSTORABLE)
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise contract_error("must be true or false")
    return value


# --- the field types ---------------------------------------------------------------

# Storable text of at most MAX_TEXT characters, all checked in pydantic-core:
# a lone surrogate fails its conversion to UTF-8 there, NUL the pattern.
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=r"^[^\x00]*$")]
RequiredText = Annotated[Text, AfterValidator(_not_blank)]  # not blank either
Kind = Annotated[Text | None, AfterValidator(_known_kind)]
Source = Annotated[Text, _one_of(DOCUMENT_SOURCES)]
Entries = Annotated[Text, _one_of(VISA_ENTRIES)]
Sex = Annotated[Text, _one_of(SEXES, required=True)]
Event = Annotated[Text, _one_of(WEBHOOK_EVENTS, required=True)]
Country = Annotated[Text, _one_of(COUNTRIES, NOT_A_COUNTRY)]
RequiredCountry = Annotated[Text, _one_of(COUNTRIES, NOT_A_COUNTRY, required=True)]
Date = Annotated[dt.date | None, PlainValidator(_date)]
Timestamp = Annotated[dt.datetime, PlainValidator(_timestamp)]
Digits = Annotated[str, PlainValidator(_digits)]
DigitsId = Annotated[int, PlainValidator(lambda value: int(_digits(value)))]
Version = Annotated[int, PlainValidator(_version)]
Cursor = Annotated[str, PlainValidator(_cursor)]
Flag = Annotated[bool, PlainValidator(_flag)]

_Row = TypeVar("_Row")
# A JSON array arrives as a list: taken as the tuple, its rows still strict.
Rows = Annotated[tuple[_Row, ...], Strict(False)]
