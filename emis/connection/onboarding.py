"""What an admin sends EMIS support, in one place: the PMS server address,
the webhook address EMIS derives from it (contract, "Onboarding" step 4),
the legal entities' IDs, and a ready e-mail text. Shown as one
"Данные для EMIS" box on the legal entity page and on Стыковки → EMIS, so no
page shows one address without the other."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from legal_entities.models import LegalEntity

from .selectors import webhook_url


@dataclass(frozen=True)
class EmisDetails:
    server_url: str
    webhook_url: str
    entities: list[LegalEntity]
    email: str


def emis_details(entities: list[LegalEntity]) -> EmisDetails:
    server = settings.PMS_PUBLIC_URL.rstrip("/")
    hook = webhook_url()
    return EmisDetails(server, hook, entities, _email_text(server, hook, entities))


def _email_text(server: str, hook: str, entities: list[LegalEntity]) -> str:
    lines = [
        _("%(name)s (INN %(inn)s), legal entity ID %(id)s")
        % {"name": e.name, "inn": e.inn, "id": e.pk}
        for e in entities
    ]
    return _(
        "Hello!\n\n"
        "Please connect our PMS to EMIS Service.\n"
        "PMS server address: %(server)s\n"
        "Webhook address: %(webhook)s\n"
        "Legal entities:\n%(entities)s\n\n"
        "Please send us the web and API credentials for the integration."
    ) % {
        "server": server,
        "webhook": hook,
        "entities": "\n".join(f"- {line}" for line in lines) or "-",
    }
