"""``{% country_datalist %}``: the one list of countries a page's country
inputs type ahead over (``reservations.forms.CountryInput``)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..countries import country_datalist as _datalist

register = template.Library()


@register.simple_tag
def country_datalist() -> SafeString:
    # Built from pycountry's names with every label and code escaped
    # (reservations.countries._datalist), once per language.
    return mark_safe(_datalist())  # noqa: S308
