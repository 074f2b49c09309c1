"""Django's form renderer, with its commonest templates done in Python.

A guest page renders ~200 widgets (every field twice: the input and its
shown value, ``reservations.forms.TrackedChangesMixin``) and ~100 empty
error lists; through templates each cost 30–60 µs, a third of the page
(``docs/benchmarks.md``). The plain ``<input>`` widgets and the empty error
list, and selects, are produced here with exactly the templates' output (escaping
included; ``tests/pms/test_form_renderer.py`` compares them); so is the
project's field group (``includes/field.html``: label, widget, help text,
errors; 20 on a guest page), and a form of hidden fields only (a
formset's management form). Every other template — and every template a
project overrides — renders as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise

_W = "django/forms/widgets/"
# The widgets whose template is only {% include "…/input.html" %}.
_INPUTS = frozenset(
    f"{_W}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "tel",
        "search",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
_ERROR_LISTS = frozenset(
    {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}
)


def escape_value(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape: Django's
    conditional_escape() without its lazy-string wrapper (half its time)."""
    if type(value) is str:
        return escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def render_attrs(attrs: Mapping[str, Any]) -> str:
    """What ``django/forms/widgets/attrs.html`` renders."""
    return "".join(
        f" {escape_value(name)}"
        if value is True
        else f' {escape_value(name)}="{escape_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(context: Mapping[str, Any]) -> str:
    """What ``django/forms/widgets/input.html`` renders."""
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{escape_value(value)}"'
    return (
        f'<input type="{escape_value(widget["type"])}" name="{escape_value(widget["name"])}"{shown}'
        f"{render_attrs(widget['attrs'])}>"
    )


_OPTION = f"{_W}select_option.html"
_DIV_FORM = "django/forms/div.html"


def render_select(context: Mapping[str, Any]) -> str | None:
    """What ``django/forms/widgets/select.html`` renders, or None when an
    option has a template of its own."""
    widget = context["widget"]
    parts = [
        f'<select name="{escape_value(widget["name"])}"{render_attrs(widget["attrs"])}>'
    ]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_value(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{escape_value(option["value"])}"'
                f"{render_attrs(option['attrs'])}>{escape_value(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


# A field with its label, help text and errors, as a page's grid shows it:
# ``{{ form.name.as_field_group }}`` renders it (``field_template_name``).
FIELD_TEMPLATE = "includes/field.html"


def render_field(field) -> str:
    """What ``includes/field.html`` renders for the bound ``field``."""
    required = field.field.required
    classes = (" has-error" if field.errors else "") + (" required" if required else "")
    label = escape_value(field.label)
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        shown = f'\n  <label class="check">{escape_value(field)} {label}</label>\n  '
    else:
        mark = ' <span class="req" aria-hidden="true">*</span>' if required else ""
        shown = (
            f'\n  <label for="{escape_value(field.id_for_label)}">{label}{mark}</label>'
            f"\n  {escape_value(field)}\n  "
        )
    help_text = ""
    if field.help_text:
        help_text = f'<small class="muted help">{escape_value(field.help_text)}</small>'
    # Stripped, as a renderer strips what a template renders.
    return (
        f'<div class="field{classes}">\n  {shown}\n  {help_text}\n  '
        f"{escape_value(field.errors)}\n</div>"
    )


class FormRenderer(DjangoTemplates):
    field_template_name = FIELD_TEMPLATE

    def render(self, template_name: str, context: dict, request=None) -> str:
        if template_name == FIELD_TEMPLATE:
            return render_field(context["field"])
        if template_name in _INPUTS:
            return render_input(context)
        if template_name == f"{_W}select.html":
            html = render_select(context)
            if html is not None:
                return html
        if (
            template_name == _DIV_FORM
            and not context.get("fields")
            and not context.get("errors")
        ):
            # A form of hidden fields only (a formset's management form).
            return "".join(str(field) for field in context["hidden_fields"])
        if template_name in _ERROR_LISTS and not context.get("errors"):
            return ""  # the template renders nothing for no errors
        return super().render(template_name, context, request)
