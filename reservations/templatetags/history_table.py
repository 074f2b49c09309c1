"""``{% history_cells row %}``: the cells of one change history row
(``reservations.guest_views.HistoryRow``), built in Python.

A guest page shows up to 50 rows; through a template (~20 nodes, six
``{% translate %}`` and a ``date`` filter each) every row cost ~0.2 ms, a
sixth of the page (``docs/benchmarks.md``). The markup is the one
``_history_cells.html`` had; every value is escaped.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pms.form_renderer import escape_value

register = template.Library()


@cache
def _words(language: str | None) -> dict[str, str]:
    """The column names (the cells' labels when a phone stacks them) and the
    reveal button's text, escaped, once per language and process."""
    del language  # the cache key: the words are translated into the active one
    names = {
        "when": "When",
        "field": "Field",
        "was": "Was",
        "became": "Became",
        "source": "Source",
        "user": "User",
        "reveal": "Show the full number",
    }
    return {key: escape_value(_(text)) for key, text in names.items()}


@register.simple_tag
def history_cells(row) -> SafeString:
    w = _words(get_language())
    # As the template's date filter: in the current time zone.
    when = formats.date_format(
        timezone.template_localtime(row.created_at), "SHORT_DATETIME_FORMAT"
    )
    if row.decision:
        values = f'<td class="decision" colspan="2">{escape_value(row.decision)}</td>'
    else:
        reveal = ""
        if row.reveal_url:
            reveal = (
                f' <button type="button" class="link" hx-post="{escape_value(row.reveal_url)}"'
                ' hx-target="closest tr" hx-swap="outerHTML" data-reveal>'
                f"{w['reveal']}</button>"
            )
        values = (
            f'<td class="old" data-label="{w["was"]}">{escape_value(row.old or "—")}</td>\n'
            f'    <td class="new" data-label="{w["became"]}">'
            f"{escape_value(row.new or '—')}{reveal}</td>"
        )
    html = (
        f'<td data-label="{w["when"]}">{when}</td>\n'
        f'    <td data-label="{w["field"]}">{escape_value(row.field)}</td>\n'
        f"    {values}\n"
        f'    <td data-label="{w["source"]}">{escape_value(row.source)}</td>\n'
        f'    <td data-label="{w["user"]}">{escape_value(row.user or "—")}</td>'
    )
    return mark_safe(html)  # noqa: S308 (every value escaped above)
