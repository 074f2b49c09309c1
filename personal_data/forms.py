"""The access log page's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reservations.forms import DateInput

from .access_log import AccessFilter


class AccessFilterForm(forms.Form):
    person = forms.IntegerField(
        label=_("Person ID"), required=False, min_value=1, max_value=2**63 - 1
    )
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("Period from"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(label=_("Period to"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data

    def wanted(self) -> AccessFilter | None:
        """The filters as given; None for an invalid form, which selects no
        row (its errors are shown next to the fields): the whole log under a
        filter the reader believes narrows it would mislead an audit."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        return AccessFilter(
            person_id=data.get("person"),
            username=(data.get("user") or "").strip() or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
