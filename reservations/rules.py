"""The rules of a staff write — the guest card, the reservation card and the
REST API alike — in one place, with the limits they use.

They run in the models' ``clean`` (``StaffRules``), which the forms' model
validation and the services' ``full_clean`` both call, so the form and the
API refuse the same values with the same message on the same field. Forms
and serializers only map the errors.

Two deliberate limits on their reach:

- They judge what a staff write *changes*, never a stored value it leaves
  as it is, nor a value EMIS gave for that field: EMIS data is checked by
  its own contract (``emis/payload/``) and written without these rules, so
  a document EMIS delivered, or a row stored before a rule existed, can
  still have its other fields edited, and a conflict can be decided for
  EMIS's value.
- Only staff writes run them: ``full_clean(staff_rules=False)`` skips them
  for the name policy's re-apply, which rewrites names from EMIS data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .history_text import as_text

# Dates: a typo ("0202" for "2022", "2202" for "2022") makes a valid date
# that no guest document, visa or stay has; nobody alive was born before
# 1900, and no document issued today runs past 2100.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# A note is for people to read on the card: longer text is a paste by mistake
# (a whole e-mail thread) that makes the card unusable.
MAX_NOTE_LENGTH = 2000
# Invisible marks that reorder how text is shown (Trojan Source, CVE-2021-42574):
# in a name they make the card and the registration show something else than
# what is stored. Zero-width joiners are not here: Persian and Indic names
# use them between letters.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Zero-width characters with no use in a name, a place or a document's text
# (zero-width space, word joiner, byte order mark): pasted from elsewhere,
# they make equal-looking values differ (search, duplicates, EMIS compares).
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff")
# The joiners that Persian and Indic names need between letters; nothing a
# document's number or series has.
JOINERS = frozenset("\u200c\u200d")
# Hangul fillers are letters (Lo) that draw nothing: a surname of only U+3164
# looks blank on the card and the registration.
HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
# Unicode's default-ignorable code points outside the format characters (Cf),
# which are judged by category: soft hyphen is Cf, these are not (combining
# grapheme joiner, Khmer inherent vowels, Mongolian selectors, the
# noncharacters U+FFF0–U+FFF8, tag-space reserves). Variation selectors
# (U+FE00–U+FE0F, U+E0100–U+E01EF) are not here: they choose how the
# character before them looks (an emoji in a note, a CJK form) and hide none.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE00FF),
    (0xE01F0, 0xE0FFF),
)
# The internal Russian passport: a 4-digit series (region, year of the form)
# and a 6-digit number, stored apart as EMIS sends them ("4510", "123456").
RF_PASSPORT_SERIES = re.compile(r"[0-9]{4}")
RF_PASSPORT_NUMBER = re.compile(r"[0-9]{6}")
RF_PASSPORT_WHOLE = re.compile(r"[0-9]{10}")  # both typed into "number"

DATE_RANGE_ERROR = _("Enter a date in the years %(min)s–%(max)s.")
BIRTH_DATE_ERROR = _("Enter a birth date from %(min)s to today.")
NO_LETTER_ERROR = _("Enter at least one letter.")
INVISIBLE_ERROR = _("Holds only invisible characters.")
BIDI_ERROR = _("Holds an invisible text-direction character (%(code)s): remove it.")
ZERO_WIDTH_ERROR = _("Holds an invisible zero-width character (%(code)s): remove it.")
HIDDEN_ERROR = _("Holds an invisible character (%(code)s): remove it.")
NOTE_LENGTH_ERROR = _(
    "A note is at most %(limit)s characters (this one has %(length)s)."
)
RF_SERIES_ERROR = _("The series of a Russian passport is 4 digits, e.g. 4510.")
RF_NUMBER_ERROR = _(
    "The number of a Russian passport is 6 digits, e.g. 123456 "
    "(or series and number together: 4510 123456)."
)
# An end before its start: the field named is the end.
ARRIVAL_ORDER_ERROR = _("Departure cannot be before arrival.")
REGISTRATION_ORDER_ERROR = _("The end of registration is before its start.")
EXPIRY_ORDER_ERROR = _("Expiry date must not be before the issue date.")
VISA_ORDER_ERROR = _("“Valid to” must not be before “valid from”.")
CARD_ORDER_ERROR = _("“Valid to” must not be before the entry date.")

Rule = Callable[[Any], None]


class Order(NamedTuple):
    """Two dates of one row that must not run backwards: ``end`` is not
    before ``start``. Staff writes check it (``StaffRules``, the message on
    ``end``); where the database must refuse it too, its check constraint is
    built from the same rule, so the two cannot drift apart."""

    start: str
    end: str
    message: Any

    def constraint(self, name: str) -> models.CheckConstraint:
        # A NULL on either side passes, as the staff rule skips an empty one.
        ends_after = models.Q(**{f"{self.end}__gte": models.F(self.start)})
        return models.CheckConstraint(condition=ends_after, name=name)


ARRIVAL_ORDER = Order("arrival", "departure", ARRIVAL_ORDER_ERROR)
REGISTRATION_ORDER = Order(
    "registration_from", "registration_to", REGISTRATION_ORDER_ERROR
)
# A document's, visa's or migration card's identifying text.
CODE_FIELDS = frozenset({"number", "series"})


# --- rules on one value ------------------------------------------------------


def check_date(value: dt.date | None) -> None:
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        params = {"min": MIN_DATE.year, "max": MAX_DATE.year}
        raise ValidationError(DATE_RANGE_ERROR, code="date_range", params=params)


def check_birth_date(value: dt.date | None) -> None:
    if value is not None and not MIN_DATE <= value <= timezone.localdate():
        params = {"min": MIN_DATE.year}
        raise ValidationError(BIRTH_DATE_ERROR, code="birth_date", params=params)


def _refuse_any(value: str, chars: frozenset[str], message, code: str) -> None:
    found = next((char for char in value if char in chars), None)
    if found is not None:
        params = {"code": f"U+{ord(found):04X}"}
        raise ValidationError(message, code=code, params=params)


def is_hidden(char: str) -> bool:
    """An invisible character that hides in text: a format character (Cf:
    soft hyphen, bidi controls, zero-width ones, invisible operators, tags),
    a default-ignorable code point or a Hangul filler. ZWNJ/ZWJ are hidden
    too: free text lets them through itself (``check_text``)."""
    if unicodedata.category(char) == "Cf" or char in HANGUL_FILLERS:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def _refuse_hidden(value: str, allowed: frozenset[str] = frozenset()) -> None:
    found = next((c for c in value if c not in allowed and is_hidden(c)), None)
    if found is not None:
        params = {"code": f"U+{ord(found):04X}"}
        raise ValidationError(HIDDEN_ERROR, code="hidden", params=params)


def check_text(value: str) -> None:
    """Every free text of a staff write (names, birth place, address, a
    document's issuer, a company's name, …): no bidi control, not only
    invisible characters, no other invisible character but the joiners of
    Persian and Indic words. Blank is the field's business."""
    if not value:
        return
    _refuse_any(value, BIDI_CONTROLS, BIDI_ERROR, "bidi")
    if all(unicodedata.category(c)[0] in "ZC" or is_hidden(c) for c in value):
        # Spaces, zero-width and other format characters: looks empty.
        raise ValidationError(INVISIBLE_ERROR, code="invisible")
    _refuse_any(value, ZERO_WIDTH, ZERO_WIDTH_ERROR, "zero_width")
    _refuse_hidden(value, allowed=JOINERS)


