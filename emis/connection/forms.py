"""The EMIS connection form. Secrets are never rendered back: the page shows
whether each is set; an empty field keeps the stored value (but not for a
changed address: see ``services.retype_errors``)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from integrations.secrets import SecretState

from .services import ACTIVE_LABEL, activation_errors, retype_errors
from .validators import validate_api_login, validate_credential

_SECRET_WIDGET_ATTRS = {"autocomplete": "new-password"}
_SECRET_FIELDS = ("web_password", "api_password")
MSG_TYPE_AGAIN = _(
    "Not saved, so the password typed in “%(field)s” was not kept (a password "
    "is never shown back): type it again."
)
MSG_TYPE_BOTH_AGAIN = _(
    "Not saved, so the passwords typed were not kept (a password is never "
    "shown back): type them again."
)


def _secret_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=500,
        validators=[validate_credential],
        widget=forms.PasswordInput(render_value=False, attrs=_SECRET_WIDGET_ATTRS),
    )


def _login_field(label: str, validator: Callable[[str], None]) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=200, validators=[validator]
    )


class EmisConnectionForm(forms.Form):
    base_url = forms.URLField(
        label=_("EMIS address"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("For example https://emis.example.ru"),
    )
    web_login = _login_field(_("Web login"), validate_credential)
    web_password = _secret_field(_("Web password"))
    clear_web_password = forms.BooleanField(label=_("Clear"), required=False)
    api_login = _login_field(_("API login"), validate_api_login)
    api_password = _secret_field(_("API password"))
    clear_api_password = forms.BooleanField(label=_("Clear"), required=False)
    # Messages quote this label (``services.ACTIVE_LABEL``).
    is_active = forms.BooleanField(label=ACTIVE_LABEL, required=False)

    def __init__(
        self, *args, secret_states: dict[str, str], testing: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.secret_states = secret_states
        # A test checks each value alone; the rules of a save do not apply.
        self.testing = testing

    @sensitive_variables()
    def secret_updates(self) -> dict[str, str | None]:
        """None keeps the stored secret, "" clears it, else the new value."""
        updates: dict[str, str | None] = {}
        for name in _SECRET_FIELDS:
            new = self.cleaned_data.get(name) or ""
            if new:
                updates[name] = new
            elif self.cleaned_data.get(f"clear_{name}"):
                updates[name] = ""
            else:
                updates[name] = None
        return updates

    @sensitive_variables()
    def clean(self):
        cleaned = super().clean()
        if self.testing:
            return cleaned
        values: dict[str, str] = {
            name: cleaned.get(name) or ""
            for name in ("base_url", "web_login", "api_login")
        }
        for name, new in self.secret_updates().items():
            values[name] = (
                self.secret_states.get(name, SecretState.UNSET) if new is None else new
            )
        errors = activation_errors(
            is_active=bool(cleaned.get("is_active")), values=values
        )
        # A value refused as typed ("not a url") is there, not missing: its
        # own error says what is wrong with it.
        missing = {k: v for k, v in errors.items() if k not in self.errors}
        for name, message in missing.items():
            self.add_error(name, message)
        if missing:
            self.add_error(
                None,
                _("The integration cannot be activated until all five values are set."),
            )
        if "base_url" not in self.errors:
            self._require_retyped(cleaned.get("base_url") or "")
        return cleaned

    @sensitive_variables()
    def _require_retyped(self, base_url: str) -> None:
        """A changed address needs both passwords typed (or cleared) again."""
        given = self.secret_updates()
        for name, message in retype_errors(base_url=base_url, given=given).items():
            if name not in self.errors:
                self.add_error(name, message)

    @sensitive_variables()
    def ask_to_retype_secrets(self) -> None:
        """The form was refused: the passwords typed on it are gone (never
        rendered back). Said once, above the form, whatever else is wrong."""
        typed = [name for name in _SECRET_FIELDS if self.data.get(name)]
        if len(typed) == len(_SECRET_FIELDS):
            self.add_error(None, MSG_TYPE_BOTH_AGAIN)
        elif typed:
            label = self.fields[typed[0]].label
            self.add_error(None, MSG_TYPE_AGAIN % {"field": label})
