"""Forms of the reservation pages, and the helpers the guest forms share.

Every editing form renders, next to each field, the value it was shown with
(``show_hidden_initial``), so ``changed_data`` means "what this user changed"
even if the row changed in the database meanwhile (an EMIS update, a
colleague). Saves then write only those fields and never a stale copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from legal_entities.models import LegalEntity
from pms.form_renderer import render_input

from .countries import (
    ALPHA3,
    DATALIST_ID,
    NATIONALITY_STATUS_CHOICES,
    code_for_text,
    country_name,
)
from .models import Reservation
from .validators import normalize_phone

# The parts of a date format as the placeholder spells them: "дд.мм.гггг".
_PLACEHOLDER_PARTS = {"%d": _("dd"), "%m": _("mm"), "%Y": _("yyyy"), "%y": _("yy")}
_PATTERN_PARTS = {
    "%d": "[0-9]{1,2}",
    "%m": "[0-9]{1,2}",
    "%Y": "[0-9]{4}",
    "%y": "[0-9]{2}",
}


class DateInput(forms.DateInput):
    """A date typed as the page's language writes it — дд.мм.гггг in
    Russian, the English locale's mm/dd/yyyy in English — rather than
    ``<input type=date>``, which follows the browser's locale whatever the
    page's. Shown in the language's first ``DATE_INPUT_FORMATS``
    (``pms/formats/``); parsed by any of them, ISO included."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "class": "date"}
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        placeholder, pattern = _date_hints(get_language())
        context["widget"]["attrs"].setdefault("placeholder", placeholder)
        # A hint for the browser's own check (the forms are novalidate): any
        # of the language's numeric formats, ISO included.
        context["widget"]["attrs"].setdefault("pattern", pattern)
        return context


@cache
def _date_hints(language: str | None) -> tuple[str, str]:
    """(placeholder, pattern) of a date input in ``language``: constants of
    the language's formats, built once (~40 date inputs on a guest page)."""
    input_formats = formats.get_format("DATE_INPUT_FORMATS", language)
    placeholder = _format_text(input_formats[0], _PLACEHOLDER_PARTS)
    numeric = [
        f for f in input_formats if not set(re.findall(r"%.", f)) - set(_PATTERN_PARTS)
    ]
    pattern = "|".join(
        _format_text(f.replace(".", r"\."), _PATTERN_PARTS) for f in numeric
    )
    return placeholder, pattern


def _format_text(fmt: str, parts: dict) -> str:
    for directive, text in parts.items():
        fmt = fmt.replace(directive, str(text))
    return fmt


