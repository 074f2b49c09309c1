import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_country_code(value: str) -> None:
    """ISO 3166-1 alpha-3 or an ICAO special code (``countries``)."""
    from .countries import COUNTRY_CODES

    if value and value.upper() not in COUNTRY_CODES:
        raise ValidationError(
            _("Unknown country code “%(value)s”: use ISO 3166-1 alpha-3, e.g. RUS."),
            params={"value": value},
            code="country_code",
        )


def _any_case(code: str) -> str:
    return "".join(f"[{c}{c.lower()}]" if c.isalpha() else re.escape(c) for c in code)


def _country_pattern() -> str:
    from .countries import COUNTRY_CODES

    return "|".join(_any_case(code) for code in sorted(COUNTRY_CODES))


# For the OpenAPI document (pms/openapi.py): the codes, in any letter case.
validate_country_code.openapi_pattern = _country_pattern()  # type: ignore[attr-defined]


def normalize_phone(value: str) -> str:
    """E.164, assuming Russia for numbers without a country code."""
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a valid phone number, e.g. +7 912 345-67-89."), code="phone"
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("Enter a valid phone number, e.g. +7 912 345-67-89."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if value:
        normalize_phone(value)
