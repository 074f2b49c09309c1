"""Validation of Russian taxpayer (INN), state registration (OGRN/OGRNIP) and
tax registration reason (KPP) codes; check digits come from python-stdnum."""

import re
from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ru import inn, ogrn

# Tax office code, reason code (digits or Latin capitals), sequence number.
_KPP = re.compile(r"\d{4}[\dA-Z]{2}\d{3}", re.ASCII)


def inn_is_valid(value: str) -> bool:
    return value.isdigit() and inn.is_valid(value)


def ogrn_is_valid(value: str) -> bool:
    # Not ogrn.is_valid: stdnum 2.2 compares the whole remainder mod 13 for a
    # 15-digit OGRNIP and so rejects valid numbers whose remainder is 10-12;
    # the Federal Tax Service takes its lowest digit, as [-1] does here.
    if not value.isdigit() or len(value) not in (13, 15):
        return False
    return ogrn.calc_check_digit(value)[-1] == value[-1]


class _NumberRule(NamedTuple):
    """A register number: digits of one of ``lengths``, then a check digit;
    each failure has its own message and error code."""

    code: str
    lengths: tuple[int, ...]
    is_valid: Callable[[str], bool]
    wrong_length: str
    wrong_check_digit: str

    def check(self, value: str) -> None:
        if not value.isdigit() or len(value) not in self.lengths:
            raise ValidationError(self.wrong_length, code=f"{self.code}_length")
        if not self.is_valid(value):
            raise ValidationError(self.wrong_check_digit, code=f"{self.code}_checksum")


_INN = _NumberRule(
    "inn",
    (10, 12),
    inn_is_valid,
    _("INN must be 10 digits (organisation) or 12 digits (individual)."),
    _("INN check digit does not match: please check the number."),
)
_OGRN = _NumberRule(
    "ogrn",
    (13, 15),
    ogrn_is_valid,
    _("OGRN must be 13 digits (OGRN) or 15 digits (OGRNIP)."),
    _("OGRN check digit does not match: please check the number."),
)


def validate_inn(value: str) -> None:
    _INN.check(value)


def validate_ogrn(value: str) -> None:
    _OGRN.check(value)


def validate_kpp(value: str) -> None:
    if not _KPP.fullmatch(value):
        raise ValidationError(_("KPP must be 9 characters."), code="kpp_format")


# The part of each rule a pattern can state (pms/openapi.py puts it in the
# OpenAPI document); the check digits stay with the functions.
validate_inn.openapi_pattern = "[0-9]{10}|[0-9]{12}"  # type: ignore[attr-defined]
validate_ogrn.openapi_pattern = "[0-9]{13}|[0-9]{15}"  # type: ignore[attr-defined]
_KPP_PATTERN = "[0-9]{4}[0-9A-Z]{2}[0-9]{3}"
validate_kpp.openapi_pattern = _KPP_PATTERN  # type: ignore[attr-defined]
