"""Validation of Russian taxpayer (INN), state registration (OGRN/OGRNIP) and
tax registration reason (KPP) codes; check digits come from python-stdnum."""

import re

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


def validate_inn(value: str) -> None:
    if not value.isdigit() or len(value) not in (10, 12):
        raise ValidationError(
            _("INN must be 10 digits (organisation) or 12 digits (individual)."),
            code="inn_length",
        )
    if not inn_is_valid(value):
        raise ValidationError(
            _("INN check digit does not match: please check the number."),
            code="inn_checksum",
        )


def validate_ogrn(value: str) -> None:
    if not value.isdigit() or len(value) not in (13, 15):
        raise ValidationError(
            _("OGRN must be 13 digits (OGRN) or 15 digits (OGRNIP)."),
            code="ogrn_length",
        )
    if not ogrn_is_valid(value):
        raise ValidationError(
            _("OGRN check digit does not match: please check the number."),
            code="ogrn_checksum",
        )


def validate_kpp(value: str) -> None:
    if not _KPP.fullmatch(value):
        raise ValidationError(_("KPP must be 9 characters."), code="kpp_format")
