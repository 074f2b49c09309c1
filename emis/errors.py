"""Classified EMIS failures. Every library exception becomes one of these at
the HTTP boundary (emis/client.py); views and tasks show ``message`` and
decide on retries by ``permanent``, never by parsing text."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emis.payload.fields import fields_text, parse_fields_text

# code -> plain message shown to staff. Permanent failures need a person to
# act (fix the credentials, the data, the setup); sending again cannot help.
_PERMANENT = {
    "api_auth_failed": _("EMIS refused the API credentials (API login or password)."),
    "web_auth_failed": _("EMIS refused the web credentials (web login or password)."),
    "person_not_found": _("EMIS has no data for this guest."),
    "bad_response": _("EMIS answered with data that breaks the contract."),
    "emis_bad_answer": _(
        "EMIS named an upload page outside the configured EMIS address; "
        "it was not opened."
    ),
    "bad_request": _("EMIS rejected the request."),
    "not_configured": _("The EMIS integration is not set up or not active."),
    "secrets_unreadable": _(
        "The stored EMIS passwords cannot be decrypted: the encryption key "
        "is missing or wrong. Ask an administrator."
    ),
}
# Temporary failures may pass on their own: a later attempt can succeed.
_TEMPORARY = {
    # No promise of a retry here: a pull or a sync retries on its own (and
    # says so), a click on the upload link does not (``upload.clerk_message``).
    "rate_limited": _("EMIS asks to slow down: too many requests right now."),
    "timeout": _("EMIS did not answer in time."),
    "unreachable": _("EMIS address is unreachable."),
    "server_error": _("EMIS had an internal error."),
    # 502, 503, 504: EMIS (or the gateway before it) says "not now" — down
    # for maintenance or overloaded — not that it broke on this request.
    "unavailable": _("EMIS is temporarily unavailable; try again in a few minutes."),
}
_MESSAGES = {**_PERMANENT, **_TEMPORARY}
# EMIS answered the question, and the answer is "nothing there": the clerk's
# information (upload the documents first), not a failure of the
# integration. The call log records it as a successful call with its code, so
# Стыковки does not show it as the last error.
_ANSWERS = frozenset({"person_not_found"})


class EmisError(Exception):
    # Set by the client for one attempt: whether sending it again is safe
    # and useful (never for a permanent error or a POST that may have landed).
    retryable: bool = False

    def __init__(
        self,
        code: str,
        *,
        http_status: int | None = None,
        retry_after: float | None = None,
        detail: str = "",
    ):
        if code not in _MESSAGES:
            raise ValueError(f"unknown EMIS error code {code!r}")
        self.code = code
        self.http_status = http_status
        self.retry_after = retry_after
        # Technical detail for logs only; never shown and never holds secrets.
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)

    @property
    def permanent(self) -> bool:
        return self.code in _PERMANENT

    @property
    def is_answer(self) -> bool:
        return self.code in _ANSWERS

    @property
    def message(self) -> str:
        return str(_MESSAGES[self.code])

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def bad_response_message(stored: str) -> str:
    """``bad_response``'s message in the reader's language, followed by the
    bad fields when ``stored`` names them (as ``PayloadError.describe()``
    does; a pull job and a sync store that text): "… contract. Bad fields:
    person.sex — must be one of F, M"."""
    message = EmisError("bad_response").message
    fields = parse_fields_text(stored)
    if not fields:
        return message
    return gettext("%(message)s Bad fields: %(fields)s") % {
        "message": message,
        "fields": fields_text(fields, translate=True),
    }
