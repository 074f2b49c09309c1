"""The way back to the PMS from a refused upload link.

The sandbox knows one PMS address: where it sends webhooks
(``<server>/api/v1/emis/webhook/`` in the contract). A refused link names the
PMS page that asks EMIS for a fresh one — a convenience of this stand-in, which
knows the PMS's routes; the contract asks nothing like it of EMIS.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from emis_sandbox.sessions import WebSession

WEBHOOK_PATH = "/api/v1/emis/webhook/"


def pms_root(webhook_url: str) -> str | None:
    """``<server>/`` of the webhook URL, or None when it is no http(s) address
    (a link must never become ``javascript:`` or the like)."""
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path
    # A PMS under a path prefix keeps it; another webhook path means the root.
    prefix = path[: -len(WEBHOOK_PATH)] if path.endswith(WEBHOOK_PATH) else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}/"


def way_back(webhook_url: str, session: WebSession | None) -> str | None:
    """The guest's upload page in the PMS (a GET there offers a button for a
    fresh link, for the same legal entity and reservation), or the PMS root
    when the token is unknown."""
    root = pms_root(webhook_url)
    if root is None or session is None:
        return root
    query = {"legal_entity": session.legal_entity_id}
    if session.reservation_id:
        query["reservation"] = session.reservation_id
    return f"{root}emis/persons/{session.person_id}/upload/?{urlencode(query)}"