def check_code(value: str) -> None:
    """A document's, visa's or migration card's number or series: free text
    (``check_text``) without even the joiners — "C01X\u200dT47" would be
    another document to the duplicate check than "C01XT47". What characters
    a number may hold beyond that is left open: EMIS sends what the
    document prints."""
    check_text(value)
    if value:
        _refuse_hidden(value)


def check_name(value: str) -> None:
    """Free text (``check_text``) with at least one visible letter."""
    check_text(value)
    if value and not any(
        unicodedata.category(char).startswith("L") and not is_hidden(char)
        for char in value
    ):
        raise ValidationError(NO_LETTER_ERROR, code="no_letter")


def check_note(value: str) -> None:
    if value and len(value) > MAX_NOTE_LENGTH:
        params = {"limit": MAX_NOTE_LENGTH, "length": len(value)}
        raise ValidationError(NOTE_LENGTH_ERROR, code="note_length", params=params)


def check_legal_entity_active(entity: Any) -> None:
    """A reservation is given, or moved to, an active legal entity only (one
    switched off no longer takes guests: EMIS refuses them)."""
    if not entity.is_active:
        raise ValidationError(
            _("This legal entity is inactive."), code="legal_entity_inactive"
        )


# --- rules on a record ---------------------------------------------------------


def rf_passport(series: str, number: str) -> tuple[str, str]:
    """``(series, number)`` of an internal Russian passport in the stored
    form ("4510", "123456"), from what staff type: "45 10" / "123456", or
    the whole "4510 123456" / "4510123456" in the number (series empty).
    A ValidationError names the part that is wrong."""
    series, number = "".join(series.split()), "".join(number.split())
    if not series and RF_PASSPORT_WHOLE.fullmatch(number):
        series, number = number[:4], number[4:]
    errors = {}
    if not RF_PASSPORT_SERIES.fullmatch(series):
        errors["series"] = ValidationError(RF_SERIES_ERROR, code="rf_series")
    if not RF_PASSPORT_NUMBER.fullmatch(number):
        errors["number"] = ValidationError(RF_NUMBER_ERROR, code="rf_number")
    if errors:
        raise ValidationError(errors)
    return series, number


