"""pms/form_renderer.py renders inputs, selects and empty error lists in
Python: its output must be exactly what Django's own templates render."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from pms.form_renderer import FIELD_TEMPLATE, FormRenderer
from reservations.guest_forms import (
    DocumentFormSet,
    IdentityDocumentForm,
    PersonForm,
    StayForm,
    VisaForm,
)
from reservations.models import Person


class Sample(forms.Form):
    text = forms.CharField(initial='He said "<b>hi</b>" & left', help_text="help")
    number = forms.IntegerField(initial=5)
    when = forms.DateField(initial=dt.date(2026, 11, 29))
    flag = forms.BooleanField(initial=True, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x'y")
    pick = forms.ChoiceField(
        choices=[("", "—"), ("a", "<A>"), ("Group", [("b", gettext_lazy("Visa"))])],
        initial="b",
    )
    safe = forms.CharField(initial=mark_safe("<i>kept</i>"))
    note = forms.CharField(widget=forms.Textarea, required=True)


def _both(form_class, **kwargs):
    fast = form_class(renderer=FormRenderer(), **kwargs)
    slow = form_class(renderer=DjangoTemplates(), **kwargs)
    return list(zip(fast, slow, strict=True))


@pytest.mark.parametrize("data", [None, {"text": "", "number": "x", "when": "nope"}])
def test_every_widget_and_error_list_renders_as_django_renders_it(data):
    for fast, slow in _both(Sample, data=data):
        assert str(fast) == str(slow)
        assert str(fast.errors) == str(slow.errors)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_class", [PersonForm, StayForm, IdentityDocumentForm, VisaForm]
)
def test_the_guest_page_forms_render_as_with_django_templates(form_class):
    for fast, slow in _both(form_class, prefix="p"):
        assert str(fast) == str(slow)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"p-surname": "", "p-discount": "x"}])
@pytest.mark.parametrize("form_class", [Sample, PersonForm, StayForm])
def test_a_field_group_renders_as_its_template(form_class, data):
    """``{{ field.as_field_group }}``: label (a required mark), widget, help
    text, errors; a checkbox inside its label."""
    form = form_class(renderer=FormRenderer(), prefix="p", data=data)
    for field in form:
        # Stripped, as a renderer strips what a template renders.
        expected = render_to_string(FIELD_TEMPLATE, {"field": field}).strip()
        assert field.as_field_group() == expected


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"documents-TOTAL_FORMS": "x"}])
def test_a_management_form_renders_as_with_django_templates(data):
    fast = DocumentFormSet(data, instance=Person(), prefix="documents")
    slow = DocumentFormSet(data, instance=Person(), prefix="documents")
    fast.management_form.renderer = FormRenderer()
    slow.management_form.renderer = DjangoTemplates()
    assert str(fast.management_form) == str(slow.management_form)
    assert 'name="documents-TOTAL_FORMS"' in str(fast.management_form)


def test_the_project_uses_it(settings):
    assert settings.FORM_RENDERER == "pms.form_renderer.FormRenderer"