class CountryInput(forms.TextInput):
    """A country typed ahead over the page's one ``<datalist>`` (the
    ``country_datalist`` tag), the code as the value, and the code's name
    beside it, fetched again by htmx when the code changes
    (``countries_views.country_name_view``)."""

    def __init__(self, attrs=None):
        defaults = {
            "list": DATALIST_ID,
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "country",
        }
        super().__init__({**defaults, **(attrs or {})})

    def _render(self, template_name, context, renderer=None):
        # As reservations/widgets/country.html says, without a template
        # per field (16 on a guest page: pms/form_renderer.py says why).
        name = escape(context["widget"]["country_name"])
        return mark_safe(  # noqa: S308 (the input is rendered escaped; the name is escaped)
            f'{render_input(context)}<small class="country-name muted" '
            f'aria-live="polite">{name}</small>'
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["country_name"] = country_name(value) if value else ""
        context["widget"]["attrs"].update(
            {
                "hx-get": _country_name_url(),
                "hx-trigger": "change",
                "hx-target": "next .country-name",
                "hx-sync": "this:replace",
            }
        )
        return context


@cache
def _country_name_url() -> str:
    return reverse("reservations:country_name")


class CountryField(forms.CharField):
    """An ISO 3166 alpha-3 code, typed or picked by name (``code_for_text``);
    ``special`` adds the nationality statuses (stateless, refugee...). A code
    the row already holds stays valid (an MRZ "D<<"), or an untouched field
    could not be saved."""

    widget = CountryInput

    def __init__(self, *, special: bool = False, **kwargs):
        extra = (
            {code for code, _label in NATIONALITY_STATUS_CHOICES} if special else set()
        )
        self.codes = ALPHA3 | extra
        self.kept: set[str] = set()
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        code = code_for_text(text, self.codes | self.kept)
        if code is None:
            raise ValidationError(
                _(
                    "Unknown country “%(text)s”: pick one from the list or type "
                    "its three-letter code."
                ),
                code="unknown_country",
                params={"text": text},
            )
        return code


class TrackedChangesMixin:
    """Render each field's shown value in a hidden input (see module doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True

    def changed_values(self) -> dict[str, Any]:
        declared = set(self._meta.fields or self.fields)
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in declared
        }

    def changed_elsewhere(self) -> list[str]:
        """Fields stored differently now than when this form was rendered:
        someone else (EMIS, a colleague) saved them meanwhile. The browser
        sends back the shown value (the hidden initial); the instance is the
        row as read now."""
        names = []
        for name, field in self.fields.items():
            shown = self._widget_data_value(
                field.hidden_widget(), self.add_initial_prefix(name)
            )
            stored = self.get_initial_for_field(field, name)
            if shown is not None and field.has_changed(stored, shown):
                names.append(name)
        return names

    def stored_as_data(self, name: str) -> str | None:
        """The stored value of ``name`` as the browser would post it (None:
        an unchecked checkbox, which posts nothing)."""
        field = self.fields[name]
        value = field.prepare_value(self.get_initial_for_field(field, name))
        if isinstance(field.widget, forms.CheckboxInput):
            return "on" if value else None
        shown = field.widget.format_value(value)
        if isinstance(shown, list):  # a select's list of selected values
            shown = shown[0] if shown else ""
        return "" if shown is None else str(shown)


def country_field(label, *, special: bool = False) -> CountryField:
    return CountryField(label=capfirst(label), special=special)


def keep_current_code(form: forms.ModelForm, names: Iterable[str]) -> None:
    """A stored code outside the list (e.g. an MRZ "D<<") stays valid."""
    for name in names:
        value = getattr(form.instance, name, "") or ""
        if value:
            form.fields[name].kept = {value.upper()}


def clean_phone_value(value: str) -> str:
    return normalize_phone(value) if value else ""


# --- Reservations -------------------------------------------------------------


class _LegalEntityChoiceMixin:
    """The select offers the active legal entities and the stored one; any
    other is still parsed, so that an inactive one is refused by the model's
    rule (``rules.check_legal_entity_active``) with the API's message rather
    than as "not one of the choices"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("legal_entity")
        if field is not None:
            offered = LegalEntity.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.legal_entity_id)
            )
            choices = field.iterator(field)
            choices.queryset = offered
            field.widget.choices = choices


class ReservationRequestForm(
    _LegalEntityChoiceMixin, TrackedChangesMixin, forms.ModelForm
):
    """The Заявка tab."""

    class Meta:
        model = Reservation
        fields = ["status", "legal_entity", *Reservation.REQUEST_FIELDS]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class ReservationBookingForm(
    _LegalEntityChoiceMixin, TrackedChangesMixin, forms.ModelForm
):
    """The Бронирование tab."""

    class Meta:
        model = Reservation
        fields = ["arrival", "departure", "legal_entity"]
        widgets = {"arrival": DateInput(), "departure": DateInput()}


class ReservationCreateForm(_LegalEntityChoiceMixin, forms.ModelForm):
    class Meta:
        model = Reservation
        fields = ReservationBookingForm.Meta.fields + [
            f for f in ReservationRequestForm.Meta.fields if f != "legal_entity"
        ]
        widgets = {
            "arrival": DateInput(),
            "departure": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class ReservationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=capfirst(_("status")),
        required=False,
        choices=[("", _("All statuses")), *Reservation.Status.choices],
    )
    surname = forms.CharField(label=_("Guest surname"), required=False, max_length=100)
