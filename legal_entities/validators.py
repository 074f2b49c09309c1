"""Check-digit validation of Russian taxpayer (INN) and state registration
(OGRN/OGRNIP) numbers, per the Federal Tax Service algorithms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_A = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_B = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    if not value.isdigit():
        return False
    if len(value) == 10:
        return _check(value, _INN10) == int(value[9])
    if len(value) == 12:
        return _check(value, _INN12_A) == int(value[10]) and _check(
            value, _INN12_B
        ) == int(value[11])
    return False


def ogrn_is_valid(value: str) -> bool:
    if not value.isdigit():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


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
    if not (len(value) == 9 and value[:4].isdigit() and value[6:].isdigit()):
        raise ValidationError(_("KPP must be 9 characters."), code="kpp_format")
