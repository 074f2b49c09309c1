"""The background sync's state as status lines on the Стыковки page."""

from __future__ import annotations

from django.template.defaultfilters import date as date_filter
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from integrations.registry import StatusLine

from .payload.fields import fields_text, from_dicts
from .sync import sync_status_lines


def _when(value) -> str:
    # In the hotel's time zone and the language's format, like every other
    # time on the page.
    return date_filter(localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def sync_status() -> list[StatusLine]:
    lines = []
    for row in sync_status_lines():
        if row["running"]:
            state = _("running now")
        else:
            state = _("last run %(when)s") % {"when": _when(row["last_run_at"])}
        # The three counts are the last run's; the list of unknown IDs is
        # kept across runs (SyncUnknownPerson): said apart, not as a "total"
        # that reads like the sum of the three.
        text = _(
            "Sync · %(entity)s: %(state)s; last run: applied %(applied)s, "
            "unchanged %(unchanged)s, unknown person IDs %(unknown)s; unknown "
            "person IDs on record: %(unknown_total)s"
        ) % {**row, "entity": row["legal_entity"], "state": state}
        if row["conflicts"]:
            text += _(
                "; profiles that kept staff's values against EMIS: %(n)s"
            ) % {"n": row["conflicts"]}
        level = "ok" if row["last_success_at"] and not row["last_error"] else ""
        lines.append(StatusLine(text, level))
        if row["refused_items"]:
            lines.append(StatusLine(_refused_text(row), "err"))
        if row["last_error"]:
            message = row["last_error_message"] or row["last_error"]
            lines.append(StatusLine(_("Sync error: %(message)s") % {"message": message}, "err"))
    return lines


def _refused_text(row: dict) -> str:
    """"EMIS sent 2 records that break the contract; skipped: person ID 999 —
    sex — must be one of F, M; …" in the reader's language."""
    named = []
    for item in row["refused_items"]:
        fields = from_dicts(
            {**f, "path": f.get("path", "").partition("].")[2] or f.get("path", "")}
            for f in item.get("fields", [])
        )
        who = item.get("person_id") or "?"
        named.append(
            _("person ID %(id)s: %(fields)s")
            % {"id": who, "fields": fields_text(fields, translate=True)}
        )
    text = ngettext(
        "Sync · %(entity)s: EMIS sent %(n)s record that breaks the contract; "
        "skipped until EMIS saves it again: %(named)s",
        "Sync · %(entity)s: EMIS sent %(n)s records that break the contract; "
        "skipped until EMIS saves them again: %(named)s",
        len(row["refused_items"]),
    )
    return text % {
        "entity": row["legal_entity"],
        "n": len(row["refused_items"]),
        "named": " · ".join(named),
    }
