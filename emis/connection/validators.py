"""Credentials EMIS can actually receive, checked on the form, in the API and
again in the service: a value that cannot be sent is a field error, never a
500 on the first call (``emis.client.credential_problem`` is the rule)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from emis.client import credential_problem

MESSAGES = {
    "control": _(
        "Must not contain control characters (line breaks, tabs and the like)."
    ),
    "colon": _(
        "The API login cannot contain “:”: HTTP Basic separates the login "
        "from the password with it."
    ),
}


@sensitive_variables()
def validate_credential(value: str) -> None:
    problem = credential_problem(value)
    if problem:
        raise ValidationError(MESSAGES[problem], code=problem)


def validate_api_login(value: str) -> None:
    problem = credential_problem(value, basic_login=True)
    if problem:
        raise ValidationError(MESSAGES[problem], code=problem)


# The rule as a pattern for the OpenAPI document (pms/openapi.py): no control
# character (Unicode category Cc); an API login no ":". Lone surrogates are
# refused too but left out of the pattern: a surrogate range is a regex
# Schemathesis and other tools cannot use (they drop the whole pattern), and
# JSON carries one only as an escape ("\ud800") that the server refuses.
_SENDABLE = "\\u0000-\\u001f\\u007f-\\u009f"
validate_credential.openapi_pattern = f"[^{_SENDABLE}]*"  # type: ignore[attr-defined]
validate_api_login.openapi_pattern = f"[^:{_SENDABLE}]*"  # type: ignore[attr-defined]


@sensitive_variables()
def credential_errors(values: dict[str, str | None]) -> dict[str, str]:
    """Per-field messages for the given credentials (None: not given)."""
    errors = {}
    for name, value in values.items():
        if not value:
            continue
        problem = credential_problem(value, basic_login=name == "api_login")
        if problem:
            errors[name] = str(MESSAGES[problem])
    return errors
