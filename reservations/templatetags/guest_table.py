"""The Гости tab's rows and the guest page's document rows, built in Python.

At 50 guests the rows were most of the page: ~30 template nodes per guest
(variables, ``{% if %}``, ``{% translate %}``, ``{% url %}``) cost ~0.2 ms a
row, so the tab took 3–14× the time of one guest's; ``format_html``, ~0.08 ms.
Plain f-strings with every value escaped (``_e``) take a fraction of that
(``docs/benchmarks.md``). The markup is the one ``_guests_table.html`` had;
the table's head stays in the template.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..selectors import GuestRow

register = template.Library()


class _Words:
    """The rows' words, translated once per table; the column names label
    the cells when a phone stacks them (``data-label``, pms.css)."""

    def __init__(self) -> None:
        self.columns = [
            escape(_(name))
            for name in (
                "Guest",
                "Contacts",
                "Documents",
                "Card issued",
                "Checks",
                "Note",
            )
        ]
        self.person_id = _("Person ID")
        self.differs = _("differs from EMIS")
        self.until = _("until")
        self.no_document = _("no identity document")
        self.yes, self.no = _("Yes"), _("No")
        self.ready = _("ready")


# A stay ID no reservation has: the one reverse() per table is cut at it.
_ANY_STAY = 987654321


@register.simple_tag
def guest_rows(rows: Iterable[GuestRow], reservation, conflicted) -> SafeString:
    words = _Words()
    # One reverse() for the table (~20 µs each): the links differ by the ID.
    head, tail = reverse("reservations:guest", args=[reservation.pk, _ANY_STAY]).rsplit(
        str(_ANY_STAY), 1
    )
    html = "".join(
        _row(row, f"{head}{row.stay.pk}{tail}", words, conflicted) for row in rows
    )
    # Safe: every value in the rows went through _e() or linebreaksbr's
    # autoescape (tests/security/test_markup_escaped.py).
    return mark_safe(html)  # noqa: S308


def _e(value) -> str:
    # What Django's escape() does, without its lazy-string wrapper (most of
    # format_html's time here).
    return escape(str(value))


def _row(row: GuestRow, link: str, words: _Words, conflicted) -> str:
    stay, person = row.stay, row.stay.person
    badge = ""
    if person.pk in conflicted:
        badge = (
            f'<span class="badge warn" data-emis-conflict>{_e(words.differs)}</span>'
        )
    contacts = "".join(f"<div>{_e(v)}</div>" for v in (person.phone, person.email) if v)
    papers = "".join(_paper(paper, words) for paper in row.papers)
    if not row.has_document:
        papers += f'<span class="muted">{_e(words.no_document)}</span>'
    ready = f'<span class="badge ok">{_e(words.ready)}</span>' if row.ready else ""
    guest, contact, paper, issued, checks, note = (
        f'<td data-label="{label}">' for label in words.columns
    )
    return (
        f'<tr data-stay="{stay.pk}">{guest}'
        f'<a class="guest-name" href="{_e(link)}">{_e(person.full_name)}</a>{badge}'
        f'<div class="ids mono"><span>ID: {stay.pk}</span>'
        f"<span>{_e(words.person_id)}: <strong>{person.pk}</strong></span></div></td>"
        f"{contact}{contacts}</td>{paper}{papers}</td>"
        f"{issued}{_e(words.yes if stay.card_issued else words.no)}</td>"
        f"{checks}{ready}{_warnings(row, words)}</td>"
        f"{note}{_note(stay.note)}</td></tr>\n"
    )


def _note(text: str) -> str:
    # Most guests have none: the filter's lazy wrappers cost ~5 µs a row.
    return linebreaksbr(text, autoescape=True) if text else ""


def _paper(paper, words: _Words) -> str:
    until = f' <span class="muted">{_e(words.until)} {_e(paper.until)}</span>'
    return f"<div>{_e(paper.label)}{until if paper.until else ''}</div>"


def _warnings(row: GuestRow, words: _Words) -> str:
    if not (row.warnings or row.duplicates):
        return ""
    items = [(w.code, w.message) for w in row.warnings]
    items += [
        (
            "possible_duplicate",
            _("Possibly the same guest: person ID %(id)s") % {"id": dup.person.pk},
        )
        for dup in row.duplicates
    ]
    lis = "".join(f'<li data-code="{_e(code)}">{_e(text)}</li>' for code, text in items)
    return f'<ul class="warnings">{lis}</ul>'


# --- The guest page's documents -------------------------------------------------


@register.simple_tag
def formset_head(formset) -> SafeString:
    """The formset's column names: its first form's visible fields, then
    "Delete". The empty form only when there is no form: building one costs
    as much as a row."""
    form = formset.forms[0] if formset.forms else formset.empty_form
    names = [field.label for field in form.visible_fields() if field.name != "DELETE"]
    cells = "".join(f"<th>{_e(name)}</th>" for name in [*names, _("Delete")])
    return mark_safe(cells)  # noqa: S308 (every name escaped)


@register.simple_tag
def formset_rows(formset) -> SafeString:
    """A formset's forms as table rows (``_formset_table.html`` has the
    head): each visible field in a cell labelled for the stacked layout of a
    phone (``data-label``), then the hidden fields, the row's errors and its
    "Delete" box. In Python for the same reason as the guest rows: ~80
    fields of three formsets through template nodes were a third of the page."""
    new = _("new")
    fill_in = _("Fill in to add")
    delete = _("Delete")
    return mark_safe("".join(_form_row(f, new, fill_in, delete) for f in formset))  # noqa: S308


def _form_row(form, new: str, fill_in: str, delete: str) -> str:
    # Fields, errors and widgets are Django's own (SafeString, escaped).
    cells = "".join(
        f'<td data-label="{_e(field.label)}">{field}{field.errors}</td>'
        for field in form.visible_fields()
        if field.name != "DELETE"
    )
    hidden = "".join(str(field) for field in form.hidden_fields())
    if form.instance.pk:
        last = str(form["DELETE"])
    else:
        last = f'<span class="muted" title="{_e(fill_in)}">{_e(new)}</span>'
    attrs = "" if form.instance.pk else ' class="new-row"'
    return (
        f'<tr{attrs}>{cells}<td data-label="{_e(delete)}">{hidden}'
        f"{form.non_field_errors()}{last}</td></tr>\n"
    )
