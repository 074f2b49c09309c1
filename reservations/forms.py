"""Forms of the reservation pages, and the helpers the guest forms share.

Every editing form renders, next to each field, the value it was shown with
(``show_hidden_initial``), so ``changed_data`` means "what this user changed"
even if the row changed in the database meanwhile (an EMIS update, a
colleague). Saves then write only those fields and never a stale copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from legal_entities.models import LegalEntity

from .countries import NATIONALITY_STATUS_CHOICES, country_choices
from .models import Reservation
from .validators import normalize_phone

EMPTY_CHOICE = [("", "—")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


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


def country_field(label, *, special: bool = False) -> forms.ChoiceField:
    label = capfirst(label)

    def choices():
        extra = list(NATIONALITY_STATUS_CHOICES) if special else []
        return EMPTY_CHOICE + extra + country_choices()

    return forms.ChoiceField(label=label, choices=choices, required=False)


def keep_current_choice(form: forms.ModelForm, names: Iterable[str]) -> None:
    """A stored code outside the list (e.g. an MRZ "D<<") must stay
    selectable, or an untouched select would silently change it."""
    for name in names:
        value = getattr(form.instance, name, "") or ""
        field = form.fields[name]
        if value and value not in {key for key, _label in field.choices}:
            field.choices = [*field.choices, (value, value)]


def clean_phone_value(value: str) -> str:
    return normalize_phone(value) if value else ""


# --- Reservations -------------------------------------------------------------


class _LegalEntityChoiceMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "legal_entity" in self.fields:
            current = self.instance.legal_entity_id
            self.fields["legal_entity"].queryset = LegalEntity.objects.filter(
                Q(is_active=True) | Q(pk=current)
            )


class ReservationRequestForm(
    _LegalEntityChoiceMixin, TrackedChangesMixin, forms.ModelForm
):
    """The Заявка tab."""

    class Meta:
        model = Reservation
        fields = ["status", "legal_entity", *Reservation.REQUEST_FIELDS]
        labels = {"email": "E-Mail"}
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
        labels = {"email": "E-Mail"}
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