def _is_plain_date(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and not isinstance(
        field, models.DateTimeField
    )


def _default_rules(field: models.Field) -> tuple[Rule, ...]:
    """The rules of a field that declares none: every editable date
    ``check_date``, a record's number and series ``check_code``, every other
    free text (not a choice) ``check_text``."""
    if not field.editable:
        return ()
    if field.name in CODE_FIELDS:
        return (check_code,)
    if _is_plain_date(field):
        return (check_date,)
    if isinstance(field, models.CharField | models.TextField) and not field.choices:
        return (check_text,)
    return ()


class StaffRules(models.Model):
    """A model whose staff writes follow the rules above. A model declares
    which rules its fields follow; a field that declares none follows
    ``_default_rules`` (dates ``check_date``, free text ``check_text``)."""

    field_rules: ClassVar[Mapping[str, Sequence[Rule]]] = {}
    # (start, end, message): the end is not before the start.
    order_rules: ClassVar[Sequence[Order]] = ()
    # What the database holds, to tell what a write changes: the row as read
    # (its column names and values, kept as they came: most objects read are
    # never written, and a dict built for each was ~5% of a Гости tab), then
    # what saves and refreshes wrote or read (``_stored``).
    _row: tuple[Sequence[str], Sequence[Any]] | None = None
    _stored_values: dict[str, Any] | None = None
    _staff_rules = True

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs) -> None:
        super().save(*args, update_fields=update_fields, **kwargs)
        self._remember_stored(update_fields)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._row = (field_names, values)
        return instance

    @property
    def _stored(self) -> dict[str, Any] | None:
        """The stored values by attribute name; None for a new object."""
        if self._stored_values is None and self._row is not None:
            self._stored_values = dict(zip(*self._row, strict=True))
        return self._stored_values

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using, fields, from_queryset)
        self._remember_stored(fields)

    def _remember_stored(self, names) -> None:
        """The values just saved or read are what the database holds."""
        names = set(names) if names is not None else None
        deferred = self.get_deferred_fields()
        self._stored_values = {
            **(self._stored or {}),
            **{
                f.attname: getattr(self, f.attname)
                for f in self._meta.concrete_fields
                if f.attname not in deferred
                and (names is None or f.name in names or f.attname in names)
            },
        }

    def full_clean(self, *args, staff_rules: bool = True, **kwargs) -> None:
        self._staff_rules = staff_rules
        try:
            super().full_clean(*args, **kwargs)
        finally:
            self._staff_rules = True

    def clean(self) -> None:
        super().clean()
        if not self._staff_rules:
            return
        errors: dict[str, list[ValidationError]] = {}
        for name, value_rules in self._value_rules():
            for rule in value_rules:
                _collect(errors, name, rule, getattr(self, name))
        for start, end, message in self.order_rules:
            first, last = getattr(self, start), getattr(self, end)
            changed = self.writes(start) or self.writes(end)
            if changed and first and last and last < first and end not in errors:
                errors[end] = [ValidationError(message, code="order")]
        try:
            self.clean_record()
        except ValidationError as exc:
            exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean_record(self) -> None:
        """Rules over several fields of a changed record, which may normalise
        them; raise a ValidationError keyed by field."""

    def writes(self, name: str) -> bool:
        """Whether this write gives field ``name`` a value of staff's own:
        one other than the stored value (always, for a record not read from
        the database) and other than what EMIS last gave for the field —
        taking EMIS's value back (a conflict decided for EMIS) is EMIS data,
        which its contract checks."""
        attname = self._meta.get_field(name).attname
        value = getattr(self, attname)
        if self._is_emis_value(name, value):
            return False
        stored = self._stored
        if stored is None or attname not in stored:
            return True
        return stored[attname] != value

    def _is_emis_value(self, name: str, value: Any) -> bool:
        # ``emis_values`` holds each field as the history's text.
        emis = getattr(self, "emis_values", None)
        return isinstance(emis, dict) and name in emis and emis[name] == as_text(value)

    def _value_rules(self):
        for field in self._meta.concrete_fields:
            value_rules = self.field_rules.get(field.name)
            if value_rules is None:
                value_rules = _default_rules(field)
            if value_rules and self.writes(field.name):
                yield field.name, value_rules


def _collect(errors: dict, name: str, rule: Rule, value: Any) -> None:
    try:
        rule(value)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.error_list)
