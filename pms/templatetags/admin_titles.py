"""Admin page titles that read right in Russian.

Django builds them as "Изменить %s", "Выберите %s для изменения", "Добавить
%s" with the model's verbose name in the nominative ("Изменить политика
имён"); Russian wants another case there, which a verbose name cannot give.
So every admin page (ours and the installed apps') is titled by the name
alone: "Персоны" on a list, "Политика имён: изменение" on a form.
"""

from __future__ import annotations

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_title(context) -> str:
    opts, title = context.get("opts"), context.get("title") or ""
    if opts is None:
        return title
    if "cl" in context:  # a change list
        return capfirst(opts.verbose_name_plural)
    if "adminform" not in context:  # delete, history, custom pages
        return title
    if context.get("add"):
        action = _("adding")
    elif context.get("has_change_permission"):
        action = _("editing")
    else:
        action = _("viewing")
    return f"{capfirst(opts.verbose_name)}: {action}"
