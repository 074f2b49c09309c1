"""What the arrivals board (a reservations page) needs of EMIS: whether
"Получить данные всех гостей" can be offered. Reservations imports nothing
of emis; its templates ask through tags like this one."""

from __future__ import annotations

from django import template

from emis.upload import integration_active

register = template.Library()


@register.simple_tag
def emis_pull_available() -> bool:
    """One query: the EMIS connection is switched on."""
    return integration_active()
